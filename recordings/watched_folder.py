"""Recordings from an external PBX through a watched folder (the other way in is the signed upload API).

The PBX drops the audio file and, last, a sidecar `<name>.json`:

    {"edge": "asterisk-1", "call_id": "1732512345.42", "started_at": "2026-11-25T14:03:07+05:00",
     "ended_at": "2026-11-25T14:08:51+05:00", "file": "1732512345.42.wav", "sha256": "<optional hex>"}

`edge` is the registered telephony edge the PBX's call events come through, `call_id` the call they named.
A pair is moved to `processed/` only after its recording is committed, or to `failed/` with a `.error.txt`
saying why; a sidecar whose call the platform has not heard of yet is retried until
RECORDINGS_WATCH_CALL_WAIT_MINUTES have passed. Taking the same pair in twice stores one recording.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.dateparse import parse_datetime

from telephony.models import Call

from .services import store_recording

logger = logging.getLogger(__name__)


@dataclass
class FolderRun:
    stored: int = 0
    failed: int = 0
    waiting: int = 0


class _Waiting(Exception):
    """The call is not known yet; try again on a later run."""


def ingest_folder(folder: str | Path) -> FolderRun:
    root = Path(folder)
    run = FolderRun()
    for sidecar in sorted(root.glob("*.json")):
        try:
            audio = _ingest_one(sidecar)
        except _Waiting:
            run.waiting += 1
            continue
        except (ValidationError, ValueError, KeyError, OSError) as exc:
            _move_failed(root, sidecar, exc)
            run.failed += 1
            continue
        _move(root / "processed", sidecar, audio)
        run.stored += 1
    return run


def _ingest_one(sidecar: Path) -> Path:
    meta: dict[str, Any] = json.loads(sidecar.read_text(encoding="utf-8"))
    audio = sidecar.with_name(Path(str(meta["file"])).name)
    call = Call.objects.filter(edge__name=str(meta["edge"]), call_id=str(meta["call_id"])).first()
    if call is None:
        age_minutes = (time.time() - sidecar.stat().st_mtime) / 60
        if age_minutes < settings.RECORDINGS_WATCH_CALL_WAIT_MINUTES:
            raise _Waiting
        raise ValueError(f"no call {meta['call_id']!r} on edge {meta['edge']!r}")
    started, ended = parse_datetime(str(meta["started_at"])), parse_datetime(str(meta["ended_at"]))
    if started is None or ended is None or started.tzinfo is None or ended.tzinfo is None:
        raise ValueError("started_at and ended_at must be ISO 8601 times with an offset")
    with audio.open("rb") as stream:
        declared = str(meta.get("sha256") or _sha256(stream))
        store_recording(
            call=call,
            upload=File(stream, name=audio.name),
            declared_sha256=declared,
            started_at=started,
            ended_at=ended,
            audio_format=str(meta.get("format") or audio.suffix.lstrip(".")).lower(),
            source_ref=f"folder:{meta['edge']}:{meta['call_id']}:{audio.name}"[:200],
        )
    return audio


def _sha256(stream: Any) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _move(target: Path, *files: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for file in files:
        if file.exists():
            shutil.move(str(file), str(target / file.name))


def _move_failed(root: Path, sidecar: Path, error: Exception) -> None:
    message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    logger.error("Recording %s from the watched folder was refused: %s", sidecar.name, message)
    files = [sidecar]
    with contextlib.suppress(ValueError, KeyError, OSError):
        files.append(sidecar.with_name(Path(str(json.loads(sidecar.read_text(encoding="utf-8"))["file"])).name))
    _move(root / "failed", *files)
    (root / "failed" / f"{sidecar.stem}.error.txt").write_text(message + "\n", encoding="utf-8")
