"""The benchmark's PostgreSQL database: created, migrated and filled once, reused while it holds the same rows.

Filling: the secondary indexes and the constraints that touch `telephony_call` and `recordings_recording` are
dropped (their definitions kept), both tables truncated and filled by COPY … FREEZE on two connections at once
(one call and one recording per generated row, rows made by worker processes), then every index and constraint
is put back exactly as it was, the identity sequences moved past the rows, and both tables analysed. A table
`bench_recordings_meta` records what was generated, so a rerun asking for the same rows reuses them.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from bench.recordings.rows import CALL_COLUMNS, RECORDING_COLUMNS, Shape, block

DATABASE = "bench_recordings"
GENERATOR = 1  # raise when rows.py generates something else: a kept database is then filled again
TABLES = ("telephony_call", "recordings_recording")
BLOCK_ROWS = 20_000

Say = Callable[[str], None]


def server_url() -> str:
    return os.environ.get("BENCH_RECORDINGS_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")


def database_url(server: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{DATABASE}"))


def generated_rows(server: str) -> int | None:
    """How many rows the kept database was filled with by this generator; None when there is none to reuse."""
    with psycopg.connect(server, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            return None
    with psycopg.connect(database_url(server), autocommit=True) as connection:
        if not connection.execute("SELECT to_regclass('bench_recordings_meta')").fetchone()[0]:
            return None
        row = connection.execute("SELECT rows, generator FROM bench_recordings_meta").fetchone()
    return int(row[0]) if row and row[1] == GENERATOR else None


def recreate(server: str) -> None:
    with psycopg.connect(server, autocommit=True) as connection:
        _end_sessions(connection)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(DATABASE)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))


def drop(server: str) -> None:
    with psycopg.connect(server, autocommit=True) as connection:
        _end_sessions(connection)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(DATABASE)))


def _end_sessions(connection: psycopg.Connection) -> None:
    """Sessions still open on the benchmark's own database (an earlier run that was interrupted)."""
    connection.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        [DATABASE],
    )


@dataclass
class Timings:
    copy_s: float = 0.0
    indexes_s: float = 0.0
    analyze_s: float = 0.0
    per_index_s: dict[str, float] = field(default_factory=dict)

    @property
    def total_s(self) -> float:
        return self.copy_s + self.indexes_s + self.analyze_s


@dataclass(frozen=True)
class Definition:
    table: str
    name: str
    kind: str  # "index" or "constraint"
    text: str

    def create(self) -> sql.Composable:
        if self.kind == "index":
            return sql.SQL(self.text)
        return sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
            sql.Identifier(self.table), sql.Identifier(self.name)
        ) + sql.SQL(self.text)

    def drop(self) -> sql.Composable:
        if self.kind == "index":
            return sql.SQL("DROP INDEX {}").format(sql.Identifier(self.name))
        return sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
            sql.Identifier(self.table), sql.Identifier(self.name)
        )


def fill(url: str, shape: Shape, say: Say) -> Timings:
    """Fill both tables with `shape.rows` generated rows; returns where the time went."""
    timings = Timings()
    with psycopg.connect(url, autocommit=True) as connection:
        definitions = _secondary_definitions(connection)
        for definition in reversed(definitions):  # foreign keys first, then unique constraints and indexes
            connection.execute(definition.drop())
    started = time.monotonic()
    _copy(url, shape, say)
    timings.copy_s = time.monotonic() - started
    say(f"  COPY of {shape.rows:,} calls and recordings: {timings.copy_s:.1f} s; indexes and constraints …")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SET maintenance_work_mem = '1GB'")
        for definition in definitions:
            begun = time.monotonic()
            connection.execute(definition.create())
            timings.per_index_s[definition.name] = round(time.monotonic() - begun, 2)
        timings.indexes_s = sum(timings.per_index_s.values())
        for table in TABLES:
            connection.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence({table}, 'id'), (SELECT max(id) FROM {name}))").format(
                    table=sql.Literal(table), name=sql.Identifier(table)
                )
            )
        begun = time.monotonic()
        for table in TABLES:
            connection.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
        timings.analyze_s = time.monotonic() - begun
    return timings


