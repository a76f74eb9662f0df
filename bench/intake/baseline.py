"""The baseline: the Appeal and InboundMessage rows a run produced, inserted bare into a fresh schema.

The schema `bench_bare` gets copies of both tables (`LIKE … INCLUDING ALL`: same columns, defaults, indexes and
checks; no foreign keys), and the rows go in twice per method, the faster run counted: Django's `bulk_create`
(batches of 500, one transaction; `search_path` pointed at the schema) and COPY. No parsing, no files, no audit,
no locks, no queue: what the database alone takes for the same rows.
"""

from __future__ import annotations

import time
from typing import Any

SCHEMA = "bench_bare"
REPEAT = 3


def bare_inserts(*, messages: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from appeals.models import Appeal
    from intake.models import InboundMessage

    models = (Appeal, InboundMessage)
    instances = {model: list(model.objects.order_by("pk")) for model in models}
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        for table in tables:
            cursor.execute(f"CREATE TABLE {SCHEMA}.{table} (LIKE public.{table} INCLUDING ALL)")

    def empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(f'{SCHEMA}.{table}' for table in tables)}")

    def with_bulk_create() -> float:
        empty()
        started = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL search_path TO {SCHEMA}")
            for model in models:
                model.objects.bulk_create(instances[model], batch_size=500)
        return time.perf_counter() - started

    def values(item: Any) -> tuple[Any, ...]:
        return tuple(
            field.get_db_prep_save(getattr(item, field.attname), connection) for field in item._meta.concrete_fields
        )

    rows = {model: [values(item) for item in instances[model]] for model in models}

    def with_copy() -> float:
        empty()
        started = time.perf_counter()
        with transaction.atomic():
            raw = connection.connection
            with raw.cursor() as cursor:  # type: ignore[union-attr]
                for model in models:
                    columns = ", ".join(f'"{field.column}"' for field in model._meta.concrete_fields)
                    with cursor.copy(f"COPY {SCHEMA}.{model._meta.db_table} ({columns}) FROM STDIN") as copy:
                        for row in rows[model]:
                            copy.write_row(row)
        return time.perf_counter() - started

    bulk = min(with_bulk_create() for _ in range(REPEAT))
    copied = min(with_copy() for _ in range(REPEAT))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
    row_count = sum(len(instances[model]) for model in models)
    return {
        "rows": {model._meta.label: len(instances[model]) for model in models},
        "bulk_create_s": round(bulk, 4),
        "copy_s": round(copied, 4),
        "bare_inserts_per_s": round(messages / bulk, 1),
        "bare_copy_per_s": round(messages / copied, 1),
        "rows_per_s_bulk_create": round(row_count / bulk, 1),
        "method": "bulk_create, batches of 500, one transaction, best of 3 (COPY beside it)",
    }
