"""Kazakhstan's working days in Asia/Almaty: weekends, holidays, and the days moved between them."""

from datetime import date

from core.calendar import add_working_days, is_working_day


def test_holidays_and_weekends_are_not_working_days():
    assert not is_working_day(date(2026, 12, 16))  # Independence Day
    assert not is_working_day(date(2026, 12, 12))  # a Saturday
    assert is_working_day(date(2026, 12, 15))


def test_moved_days_count_both_ways():
    # given the transfer of 2024: Saturday 4 May worked, Wednesday 8 May off instead
    assert is_working_day(date(2024, 5, 4))
    assert not is_working_day(date(2024, 5, 8))
    # then a period that starts on Friday 3 May counts the working Saturday, then skips Defender's Day (7 May),
    # the moved day off (8 May) and Victory Day (9 May)
    assert add_working_days(date(2024, 5, 3), 1) == date(2024, 5, 4)
    assert add_working_days(date(2024, 5, 3), 2) == date(2024, 5, 6)
    assert add_working_days(date(2024, 5, 3), 3) == date(2024, 5, 10)
