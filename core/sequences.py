"""Registration numbers counted per year: one counter row a year, locked while a number is taken."""

from __future__ import annotations

from typing import Any


def take_next_in_year(model: Any, *, year: int) -> int:
    """The year's next value from `model` (fields `year` unique, `last_value`), inside the caller's transaction.

    One statement reads and locks the year's row (a new year's row is created, and so locked, by the insert); the lock
    holds until the registration commits, so numbers are neither skipped nor given twice.
    """
    sequence, _created = model.objects.select_for_update().get_or_create(year=year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return int(sequence.last_value)
