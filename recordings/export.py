"""The export package handed to an authorized body (clause 18): one zip, written in a single pass.

Layout: `recordings/<local start>-<id>.<format>`, `request.json`, `center-certificate.pem`, `manifest-sha256.txt`
(`sha256sum -c` format, listing every file above with the SHA-256 taken when it was recorded or written) and
`manifest-sha256.txt.p7s` (the manifest's detached CMS signature with the center's key). Entries are stored
uncompressed (audio does not compress). `recordings.package_verify` checks a package.

Nothing tampered goes out as good. Every matched recording is read back and checked against the SHA-256 taken at
ingest when the request is filed (`check_request_matches`), and that check keeps the file's CRC-32 and its identity
on disk (`recordings.fingerprints`). A recording whose file is still the one checked, less than
RECORDINGS_EXPORT_TRUSTS_CHECK_HOURS ago, is copied into the package inside the kernel (`os.copy_file_range`, as
`shutil.copyfile` copies) without being read again: hashing the same bytes twice within minutes would only make the
export several times slower than a copy. Any other recording (never checked, checked long ago, its file touched
since, or on a storage that gives no identity) is SHA-256'd while it is copied; one whose bytes no longer match is
withheld and the package written again without it. The package's own SHA-256, shown to the regulator and recorded
with every download, is taken once the package is ready (`package_sha256`), off the regulator's clock.

What it costs, measured here (2 vCPU with SHA-NI), per MB of CPU: SHA-256 0.64 ms, CRC-32 0.27, a read and write
through Python 0.6, the kernel's copy 0.35-0.5. The hashing path shares its work between two threads through a ring
of preallocated buffers (no copies, no allocation per chunk): this one reads, CRC-32s and writes, the other hashes
(hashlib lets go of the GIL on large buffers).
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any, ClassVar

from django.conf import settings
from django.utils import timezone

from .fingerprints import open_file_identity
from .models import Recording
from .package_verify import CERTIFICATE, MANIFEST, REQUEST, SIGNATURE, manifest_line
from .signing import CenterKey
from .zipstream import ZipWriter

CHUNK = 1024 * 1024
IN_FLIGHT = 8  # chunks between being read and hashed
KEPT_RINGS = 2  # rings of IN_FLIGHT chunks kept for the next packages of the process


class Tampered(Exception):
    def __init__(self, recording: Recording) -> None:
        super().__init__(recording.pk)
        self.recording = recording


@dataclass
class PackageResult:
    size: int
    paths: dict[int, str] = field(default_factory=dict)  # recording id → path in the package


class _HashingThread:
    """Feeds chunks to hashlib objects, in order, on a thread of its own; each chunk hashed gives back its slot."""

    def __init__(self, name: str) -> None:
        self.slots = threading.Semaphore(IN_FLIGHT)
        self._work: queue.SimpleQueue[tuple[Any, Any] | None] = queue.SimpleQueue()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def hash(self, digest: Any, data: Any) -> None:
        self._work.put((digest, data))

    def _run(self) -> None:
        while (item := self._work.get()) is not None:
            digest, data = item
            if self._failure is None:
                try:
                    digest.update(data)
                except BaseException as exc:  # raised again by finish(), in the writing thread
                    self._failure = exc
            self.slots.release()  # always, so the writing thread never waits for a thread that gave up

    def finish(self) -> None:
        """Wait until everything handed over is hashed; raises what went wrong on the thread."""
        self.close()
        if self._failure is not None:
            raise self._failure

    def close(self) -> None:
        if self._thread.is_alive():
            self._work.put(None)
            self._thread.join()


class _Ring:
    """Preallocated chunk buffers taken in turn; one is taken again only once the hashing thread is done with it
    (it hashes in order and gives back one slot per chunk).

    The buffers are kept for the process's next package: allocating them costs about as much as hashing 10 MB
    (the kernel zeroes every page on its first touch)."""

    _idle: ClassVar[list[list[bytearray]]] = []
    _idle_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, hasher: _HashingThread) -> None:
        with self._idle_lock:
            arrays = self._idle.pop() if self._idle else None
        if arrays is None or len(arrays) != IN_FLIGHT or len(arrays[0]) != CHUNK:
            arrays = [bytearray(CHUNK) for _ in range(IN_FLIGHT)]
        self._arrays = arrays
        self._buffers = [memoryview(array) for array in arrays]
        self._hasher, self._next = hasher, 0

    def keep(self) -> None:
        """Keep the buffers for the next package (the hashing thread has finished with them)."""
        with self._idle_lock:
            if len(self._idle) < KEPT_RINGS:
                self._idle.append(self._arrays)

    def take(self) -> memoryview:
        self._hasher.slots.acquire()
        buffer = self._buffers[self._next]
        self._next = (self._next + 1) % IN_FLIGHT
        return buffer

    def put_back(self) -> None:
        """The buffer last taken was not used."""
        self._next = (self._next - 1) % IN_FLIGHT
        self._hasher.slots.release()


class _Hashing:
    """The hashing thread and its ring of buffers, started for the first recording that must be read and hashed
    (a package of recordings all copied as checked starts neither)."""

    def __init__(self) -> None:
        self._started: tuple[_HashingThread, _Ring] | None = None

    def started(self) -> tuple[_HashingThread, _Ring]:
        if self._started is None:
            hasher = _HashingThread("recording-sha256")
            self._started = (hasher, _Ring(hasher))
        return self._started

    def finish(self) -> None:
        if self._started is not None:
            self._started[0].finish()

    def close(self) -> None:
        if self._started is not None:
            hasher, ring = self._started
            hasher.close()
            ring.keep()


def package_path(recording: Recording) -> str:
    return (
        f"recordings/{timezone.localtime(recording.started_at):%Y%m%d-%H%M%S}-{recording.pk}.{recording.audio_format}"
    )


def write_package(
    out: IO[bytes], *, recordings: list[Recording], request_document: dict[str, Any], key: CenterKey
) -> PackageResult:
    """Write the package to `out`; raises Tampered on the first recording whose bytes do not match.

    The manifest lists the SHA-256 each recording had at ingest, so it is complete, and signed on a thread of its
    own, while the recordings are copied (a recording found changed makes the whole package be written again)."""
    checked_since = timezone.now() - timedelta(hours=settings.RECORDINGS_EXPORT_TRUSTS_CHECK_HOURS)
    result = PackageResult(size=0, paths={recording.pk: package_path(recording) for recording in recordings})
    documents = (
        (REQUEST, json.dumps(request_document, ensure_ascii=False, indent=2, sort_keys=True).encode()),
        (CERTIFICATE, key.certificate_pem),
    )
    manifest = "".join(
        [manifest_line(recording.sha256, result.paths[recording.pk]) for recording in recordings]
        + [manifest_line(hashlib.sha256(content).hexdigest(), name) for name, content in documents]
    ).encode()
    signature = _signer().submit(key.sign_detached, manifest)
    hashing = _Hashing()
    try:
        archive = ZipWriter(out, modified=timezone.localtime())
        archive.reserve(sum(recording.size_bytes for recording in recordings))  # the rest, a few KB, grows it
        hashed = []
        for recording in recordings:
            sha256 = _copy(archive, hashing, recording, result.paths[recording.pk], checked_since=checked_since)
            if sha256 is not None:
                hashed.append((recording, sha256))
        hashing.finish()
        for recording, sha256 in hashed:
            if sha256.hexdigest() != recording.sha256:
                raise Tampered(recording)
        for name, content in documents:
            archive.add_bytes(name, content)
        archive.add_bytes(MANIFEST, manifest)
        archive.add_bytes(SIGNATURE, signature.result())
        result.size = archive.close()
    finally:
        hashing.close()
        signature.cancel()
    return result


_signing_thread: ThreadPoolExecutor | None = None
_signing_thread_lock = threading.Lock()


def _signer() -> ThreadPoolExecutor:
    """One thread per process that signs manifests (kept: starting a thread costs as much as a signature)."""
    global _signing_thread
    with _signing_thread_lock:
        if _signing_thread is None:
            _signing_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="package-signing")
        return _signing_thread


def _copy(archive: ZipWriter, hashing: _Hashing, recording: Recording, path: str, *, checked_since: datetime) -> Any:
    """Copy the recording into its entry: in the kernel when its file is still the one found intact since
    `checked_since` (returns None), otherwise chunk by chunk with its SHA-256 taken on the hashing thread meanwhile
    (returns the hash object, complete once the thread has finished)."""
    storage = recording.file.storage
    try:
        source = storage.open(recording.file.name or "", "rb")
    except OSError as exc:
        raise Tampered(recording) from exc
    with source:
        if _unchanged_since_check(recording, source, checked_since):
            if (
                archive.add_copy(path, source, size=recording.size_bytes, crc32=recording.crc32 or 0)
                != recording.size_bytes
            ):
                raise Tampered(recording)
            return None
        sha256 = hashlib.sha256()
        read_into = _reader(source)
        hasher, ring = hashing.started()

        def fill(write: Callable[[Any], None]) -> None:
            while True:
                buffer = ring.take()
                count = read_into(buffer)
                if not count:
                    ring.put_back()
                    break
                chunk = buffer[:count]
                hasher.hash(sha256, chunk)
                write(chunk)

        archive.add_streamed(path, fill)
    return sha256


def _unchanged_since_check(recording: Recording, source: Any, checked_since: datetime) -> bool:
    return bool(
        recording.is_intact
        and recording.crc32 is not None
        and recording.verified_fingerprint
        and recording.verified_at is not None
        and recording.verified_at >= checked_since
        and open_file_identity(source) == recording.verified_fingerprint
    )


def package_sha256(opened: IO[bytes]) -> str:
    """The SHA-256 of a written package, read back in large chunks."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: opened.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _reader(source: Any) -> Callable[[memoryview], int]:
    """`readinto` of the opened file, or the same through `read` for a storage whose files have none."""
    try:
        return source.readinto  # type: ignore[no-any-return]
    except AttributeError:

        def read_into(buffer: memoryview) -> int:
            data = source.read(len(buffer))
            buffer[: len(data)] = data
            return len(data)

        return read_into


def iso_local(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None