def _secondary_definitions(connection: psycopg.Connection) -> list[Definition]:
    """Indexes (not backing a constraint), then unique constraints, then foreign keys on or into both tables."""
    tables = list(TABLES)
    indexes = connection.execute(
        """
        SELECT i.tablename, i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ORDER BY i.tablename, i.indexname
        """,
        [tables],
    ).fetchall()
    constraints = connection.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid) FROM pg_constraint c
        WHERE (c.contype = 'u' AND c.conrelid = ANY(%s::regclass[]))
           OR (c.contype = 'f' AND (c.conrelid = ANY(%s::regclass[]) OR c.confrelid = ANY(%s::regclass[])))
        ORDER BY c.contype DESC, 1, 2
        """,
        [tables, tables, tables],
    ).fetchall()
    found = [Definition(table, name, "index", text) for table, name, text in indexes]
    found += [Definition(table, name, "constraint", text) for table, name, _kind, text in constraints]
    return found


def _copy(url: str, shape: Shape, say: Say) -> None:
    """Both tables at once, each by COPY FREEZE in its own transaction (truncated in it, so rows arrive frozen)."""
    statements = [
        sql.SQL("COPY {} ({}) FROM STDIN WITH (FREEZE)").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        for table, columns in zip(TABLES, (CALL_COLUMNS, RECORDING_COLUMNS), strict=True)
    ]
    with psycopg.connect(url) as calls, psycopg.connect(url) as recordings:
        for connection, table in zip((calls, recordings), TABLES, strict=True):
            connection.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(table)))
        with (
            calls.cursor().copy(statements[0]) as calls_copy,
            recordings.cursor().copy(statements[1]) as recordings_copy,
        ):
            done, last_said = 0, time.monotonic()
            for call_block, recording_block, count in _generated(shape):
                calls_copy.write(call_block)
                recordings_copy.write(recording_block)
                done += count
                if time.monotonic() - last_said >= 15:
                    say(f"  … {done:,} rows")
                    last_said = time.monotonic()
        calls.commit()
        recordings.commit()


def _generated(shape: Shape) -> Iterator[tuple[bytes, bytes, int]]:
    """Blocks in order, made by worker processes (one per core), a few blocks ahead of the COPY."""
    starts = range(0, shape.rows, BLOCK_ROWS)
    workers = max(1, min(os.cpu_count() or 1, len(starts)))
    if workers == 1:
        for start in starts:
            yield _block(shape, start)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[tuple[bytes, bytes, int]]] = deque()
        queued = iter(starts)
        for start in queued:
            pending.append(pool.submit(_block, shape, start))
            if len(pending) >= 2 * workers:
                break
        while pending:
            yield pending.popleft().result()
            start = next(queued, None)
            if start is not None:
                pending.append(pool.submit(_block, shape, start))


def _block(shape: Shape, start: int) -> tuple[bytes, bytes, int]:
    count = min(BLOCK_ROWS, shape.rows - start)
    calls, recordings = block(shape, start=start, count=count)
    return calls, recordings, count


def write_meta(url: str, shape: Shape, timings: Timings) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS bench_recordings_meta (rows bigint, generator int, generated_at timestamptz,"
            " first_day date, days int, copy_s float, indexes_s float, analyze_s float, per_index_s jsonb)"
        )
        connection.execute("DELETE FROM bench_recordings_meta")
        connection.execute(
            "INSERT INTO bench_recordings_meta VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                shape.rows,
                GENERATOR,
                shape.generated_at,
                shape.first_day,
                shape.days,
                timings.copy_s,
                timings.indexes_s,
                timings.analyze_s,
                Jsonb(timings.per_index_s),
            ],
        )


def read_meta(url: str) -> dict:
    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute("SELECT * FROM bench_recordings_meta")
        names = [column.name for column in cursor.description or []]
        row = cursor.fetchone()
    return dict(zip(names, row, strict=True)) if row else {}


def table_sizes(url: str) -> dict[str, int]:
    """Bytes on disk per table, indexes included."""
    with psycopg.connect(url, autocommit=True) as connection:
        return {
            table: int(connection.execute("SELECT pg_total_relation_size(%s)", [table]).fetchone()[0])
            for table in TABLES
        }
