"""A typical regulator's request, registration to a ready package, and the export against a plain file copy.

The typical request: one phone, one day, five recorded conversations of five minutes (one began at 23:57 the day
before and crosses midnight), stored as the edge stores them (`telephony.services.accept_events`,
`recordings.services.store_recording`) as real WAV files in MEDIA_ROOT. The clock runs from `file_request`
(matching, legal hold, audit) through the tasks it queues (run in-process: the SHA-256 check of the matched
files, the staff's e-mail), `confirm_request` and the package task (`build_package`, the signed zip) to the
request marked ready. Nobody waits for the supervisor: the figure is the platform's own time. Before each
request the five files are dropped from the page cache (`posix_fadvise`, these files only), as yesterday's
recordings would be.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.recordings.audio import conversation_wav

RECORDING_SECONDS = 300
# (days after the requested day, local start): the first call crosses midnight into the requested day.
TYPICAL_CALLS = ((-1, "23:57:30"), (0, "09:12:05"), (0, "11:40:41"), (0, "14:05:12"), (0, "17:30:55"))
PDF_LETTER = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CHUNK = 1024 * 1024
EDGE_NAME = "bench-edge"


@dataclass(frozen=True)
class Cast:
    edge: Any
    extension: str
    regulator: Any
    supervisor: Any


def set_up_cast() -> Cast:
    """The request's people (a regulator of an authorized body, a supervisor) and a consultant's line."""
    from django.contrib.auth import get_user_model

    from accounts.choices import Role
    from directory.choices import OrganisationKind
    from directory.models import Organisation
    from telephony import services as telephony
    from telephony.models import TelephonyEdge

    users = get_user_model()
    body, _created = Organisation.objects.get_or_create(
        code="bench-regulator",
        defaults={
            "kind": OrganisationKind.AUTHORIZED_BODY,
            "name_kk": "Бенчмарк: уәкілетті орган",
            "name_ru": "Бенчмарк: уполномоченный орган",
        },
    )
    regulator = _staff("bench-regulator", Role.REGULATOR, organisation=body)
    supervisor = _staff("bench-supervisor", Role.SUPERVISOR)
    consultant = users.objects.get(username=consultant_username(0))
    line = telephony.open_consultant_line(user=consultant, extension="7100", sip_uri="sip:7100@127.0.0.1:5999")
    return Cast(
        edge=TelephonyEdge.objects.get(name=EDGE_NAME),
        extension=line.extension,
        regulator=regulator,
        supervisor=supervisor,
    )


def consultant_username(index: int) -> str:
    return f"bench-consultant-{index:04d}"


def create_consultants(count: int) -> tuple[int, tuple[int, ...]]:
    """The edge and `count` consultants for the generated calls; returns (edge id, consultant ids)."""
    from django.conf import settings

    from accounts.choices import Role
    from telephony import services as telephony

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # nobody logs in
    edge = telephony.register_edge(
        name=EDGE_NAME, secret=hashlib.sha256(b"bench-recordings").hexdigest(), control_url_prefix="http://127.0.0.1:"
    )
    ids = tuple(_staff(consultant_username(index), Role.CONSULTANT).pk for index in range(count))
    return edge.pk, ids


def _staff(username: str, role: str, *, organisation: Any = None) -> Any:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from accounts.services import create_staff_user

    found = get_user_model().objects.filter(username=username).first()
    if found is not None:
        return found
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return create_staff_user(
        username=username,
        password=hashlib.sha256(os.urandom(16)).hexdigest(),
        role=role,
        organisation=organisation,
        first_name="Bench",
        last_name=username.rsplit("-", 1)[-1].title(),
        email=f"{username}@bench.example.kz",
    )


def unused_phone(rng: random.Random) -> str:
    """A phone with no recording in the archive, so the request matches exactly the five typical calls."""
    from recordings.models import Recording

    while True:
        phone = f"+7705{rng.randrange(10_000_000):07d}"
        if not Recording.objects.filter(caller_phone=phone).exists():
            return phone


def store_typical_calls(cast: Cast, *, phone: str, day: date, tag: str, seed: int) -> list[Any]:
    """Five answered calls from `phone` around `day`, each with its five-minute recording stored."""
    from django.core.files.base import ContentFile

    from recordings.services import store_recording
    from telephony import services as telephony
    from telephony.events import IncomingEvent
    from telephony.models import Call

    zone = _zone()
    recordings = []
    for number, (offset, at) in enumerate(TYPICAL_CALLS):
        started = datetime.combine(day + timedelta(days=offset), datetime.strptime(at, "%H:%M:%S").time(), zone)
        ended = started + timedelta(seconds=RECORDING_SECONDS)
        call_id = f"bench-typical-{tag}-{number}"
        events = [
            ("call.offered", started, {"caller": phone, "control_url": "http://127.0.0.1:9/"}),
            ("call.connected", started + timedelta(seconds=40), {"consultant": cast.extension}),
            ("call.ended", ended, {"by": "caller"}),
        ]
        telephony.accept_events(
            edge=cast.edge,
            events=[
                IncomingEvent(event_id=f"{call_id}:{index}", type=kind, call_id=call_id, occurred_at=at_, data=data)
                for index, (kind, at_, data) in enumerate(events)
            ],
        )
        call = Call.objects.get(edge=cast.edge, call_id=call_id)
        content = conversation_wav(RECORDING_SECONDS, seed=seed + number)
        recording, _created = store_recording(
            call=call,
            upload=ContentFile(content, name="upload.wav"),
            declared_sha256=hashlib.sha256(content).hexdigest(),
            started_at=started,
            ended_at=ended,
            audio_format="wav",
            source_ref=f"{call_id}:recording",
        )
        recordings.append(recording)
    return recordings


def _zone() -> Any:
    from zoneinfo import ZoneInfo

    from django.conf import settings

    return ZoneInfo(settings.TIME_ZONE)


class Stopwatch:
    """Time spent in named functions while a block runs (module attributes swapped for timed wrappers)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextmanager
    def watching(self, targets: dict[str, tuple[Any, str]]) -> Iterator[None]:
        originals = [(owner, attribute, getattr(owner, attribute)) for owner, attribute in targets.values()]
        for label, (owner, attribute) in targets.items():
            setattr(owner, attribute, self._timed(label, getattr(owner, attribute)))
        try:
            yield
        finally:
            for owner, attribute, original in originals:
                setattr(owner, attribute, original)

    def _timed(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started

        return timed


def typical_request(cast: Cast, *, phone: str, day: date, recordings: list[Any], number: str) -> dict[str, Any]:
    """File, confirm, package one request with the real services; returns the times and the checked package."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from recordings import regulator_requests, tasks
    from recordings.choices import RequestStatus
    from recordings.package_verify import verify_package

    evict([Path(recording.file.path) for recording in recordings])
    stopwatch = Stopwatch()
    targets = {
        "match": (regulator_requests, "_match"),
        "check_sha256": (regulator_requests, "check_request_matches"),
        "write_package": (regulator_requests, "write_package"),
        "notify": (tasks.notify_request, "delay"),
    }
    letter = SimpleUploadedFile("letter.pdf", PDF_LETTER, content_type="application/pdf")
    with stopwatch.watching(targets):
        started = time.perf_counter()
        request = regulator_requests.file_request(
            regulator=cast.regulator, number=number, phone=phone, day=day, letter=letter
        )
        registered = time.perf_counter()
        regulator_requests.confirm_request(request=request, supervisor=cast.supervisor)
        ready = time.perf_counter()
    request.refresh_from_db()
    if request.status != RequestStatus.READY:
        raise RuntimeError(f"request {number}: {request.status}, not ready ({request.failure or 'no reason given'})")
    verification = verify_package(Path(request.package.path))
    exported = request.items.filter(exported=True).count()
    if not verification.ok or exported != len(recordings):
        raise RuntimeError(f"request {number}: {exported} exported; package problems {verification.problems}")
    phases = {label: round(stopwatch.seconds.get(label, 0.0), 4) for label in targets}
    # the rest: transactions, the letter stored, legal holds and audit records, status updates, the package's
    # zip listing and request.json
    phases["other"] = round(ready - started - sum(phases.values()), 4)
    return {
        "ready_s": round(ready - started, 4),
        "registration_s": round(registered - started, 4),
        "confirmation_to_ready_s": round(ready - registered, 4),
        "ready_at_minus_registered_at_s": round((request.package_ready_at - request.registered_at).total_seconds(), 4),
        "phases_s": phases,
        "package_bytes": request.package_size,
        "request_id": request.pk,
    }


def evict(paths: list[Path]) -> None:
    """Drop these files' pages from the page cache (written back first), so the next read comes from disk."""
    for path in paths:
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(descriptor)


def export_vs_copy(request_id: int, recordings: list[Any], *, rounds: int, workdir: Path) -> dict[str, Any]:
    """`write_package` (zip, manifest, signature) against copying the same recording files.

    The recordings are read from the database as `build_package` reads them: checked when the request was filed,
    so the export copies them in the kernel (`recordings.export`). Beside it, the same export with no earlier check
    trusted (RECORDINGS_EXPORT_TRUSTS_CHECK_HOURS=0: every byte SHA-256'd and CRC-32'd on its way), and the
    package's SHA-256 taken after it is ready. Rounds alternate the ways on the same files, warm in the page cache
    (what is compared is the work of each way, not the disk), writing into MEDIA_ROOT through the storage API as
    `build_package` does; then once more each with the sources dropped from the page cache first. Medians. Beside
    them, the speed of SHA-256 and CRC-32 over the same bytes in memory.
    """
    from django.conf import settings
    from django.core.files.storage import default_storage

    from recordings.export import package_sha256, write_package
    from recordings.models import RecordingRequest
    from recordings.regulator_requests import request_document
    from recordings.signing import center_key

    request = RecordingRequest.objects.select_related("requesting_body").get(pk=request_id)
    items = list(request.items.select_related("recording", "recording__consultant", "recording__call"))
    document = request_document(request, items, {})
    key = center_key()
    recordings = [item.recording for item in items]  # as checked when the request was filed
    sources = [Path(recording.file.path) for recording in recordings]
    total = sum(path.stat().st_size for path in sources)
    target = workdir / "copies"
    target.mkdir(exist_ok=True)
    Path(default_storage.path("bench")).mkdir(exist_ok=True)

    def export() -> None:
        with default_storage.open("bench/export.zip", "wb") as out:
            write_package(out, recordings=recordings, request_document=document, key=key)

    def export_hashing() -> None:
        trusted = settings.RECORDINGS_EXPORT_TRUSTS_CHECK_HOURS
        settings.RECORDINGS_EXPORT_TRUSTS_CHECK_HOURS = 0
        try:
            with default_storage.open("bench/export-hashing.zip", "wb") as out:
                write_package(out, recordings=recordings, request_document=document, key=key)
        finally:
            settings.RECORDINGS_EXPORT_TRUSTS_CHECK_HOURS = trusted

    def package_digest() -> None:
        with default_storage.open("bench/export.zip", "rb") as written:
            package_sha256(written)

    def copyfile() -> None:
        for source in sources:
            shutil.copyfile(source, target / source.name)

    def chunked_copy() -> None:
        for source in sources:
            with source.open("rb") as reading, (target / source.name).open("wb") as writing:
                while chunk := reading.read(CHUNK):
                    writing.write(chunk)

    def clear() -> None:
        default_storage.delete("bench/export.zip")
        default_storage.delete("bench/export-hashing.zip")
        for path in target.iterdir():
            path.unlink()

    ways = {"export": export, "copyfile": copyfile, "chunked_copy": chunked_copy, "export_hashing": export_hashing}
    for run in ways.values():  # warm-up: every source in the page cache, code paths loaded
        run()
    warm: dict[str, list[float]] = {name: [] for name in ways}
    digests: list[float] = []
    for _round in range(rounds):
        for name, run in ways.items():
            warm[name].append(_timed(run, before=clear))
            if name == "export":
                digests.append(_timed(package_digest, before=lambda: None))
    cold = {name: _timed(run, before=lambda: (clear(), evict(sources))) for name, run in ways.items()}
    contents = [source.read_bytes() for source in sources]
    hashing = {
        "sha256": lambda: [hashlib.sha256(content).digest() for content in contents],
        "crc32": lambda: [zlib.crc32(content) for content in contents],
    }
    hash_samples = {
        name: sorted(_timed(run, before=lambda: None) for _ in range(rounds)) for name, run in hashing.items()
    }
    medians = {name: sorted(samples)[len(samples) // 2] for name, samples in warm.items()}
    clear()
    shutil.rmtree(target, ignore_errors=True)
    return {
        "bytes": total,
        "rounds": rounds,
        "mb_per_s": {name: round(total / seconds / 1e6, 1) for name, seconds in medians.items()},
        "seconds": {name: round(seconds, 4) for name, seconds in medians.items()},
        "export_vs_copyfile": round(medians["copyfile"] / medians["export"], 3),
        "export_vs_chunked_copy": round(medians["chunked_copy"] / medians["export"], 3),
        # the export of recordings no earlier check vouches for (each hashed on its way), and the package's SHA-256
        # taken once it is ready (not on the regulator's clock)
        "export_hashing_vs_copyfile": round(medians["copyfile"] / medians["export_hashing"], 3),
        "package_digest_s": round(sorted(digests)[len(digests) // 2], 4),
        "from_disk_mb_per_s": {name: round(total / seconds / 1e6, 1) for name, seconds in cold.items()},
        "from_disk_export_vs_copyfile": round(cold["copyfile"] / cold["export"], 3),
        # what the export must do on top of copying, once per byte each: the recording's SHA-256 (checked against
        # the one taken at ingest), the zip entry's CRC-32, the package's SHA-256 (one core, in memory)
        "in_memory_mb_per_s": {
            name: round(total / samples[len(samples) // 2] / 1e6, 1) for name, samples in hash_samples.items()
        },
    }


def _timed(run: Callable[[], None], *, before: Callable[[], Any]) -> float:
    before()
    started = time.perf_counter()
    run()
    return time.perf_counter() - started
