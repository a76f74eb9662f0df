"""The export package handed to an authorized body (clause 18): one zip, written in a single pass.

Layout: `recordings/<local start>-<id>.<format>`, `request.json`, `center-certificate.pem`, `manifest-sha256.txt`
(`sha256sum -c` format, listing every file above with the SHA-256 taken when it was recorded or written) and
`manifest-sha256.txt.p7s` (the manifest's detached CMS signature with the center's key). Entries are stored
uncompressed (audio does not compress) so writing costs what copying costs. Each recording is hashed while it is
copied, on another thread: one whose bytes no longer match the SHA-256 taken at ingest is withheld and the package
is written again without it, so nothing tampered goes out as good. `recordings.package_verify` checks a package.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.utils import timezone

from .models import Recording
from .package_verify import CERTIFICATE, MANIFEST, REQUEST, SIGNATURE, manifest_line
from .signing import CenterKey

CHUNK = 1024 * 1024


class Tampered(Exception):
    def __init__(self, recording: Recording) -> None:
        super().__init__(recording.pk)
        self.recording = recording


@dataclass
class PackageResult:
    sha256: str
    size: int
    paths: dict[int, str] = field(default_factory=dict)  # recording id → path in the package


class _HashingWriter:
    """A forward-only output (zipfile then writes data descriptors, never seeks) that hashes what it writes."""

    def __init__(self, out: IO[bytes]) -> None:
        self._out, self._sha256, self._position = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self._sha256.update(data)
        self._out.write(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        self._out.flush()

    @property
    def hexdigest(self) -> str:
        return self._sha256.hexdigest()


def package_path(recording: Recording) -> str:
    return (
        f"recordings/{timezone.localtime(recording.started_at):%Y%m%d-%H%M%S}-{recording.pk}.{recording.audio_format}"
    )


def write_package(
    out: IO[bytes], *, recordings: list[Recording], request_document: dict[str, Any], key: CenterKey
) -> PackageResult:
    """Write the package to `out`; raises Tampered on the first recording whose bytes do not match."""
    writer = _HashingWriter(out)
    result = PackageResult(sha256="", size=0)
    manifest: list[str] = []
    with zipfile.ZipFile(writer, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:  # type: ignore[call-overload]
        for recording in recordings:
            path = package_path(recording)
            _copy_checked(archive, path, recording)
            manifest.append(manifest_line(recording.sha256, path))
            result.paths[recording.pk] = path
        for name, content in (
            (REQUEST, json.dumps(request_document, ensure_ascii=False, indent=2, sort_keys=True).encode()),
            (CERTIFICATE, key.certificate_pem),
        ):
            archive.writestr(name, content)
            manifest.append(manifest_line(hashlib.sha256(content).hexdigest(), name))
        manifest_bytes = "".join(manifest).encode()
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(SIGNATURE, key.sign_detached(manifest_bytes))
    result.sha256, result.size = writer.hexdigest, writer.tell()
    return result


def _copy_checked(archive: zipfile.ZipFile, path: str, recording: Recording) -> None:
    storage = recording.file.storage
    try:
        source = storage.open(recording.file.name or "", "rb")
    except OSError as exc:
        raise Tampered(recording) from exc
    with source, archive.open(path, "w", force_zip64=True) as entry:
        found = _copy_hashing(lambda: source.read(CHUNK), entry.write)
    if found != recording.sha256:
        raise Tampered(recording)


def _copy_hashing(read: Callable[[], bytes], write: Callable[[bytes], Any]) -> str:
    """Copy chunk by chunk while another thread hashes the same chunks (hashlib lets go of the GIL)."""
    chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
    sha256 = hashlib.sha256()
    hasher = threading.Thread(target=_hash_all, args=(chunks, sha256), daemon=True)
    hasher.start()
    try:
        for chunk in _chunks(read):
            chunks.put(chunk)
            write(chunk)
    finally:
        chunks.put(None)
        hasher.join()
    return sha256.hexdigest()


def _chunks(read: Callable[[], bytes]) -> Iterator[bytes]:
    while chunk := read():
        yield chunk


def _hash_all(chunks: queue.Queue[bytes | None], sha256: Any) -> None:
    while (chunk := chunks.get()) is not None:
        sha256.update(chunk)


def iso_local(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None
