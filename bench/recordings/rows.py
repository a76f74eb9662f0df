"""Generated archive rows: per row one ended call and its recording, as PostgreSQL COPY text, the same for a seed.

Callers: a few million E.164 numbers of Kazakh mobile operators (+7 7xx), a fifth of calls from a smaller set of
frequent callers. Calls: over `days` local (Almaty) days, most in the working day (08:00–20:00), some at night, so
some cross midnight; durations 30 s–20 min, log-normal around 3½ minutes; one in ten ends in the voice menu (no
consultant). Recording sizes are what the SIP edge writes (8 kHz mono 16-bit WAV); the files themselves do not
exist (only the benchmark's typical request reads files).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import lru_cache
from zoneinfo import ZoneInfo

PREFIXES = ("700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778")
PHONES = 3_000_000
FREQUENT_CALLERS = 50_000
FREQUENT_SHARE = 0.2
_SCRAMBLE = 7_654_321  # coprime with 10**7: spreads consecutive indexes over the operator's numbers

WAV_HEADER_BYTES = 44
SAMPLE_RATE = 8000  # mono, 16-bit
VERIFY_WALK_DAYS = 35  # RECORDINGS_VERIFY_BATCH=2000 every 10 minutes walks 10M recordings in about 35 days

CALL_COLUMNS = (
    "id",
    "edge_id",
    "call_id",
    "caller_phone",
    "dialled",
    "language",
    "state",
    "outcome",
    "offered_at",
    "queued_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "ended_by",
    "consultant_id",
    "transfer_pending",
    "rating",
    "control_url",
    "created_at",
    "updated_at",
)
RECORDING_COLUMNS = (
    "id",
    "call_id",
    "source_ref",
    "file",
    "sha256",
    "size_bytes",
    "duration_seconds",
    "audio_format",
    "caller_phone",
    "consultant_id",
    "started_at",
    "ended_at",
    "received_at",
    "category",
    "is_intact",
    "verified_at",
    "legal_hold",
    "deleted_at",
    "crc32",
    "verified_fingerprint",
)


def phone(index: int) -> str:
    """The `index`-th caller's number (0 <= index < PHONES), all distinct."""
    prefix = PREFIXES[index % len(PREFIXES)]
    return f"+7{prefix}{(index // len(PREFIXES)) * _SCRAMBLE % 10_000_000:07d}"


@dataclass(frozen=True)
class Shape:
    rows: int
    first_day: date  # the local (Almaty) day of the earliest calls
    days: int
    edge_id: int
    consultant_ids: tuple[int, ...]
    generated_at: datetime
    seed: int = 1414
    time_zone: str = "Asia/Almaty"


class _Clock:
    """Epoch seconds to COPY text, with tables instead of datetime objects (10M rows × 9 timestamps)."""

    def __init__(self, shape: Shape) -> None:
        zone = ZoneInfo(shape.time_zone)
        self.midnights = [
            int(datetime.combine(shape.first_day + timedelta(days=d), clock.min, tzinfo=zone).timestamp())
            for d in range(shape.days)
        ]
        self.folders = [f"{shape.first_day + timedelta(days=d):%Y/%m/%d}" for d in range(shape.days)]
        self.base_day = self.midnights[0] // 86400 - 1
        last = (int(shape.generated_at.timestamp()) // 86400) + 2
        self.dates = [f"{datetime.fromtimestamp(day * 86400, UTC):%Y-%m-%d} " for day in range(self.base_day, last + 1)]
        self.times = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(86400)]

    def text(self, epoch: int) -> str:
        return self.dates[epoch // 86400 - self.base_day] + self.times[epoch % 86400]


@lru_cache(maxsize=2)
def _clock(shape: Shape) -> _Clock:
    return _Clock(shape)


def block(shape: Shape, *, start: int, count: int) -> tuple[bytes, bytes]:
    """COPY text of the calls and of the recordings with ids start + 1 … start + count (the same for a seed)."""
    timestamps = _clock(shape)
    now = int(shape.generated_at.timestamp())
    verified_before = now - VERIFY_WALK_DAYS * 86400
    consultants = [str(pk) for pk in shape.consultant_ids]
    rng = random.Random(shape.seed * 1_000_003 + start)
    calls: list[str] = []
    recordings: list[str] = []
    for pk in range(start + 1, start + count + 1):
        call, recording = _row(rng, pk, shape, timestamps, consultants, now, verified_before)
        calls.append(call)
        recordings.append(recording)
    return "".join(calls).encode(), "".join(recordings).encode()


def _row(
    rng: random.Random,
    pk: int,
    shape: Shape,
    timestamps: _Clock,
    consultants: list[str],
    now: int,
    verified_before: int,
) -> tuple[str, str]:
    random_ = rng.random
    if random_() < FREQUENT_SHARE:
        caller = phone(int(random_() * FREQUENT_CALLERS) * (PHONES // FREQUENT_CALLERS))
    else:
        caller = phone(int(random_() * PHONES))
    day = int(random_() * shape.days)
    second_of_day = 28800 + int(random_() * 43200) if random_() < 0.85 else int(random_() * 86400)
    started = timestamps.midnights[day] + second_of_day
    duration = min(1200.0, max(30.0, math.exp(5.3 + 0.75 * rng.gauss(0.0, 1.0))))
    ended = started + int(duration) + 1
    received = ended + 2 + int(random_() * 30)
    started_text, ended_text = timestamps.text(started), timestamps.text(ended)
    sha256 = rng.randbytes(32).hex()
    verified = timestamps.text(now - int(random_() * VERIFY_WALK_DAYS * 86400)) if ended < verified_before else r"\N"
    if random_() < 0.9:
        consultant = consultants[int(random_() * len(consultants))]
        queued = started + 20 + int(random_() * 40)
        wait = random_() * 120
        answered = timestamps.text(queued + int(wait))
        rating = str(1 + int(random_() * 5)) if random_() < 0.3 else r"\N"
        call_tail = f"answered\t{started_text}\t{timestamps.text(queued)}\t{answered}\t{ended_text}\t{wait:.1f}"
        category = "conversation"
    else:
        consultant, rating, category = r"\N", r"\N", "menu_only"
        call_tail = f"ended_in_ivr\t{started_text}\t\\N\t\\N\t{ended_text}\t\\N"
    language = "kk" if random_() < 0.6 else "ru"
    call = (
        f"{pk}\t{shape.edge_id}\tcall-{pk}\t{caller}\t1414\t{language}\tended\t{call_tail}\tcaller\t{consultant}"
        f"\tf\t{rating}\t\t{started_text}\t{ended_text}\n"
    )
    recording = (
        f"{pk}\t{pk}\tbench-edge:call-{pk}:recording\trecordings/{timestamps.folders[day]}/{pk}-{sha256[:16]}.wav"
        f"\t{sha256}\t{WAV_HEADER_BYTES + int(duration * SAMPLE_RATE) * 2}\t{duration:.3f}\twav"
        f"\t{caller}\t{consultant}\t{started_text}\t{ended_text}\t{timestamps.text(received)}\t{category}\tt"
        f"\t{verified}\tf\t\\N\t\\N\t\n"
    )
    return call, recording
