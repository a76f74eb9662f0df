"""Look-up by date + phone at scale: `recordings.selectors.request_matches`, the query a regulator's request runs.

Pairs are drawn from the generated rows: half a recorded call's (phone, Almaty day), half the phone of another
recorded call on a random day of the archive (almost never a call of theirs, so the answer is empty), shuffled;
phones are given in the spellings people write. Each look-up is timed through the ORM, rows built, as `_match`
takes them (each recording's id and `deleted_at`); beside it, the same look-up building whole recordings with their
call and consultant joined (`recordings_for` with `select_related`, as `_match` took them before). Then the
plan of one look-up (EXPLAIN ANALYZE), and the plans of the archive's other queries over the whole table (the
integrity walk's batch, retention), which run on a schedule.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from typing import Any

from bench.search.metrics import percentiles

SPELLINGS = (
    lambda e164: e164,
    lambda e164: f"8 {e164[2:5]} {e164[5:8]} {e164[8:10]} {e164[10:]}",
    lambda e164: f"+7 ({e164[2:5]}) {e164[5:8]}-{e164[8:10]}-{e164[10:]}",
    lambda e164: e164[2:],
)


def sample_pairs(*, rows: int, count: int, first_day: date, days: int, seed: int) -> list[tuple[str, date]]:
    from django.db import connection
    from django.utils import timezone

    rng = random.Random(seed)
    ids = rng.sample(range(1, rows + 1), min(rows, count))
    with connection.cursor() as cursor:
        cursor.execute("SELECT caller_phone, started_at FROM recordings_recording WHERE id = ANY(%s)", [ids])
        found = cursor.fetchall()
    rng.shuffle(found)
    half = len(found) // 2
    pairs = [(phone, timezone.localdate(started)) for phone, started in found[:half]]
    pairs += [(phone, first_day + timedelta(days=rng.randrange(days))) for phone, _started in found[half:]]
    rng.shuffle(pairs)
    return [(rng.choice(SPELLINGS)(phone), day) for phone, day in pairs]


def time_lookups(pairs: list[tuple[str, date]], *, warm_up: int = 50) -> dict[str, Any]:
    from recordings.selectors import request_matches

    for phone, day in pairs[:warm_up]:
        list(request_matches(phone, day))
    hits: list[float] = []
    misses: list[float] = []
    found_rows = 0
    example: tuple[str, str] | None = None
    cpu_started = time.process_time()
    for phone, day in pairs:
        started = time.perf_counter()
        found = list(request_matches(phone, day))
        elapsed = (time.perf_counter() - started) * 1000
        (hits if found else misses).append(elapsed)
        found_rows += len(found)
        example = example or ((phone, day.isoformat()) if found else None)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / len(pairs)
    every = percentiles(hits + misses)
    return {
        "lookups": len(pairs),
        "p50_ms": every["p50"],
        "p99_ms": every["p99"],
        "max_ms": round(max(hits + misses), 3),
        "found": {"lookups": len(hits), **percentiles(hits)},
        "empty": {"lookups": len(misses), **percentiles(misses)},
        "rows_returned": found_rows,
        "example_with_calls": example,
        # this process's CPU per look-up (ORM: phone, query compiled, rows to objects); wall minus it is the
        # database, the socket, and waiting for a core
        "cpu_ms_per_lookup": round(cpu_ms, 3),
        "sql_only": _sql_only(pairs),
        "full_rows_with_joins": _full_rows_with_joins(pairs),
    }


def _full_rows_with_joins(pairs: list[tuple[str, date]]) -> dict[str, float]:
    """The look-up building whole recordings with `select_related("call", "consultant")` (about 65 columns), as
    `_match` took them before it read only each row's id and `deleted_at` (after the other passes)."""
    from recordings.selectors import recordings_for

    samples = []
    for phone, day in pairs:
        started = time.perf_counter()
        list(recordings_for(phone, day).select_related("call", "consultant"))
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def _sql_only(pairs: list[tuple[str, date]]) -> dict[str, float]:
    """The same SQL for the same pairs, compiled beforehand, through a raw cursor (after the ORM pass)."""
    from django.db import connection

    from recordings.selectors import request_matches

    compiled = [request_matches(phone, day).query.sql_with_params() for phone, day in pairs]
    samples = []
    with connection.cursor() as cursor:
        for statement, parameters in compiled:
            started = time.perf_counter()
            cursor.execute(statement, parameters)
            cursor.fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def lookup_plan(phone: str, day: date) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of one look-up, and which of the table's indexes it uses."""
    from recordings.selectors import request_matches

    plan = request_matches(phone, day).explain(analyze=True, buffers=True)
    return {"plan": plan, **_index_use(plan)}


def _index_use(plan: str) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'recordings_recording'")
        names = [name for (name,) in cursor.fetchall()]
    used = sorted(name for name in names if name in plan)
    return {"indexes_used": used, "seq_scan": "Seq Scan on recordings_recording" in plan}


def other_queries(*, runs: int = 3) -> dict[str, Any]:
    """The scheduled queries over the whole table, built as their services build them (not run: they would
    verify or delete files): the integrity walk's next batch (`verify_due_recordings`, every 10 minutes) and a
    retention pass (`apply_retention`, hourly)."""
    from django.conf import settings
    from django.utils import timezone

    from core.policy import policy
    from recordings.choices import RETENTION_POLICY
    from recordings.models import Recording
    from recordings.selectors import never_verified, verified_longest_ago

    # `due_for_verification` runs the first, then the second for the rest of the batch
    batch = settings.RECORDINGS_VERIFY_BATCH
    now = timezone.now()
    retention = {
        category: Recording.objects.kept()
        .filter(category=category, legal_hold=False, ended_at__lt=now - timedelta(days=int(policy(setting))))
        .values_list("pk", flat=True)
        for category, setting in RETENTION_POLICY.items()
        if int(policy(setting)) > 0
    }
    figures: dict[str, Any] = {
        "verify_batch_never_checked": _timed_query(never_verified(batch), runs),
        "verify_batch_checked_longest_ago": _timed_query(verified_longest_ago(batch), runs),
    }
    for category, query in retention.items():
        figures[f"retention_{category}"] = _timed_query(query, runs)
    return figures


def _timed_query(query: Any, runs: int) -> dict[str, Any]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        list(query.all())  # a fresh queryset each time: a run is not served from the last one's cache
        samples.append((time.perf_counter() - started) * 1000)
    plan = query.explain()
    return {"median_ms": round(sorted(samples)[len(samples) // 2], 1), "plan": plan, **_index_use(plan)}
