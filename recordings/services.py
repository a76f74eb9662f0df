"""Recordings: taken in with their checksum, verified against it, deleted under the retention policy."""

import hashlib
import logging
import wave
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from core.policy import policy

from .choices import RETENTION_POLICY, AlertKind, RecordingCategory
from .fingerprints import open_file_identity
from .models import Recording, RecordingAlert
from .selectors import due_for_verification

logger = logging.getLogger(__name__)

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
        category=RecordingCategory.CONVERSATION if call.consultant_id else RecordingCategory.MENU_ONLY,
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


@dataclass(frozen=True)
class ReadBack:
    """A stored file as it was read back: its SHA-256 and CRC-32, and its identity when the read began and ended
    alike ("" when its storage gives none, or the file changed while it was read)."""

    sha256: str
    crc32: int
    identity: str


def read_back(recording: Recording) -> ReadBack | None:
    """Read the stored file through the storage API; None when it is gone or cannot be read."""
    storage = recording.file.storage
    try:
        if not recording.file.name or not storage.exists(recording.file.name):
            return None
        sha256, crc = hashlib.sha256(), 0
        with storage.open(recording.file.name, "rb") as stored:
            before = open_file_identity(stored)
            for chunk in iter(lambda: stored.read(1024 * 1024), b""):
                sha256.update(chunk)
                crc = zlib.crc32(chunk, crc)
            after = open_file_identity(stored)
    except OSError:
        return None
    return ReadBack(sha256=sha256.hexdigest(), crc32=crc, identity=before if before == after else "")


def verify_recording(recording: Recording, *, now: datetime | None = None) -> bool:
    """Check the stored file against the SHA-256 taken at ingest; a broken one is marked and alerted once.

    Returns whether the recording is intact. A file restored to its original bytes makes it intact again. An intact
    file's CRC-32 and identity are kept for the export (`recordings.fingerprints`); a broken one's are cleared.
    """
    now = now or timezone.now()
    found = read_back(recording)
    intact = found is not None and found.sha256 == recording.sha256
    crc32, identity = (found.crc32, found.identity) if found is not None and intact else (None, "")
    with transaction.atomic():
        checked = {"verified_at": now, "crc32": crc32, "verified_fingerprint": identity}
        changed = Recording.objects.filter(pk=recording.pk, is_intact=not intact).update(is_intact=intact, **checked)
        if not changed:
            Recording.objects.filter(pk=recording.pk).update(**checked)
        elif intact:
            record_event(action="recordings.integrity_restored", target=recording, details={"sha256": recording.sha256})
        else:
            _raise_alert(recording, found=found.sha256 if found else None, now=now)
    recording.is_intact, recording.verified_at = intact, now
    recording.crc32, recording.verified_fingerprint = crc32, identity
    return intact


def _raise_alert(recording: Recording, *, found: str | None, now: datetime) -> RecordingAlert:
    kind = AlertKind.FILE_MISSING if found is None else AlertKind.CHECKSUM_MISMATCH
    alert = RecordingAlert.objects.create(
        recording=recording, kind=kind, expected_sha256=recording.sha256, found_sha256=found or "", detected_at=now
    )
    record_event(
        action="recordings.integrity_failed",
        target=recording,
        details={"kind": kind, "expected": recording.sha256, "found": found or ""},
    )
    logger.error("Recording %s failed its integrity check: %s", recording.pk, kind)
    return alert


def verify_due_recordings(*, limit: int, now: datetime | None = None) -> int:
    """Verify the `limit` kept recordings checked longest ago (never-checked first); returns how many broke."""
    return sum(not verify_recording(recording, now=now) for recording in due_for_verification(limit))


def set_legal_hold(*, recording: Recording, held: bool, actor: Any, reason: str) -> Recording:
    """Put a recording under legal hold (never deleted by retention) or release it."""
    with transaction.atomic():
        Recording.objects.filter(pk=recording.pk).update(legal_hold=held)
        recording.legal_hold = held
        record_event(
            action="recordings.legal_hold_set" if held else "recordings.legal_hold_released",
            actor=actor,
            target=recording,
            details={"reason": reason},
        )
    return recording


def apply_retention(*, now: datetime | None = None) -> int:
    """Delete the files of recordings past their category's retention period; rows stay with `deleted_at`.

    Held recordings are never touched. Files go after the rows' transaction commits, so a rolled-back run
    loses nothing. Returns how many recordings were deleted.
    """
    now = now or timezone.now()
    deleted = 0
    for category, setting in RETENTION_POLICY.items():
        days = int(policy(setting))
        if days <= 0:
            continue
        due = Recording.objects.kept().filter(
            category=category, legal_hold=False, ended_at__lt=now - timedelta(days=days)
        )
        for pk in due.values_list("pk", flat=True).iterator():
            deleted += _delete_recording_file(pk, now=now, retention_days=days)
    return deleted


def _delete_recording_file(pk: int, *, now: datetime, retention_days: int) -> int:
    with transaction.atomic():
        recording = (
            Recording.objects.select_for_update().filter(pk=pk, legal_hold=False, deleted_at__isnull=True).first()
        )
        if recording is None:  # held or deleted since the query
            return 0
        recording.deleted_at = now
        recording.save(update_fields=["deleted_at"])
        record_event(
            action="recordings.deleted_by_retention",
            target=recording,
            details={"category": recording.category, "retention_days": retention_days, "sha256": recording.sha256},
        )
        name, storage = recording.file.name or "", recording.file.storage
        if name:
            transaction.on_commit(lambda: storage.delete(name))
    return 1
