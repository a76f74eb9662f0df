"""Taking in recordings: checksum taken at ingest, file stored through the storage API, idempotent."""

import hashlib
import wave
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.services import record_event

from .models import Recording

ALLOWED_FORMATS = frozenset({"wav"})


def store_recording(
    *,
    call: Any,
    upload: File,
    declared_sha256: str,
    started_at: datetime,
    ended_at: datetime,
    audio_format: str,
    source_ref: str,
) -> tuple[Recording, bool]:
    """Store one recorded conversation of `call`; the same source sent again returns the stored one."""
    existing = Recording.objects.filter(source_ref=source_ref).first()
    if existing is not None:
        return existing, False
    digest, size = _digest(upload)
    duration = _check_upload(upload, digest=digest, declared_sha256=declared_sha256, audio_format=audio_format)
    if ended_at < started_at:
        raise ValidationError(_("The recording ends before it starts."), code="recording_times")
    recording = Recording(
        call=call,
        source_ref=source_ref,
        sha256=digest,
        size_bytes=size,
        duration_seconds=duration,
        audio_format=audio_format,
        caller_phone=call.caller_phone,
        consultant=call.consultant,
        started_at=started_at,
        ended_at=ended_at,
    )
    upload.seek(0)
    recording.file.save(f"{call.pk}-{digest[:16]}.{audio_format}", upload, save=False)
    try:
        with transaction.atomic():
            recording.save()
            record_event(
                action="recordings.stored",
                target=recording,
                details={"call": call.pk, "sha256": digest, "size": size},
            )
    except IntegrityError:
        recording.file.delete(save=False)
        return Recording.objects.get(source_ref=source_ref), False
    return recording, True


def _digest(upload: File) -> tuple[str, int]:
    upload.seek(0)
    sha256 = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        sha256.update(chunk)
        size += len(chunk)
    return sha256.hexdigest(), size


def _check_upload(upload: File, *, digest: str, declared_sha256: str, audio_format: str) -> float:
    if audio_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("Recording format %(format)s is not accepted."), code="recording_format", params={"format": audio_format}
        )
    if declared_sha256.strip().lower() != digest:
        raise ValidationError(_("The recording's SHA-256 does not match what was received."), code="recording_checksum")
    duration = _wav_duration(upload)
    if duration is None:
        raise ValidationError(_("The recording is not a readable WAV file."), code="recording_unreadable")
    return duration


def _wav_duration(upload: File) -> float | None:
    upload.seek(0)
    try:
        with wave.open(upload, "rb") as audio:  # type: ignore[arg-type]
            rate = audio.getframerate()
            return audio.getnframes() / float(rate) if rate else None
    except (wave.Error, EOFError):
        return None
