"""Recordings archive benchmark: look-up by date + phone at 10M rows, a typical request to a ready package, export.

    .venv/bin/python bench/recordings/run.py [--rows 10000000] [--lookups 4000] [--requests 3] [--rounds 7]
                                             [--fresh] [--drop] [--json]

Sets Django up itself with production settings (DEBUG=False, no Celery broker: the request's tasks run
in-process, as `CELERY_TASK_ALWAYS_EAGER` does without one; e-mail to the local memory backend; MEDIA_ROOT and the
center's signing key, made by `recordings.signing.write_self_signed`, under a temporary directory) on the
PostgreSQL database `bench_recordings` of the server BENCH_RECORDINGS_POSTGRES names (default
postgres://postgres@127.0.0.1:5432/postgres; its maintenance database, to create and drop ours). The database is
created, migrated and filled with `--rows` generated calls and their recordings (bench/recordings/rows.py) by
COPY, and kept: a rerun asking for the same number of rows reuses it (migrating it first), one asking for
another number, or with `--fresh`, fills it again; `--drop` drops it at the end. Each run adds its typical
request's five calls (a few rows) beside the generated ones.

Measures: the look-up a regulator's request runs (`recordings.selectors.request_matches`, through the ORM) over
`--lookups` (day, phone) pairs, half with calls and half without, p50/p99 with its plan; the time from filing a
typical request (five 5-minute WAV recordings, one across midnight) to its package ready, through
`recordings.regulator_requests` (file, confirm, build) with each phase; the export's throughput
(`recordings.export.write_package`) against `shutil.copyfile` of the same recording bytes. Targets (issue 5):
look-up p99 <= 10 ms, package ready <= 60 s, export >= 0.8 of a plain copy.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from contextlib import redirect_stdout
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.recordings import database  # noqa: E402
from bench.recordings.rows import Shape  # noqa: E402

TARGETS = {"lookup_p99_ms": 10.0, "package_ready_s": 60.0, "export_vs_copy": 0.8}
ARCHIVE_DAYS = 3 * 365
CONSULTANTS = 200


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="generated recordings (and calls)")
    parser.add_argument("--lookups", type=int, default=4000, help="(day, phone) look-ups timed")
    parser.add_argument("--requests", type=int, default=3, help="typical requests filed one after another")
    parser.add_argument("--rounds", type=int, default=7, help="rounds of export and copies")
    parser.add_argument("--fresh", action="store_true", help="fill the database again even if it holds --rows")
    parser.add_argument("--drop", action="store_true", help="drop the benchmark's database at the end")
    parser.add_argument("--seed", type=int, default=1414)
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    arguments = parser.parse_args()
    if arguments.rows < 2 or arguments.lookups < 2 or arguments.requests < 1 or arguments.rounds < 1:
        parser.error("--rows and --lookups take at least 2, --requests and --rounds at least 1")
    return arguments


def set_up_django(workdir: Path, url: str) -> None:
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.update(
        DEBUG="False",
        SECRET_KEY="bench-recordings-" + secrets.token_hex(24),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=url,
        MEDIA_ROOT=str(workdir / "media"),
        SEARCH_INDEX_DIR=str(workdir / "index"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        RECORDINGS_SIGNING_KEY_FILE=str(workdir / "center.key"),
        RECORDINGS_SIGNING_CERT_FILE=str(workdir / "center.pem"),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    import django

    django.setup()
    from recordings.signing import write_self_signed

    write_self_signed(workdir / "center.key", workdir / "center.pem", common_name="Bailanys benchmark contact center")


def prepare_database(arguments: argparse.Namespace, say: Any) -> dict[str, Any]:
    """The database holding --rows generated rows: reused when it already does, else created and filled."""
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    server = database.server_url()
    url = database.database_url(server)
    kept = None if arguments.fresh else database.generated_rows(server)
    reused = kept == arguments.rows
    if not reused:
        say(f"database {database.DATABASE}: create, migrate, fill with {arguments.rows:,} rows …")
        database.recreate(server)
    started = time.monotonic()
    with redirect_stdout(io.StringIO()):
        call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.monotonic() - started
    if reused:
        say(f"database {database.DATABASE}: reusing its {arguments.rows:,} rows (migrated in {migrate_s:.1f} s)")
        return {"reused": True, "migrate_s": round(migrate_s, 1), **database.read_meta(url)}
    from bench.recordings.package import create_consultants

    edge_id, consultant_ids = create_consultants(CONSULTANTS)
    connections.close_all()
    today = timezone.localdate()
    shape = Shape(
        rows=arguments.rows,
        first_day=today - timedelta(days=ARCHIVE_DAYS),
        days=ARCHIVE_DAYS,
        edge_id=edge_id,
        consultant_ids=consultant_ids,
        generated_at=datetime.now(UTC),
        seed=arguments.seed,
    )
    timings = database.fill(url, shape, say)
    database.write_meta(url, shape, timings)
    say(
        f"  filled in {timings.total_s:.1f} s (COPY {timings.copy_s:.1f} s, indexes and constraints "
        f"{timings.indexes_s:.1f} s, ANALYZE {timings.analyze_s:.1f} s)"
    )
    return {"reused": False, "migrate_s": round(migrate_s, 1), **database.read_meta(url)}


def run(arguments: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    def say(message: str) -> None:
        if not arguments.json:
            print(message, flush=True)

    url = database.database_url(database.server_url())
    set_up_django(workdir, url)
    generation = prepare_database(arguments, say)
    from bench.recordings import lookup

    rng = random.Random(arguments.seed)
    say(f"look-ups: {arguments.lookups} (day, phone) pairs …")
    pairs = lookup.sample_pairs(
        rows=arguments.rows,
        count=arguments.lookups,
        first_day=generation["first_day"],
        days=generation["days"],
        seed=arguments.seed,
    )
    lookups = lookup.time_lookups(pairs)
    phone, day = lookups["example_with_calls"] or (pairs[0][0], pairs[0][1].isoformat())
    plan = lookup.lookup_plan(phone, date.fromisoformat(day))
    say("typical request: five 5-minute recordings, filed, confirmed, packaged …")
    typical = typical_requests(arguments, rng, workdir)
    say("other queries over the whole table …")
    others = lookup.other_queries()
    report: dict[str, Any] = {
        "rows": arguments.rows,
        "lookup_p50_ms": lookups["p50_ms"],
        "lookup_p99_ms": lookups["p99_ms"],
        "package_ready_s": max(request["ready_s"] for request in typical["requests"]),
        "export_vs_copy": typical["export"]["export_vs_copyfile"],
        "generation_s": None if generation["reused"] else round(_generation_s(generation), 1),
        "generation": {key: str(value) if key == "generated_at" else value for key, value in generation.items()},
        "lookup": lookups,
        "lookup_plan": plan,
        "requests": typical["requests"],
        "export": typical["export"],
        "other_queries": others,
        "setup": setup_figures(url),
    }
    report["targets"] = {
        "lookup_p99_ms": report["lookup_p99_ms"] <= TARGETS["lookup_p99_ms"],
        "package_ready_s": report["package_ready_s"] <= TARGETS["package_ready_s"],
        "export_vs_copy": report["export_vs_copy"] >= TARGETS["export_vs_copy"],
    }
    return report


def _generation_s(generation: dict[str, Any]) -> float:
    return float(generation["copy_s"] + generation["indexes_s"] + generation["analyze_s"])


def typical_requests(arguments: argparse.Namespace, rng: random.Random, workdir: Path) -> dict[str, Any]:
    from django.utils import timezone

    from bench.recordings import package

    cast = package.set_up_cast()
    phone = package.unused_phone(rng)
    day = timezone.localdate() - timedelta(days=1)
    tag = f"{datetime.now(UTC):%Y%m%d%H%M%S}-{rng.randrange(10**6):06d}"
    recordings = package.store_typical_calls(cast, phone=phone, day=day, tag=tag, seed=rng.randrange(10**6))
    requests = [
        package.typical_request(cast, phone=phone, day=day, recordings=recordings, number=f"BENCH-{tag}-{index}")
        for index in range(arguments.requests)
    ]
    export = package.export_vs_copy(requests[-1]["request_id"], recordings, rounds=arguments.rounds, workdir=workdir)
    return {"requests": requests, "export": export}


def setup_figures(url: str) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
        cursor.execute("SHOW shared_buffers")
        (shared_buffers,) = cursor.fetchone()
    return {
        "database": database.DATABASE,
        "postgresql": version,
        "shared_buffers": shared_buffers,
        "table_bytes": database.table_sizes(url),
        "cores": os.cpu_count(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def print_report(report: dict[str, Any]) -> None:
    generation, setup, lookups = report["generation"], report["setup"], report["lookup"]
    sizes = setup["table_bytes"]
    made = (
        f"reused (generated {generation['generated_at'][:19]} in {_generation_s(generation):.0f} s)"
        if generation["reused"]
        else f"generated in {report['generation_s']:.0f} s"
    )
    print(
        f"\n{report['rows']:,} recordings and their calls in PostgreSQL {setup['postgresql']} "
        f"(shared_buffers {setup['shared_buffers']}), {made}: COPY {generation['copy_s']:.0f} s, "
        f"indexes and constraints {generation['indexes_s']:.0f} s, ANALYZE {generation['analyze_s']:.0f} s; "
        f"recordings {sizes['recordings_recording'] / 1e9:.1f} GB, calls {sizes['telephony_call'] / 1e9:.1f} GB "
        f"with indexes; {setup['cores']} cores, load average {setup['load_average'][0]}"
    )
    slowest = sorted((generation.get("per_index_s") or {}).items(), key=lambda item: -item[1])[:4]
    if slowest:
        print("  slowest indexes and constraints: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in slowest))
    verdict = {name: "met" if ok else "NOT met" for name, ok in report["targets"].items()}
    print(f"\n{'':<34}{'figure':>28}  {'target':>8}")
    _row("look-up by date + phone", _p50_p99(report["lookup_p50_ms"], report["lookup_p99_ms"]), "<= 10 ms")
    print(f"  {verdict['lookup_p99_ms']}")
    for label, key in (("with calls", "found"), ("without calls", "empty")):
        part = lookups[key]
        _row(f"  {label} ({part['lookups']})", _p50_p99(part["p50"], part["p99"]))
        print()
    sql_only = lookups["sql_only"]
    _row("  same SQL, raw cursor", _p50_p99(sql_only["p50"], sql_only["p99"]))
    print(f"  (ORM look-up: {lookups['cpu_ms_per_lookup']:.2f} ms of this process's CPU each)")
    full = lookups["full_rows_with_joins"]
    _row("  whole rows, call and consultant", _p50_p99(full["p50"], full["p99"]))
    print("  (as _match took them before reading only each row's id and deleted_at)")
    _row("package ready (5 x 5 min, worst)", f"{report['package_ready_s']:.2f} s", "<= 60 s")
    print(f"  {verdict['package_ready_s']}")
    _row("  each request", ", ".join(f"{request['ready_s']:.2f}" for request in report["requests"]) + " s")
    print()
    export = report["export"]
    _row("export / shutil.copyfile", f"{report['export_vs_copy']:.2f}", ">= 0.8")
    print(f"  {verdict['export_vs_copy']}")
    speeds, disk, hashing = export["mb_per_s"], export["from_disk_mb_per_s"], export["in_memory_mb_per_s"]
    _row("  MB/s, page cache", f"export {speeds['export']:.0f}, copyfile {speeds['copyfile']:.0f}")
    print(
        f"  (Python 1 MiB chunked copy {speeds['chunked_copy']:.0f}: export at {export['export_vs_chunked_copy']:.2f}"
        f"; {export['bytes'] / 1e6:.1f} MB, median of {export['rounds']})"
    )
    _row("  MB/s, sources from disk", f"export {disk['export']:.0f}, copyfile {disk['copyfile']:.0f}")
    print(f"  (ratio {export['from_disk_export_vs_copyfile']:.2f})")
    _row("  MB/s in memory, one core", f"SHA-256 {hashing['sha256']:.0f}, CRC-32 {hashing['crc32']:.0f}")
    print("  (recordings checked at the request's filing are copied in the kernel, not read again)")
    _row("  with no check trusted", f"export {speeds['export_hashing']:.0f} MB/s")
    print(f"  (every byte SHA-256'd and CRC-32'd on its way: {export['export_hashing_vs_copyfile']:.2f} of copyfile)")
    _row("  package SHA-256, after ready", f"{export['package_digest_s'] * 1000:.1f} ms")
    first = report["requests"][0]
    print(
        f"\nwhere a request's time goes (first request, s): filing {first['registration_s']:.3f}, confirmation to "
        f"ready {first['confirmation_to_ready_s']:.3f}; of the whole: "
        + ", ".join(f"{name} {seconds:.3f}" for name, seconds in first["phases_s"].items())
        + f"; package {first['package_bytes'] / 1e6:.1f} MB"
    )
    plan = report["lookup_plan"]
    uses = ", ".join(plan["indexes_used"]) or "NO INDEX"
    print(f"\nplan of one look-up (indexes used: {uses}{'; SEQUENTIAL SCAN' if plan['seq_scan'] else ''}):")
    print("  " + plan["plan"].replace("\n", "\n  "))
    print("\nother queries over the whole table (built as the services build them):")
    for name, query in report["other_queries"].items():
        uses = ", ".join(query["indexes_used"]) or "no index"
        scan = "; sequential scan" if query["seq_scan"] else ""
        print(f"  {name}: {query['median_ms']:.0f} ms ({uses}{scan})")
        print("    " + query["plan"].replace("\n", "\n    "))


def _row(label: str, figure: str, target: str = "") -> None:
    print(f"{label:<34}{figure:>28}" + (f"  {target:>8}" if target else ""), end="")


def _p50_p99(p50: float, p99: float) -> str:
    return f"p50 {p50:.2f} / p99 {p99:.2f} ms"


def main() -> int:
    arguments = parse_arguments()
    workdir = Path(tempfile.mkdtemp(prefix="bench_recordings_"))
    try:
        report = run(arguments, workdir)
    finally:
        if "django.db" in sys.modules:
            from django.conf import settings

            if settings.configured:
                from django.db import connections

                connections.close_all()
        shutil.rmtree(workdir, ignore_errors=True)
        if arguments.drop:
            database.drop(database.server_url())
    if arguments.json:
        print(json.dumps(report, default=str))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
