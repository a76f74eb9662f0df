"""Working-day calendar of Kazakhstan, in Asia/Almaty, for statutory clocks."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _kazakhstan_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("KZ", years=year)


def is_working_day(day: date) -> bool:
    """Monday to Friday except holidays and the days off they were moved to; a Saturday the government made a
    working day (a moved day, e.g. 4 May 2024) is one."""
    return bool(_kazakhstan_holidays(day.year).is_working_day(day))


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
