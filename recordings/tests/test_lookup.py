"""Finding recordings by the citizen's phone and the day, as a regulator's request names them."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from recordings.selectors import recordings_for

ALMATY = ZoneInfo("Asia/Almaty")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ALMATY)


@pytest.mark.parametrize(
    "spelling",
    [
        "+7 701 123 45 67",
        "8 701 123 45 67",
        "77011234567",
        "87011234567",
        "7011234567",
        "+7-701-123-45-67",
        "8 (701) 123-45-67",
    ],
)
def test_any_spelling_of_the_phone_finds_the_recording(make_recording, spelling):
    # given a call from the number, recorded on 20 November
    recording = make_recording("87011234567", at(20, 10), at(20, 10, 5))
    # when it is looked up with the number written another way
    found = list(recordings_for(spelling, date(2026, 11, 20)))
    # then it is found
    assert found == [recording]


def test_only_the_day_and_the_number_asked_are_returned(make_recording):
    # given calls from the number on three days and one from another number on the day asked
    make_recording("+77011234567", at(19, 12), at(19, 12, 3))
    wanted = make_recording("+77011234567", at(20, 0, 0), at(20, 0, 4))
    late = make_recording("+77011234567", at(20, 23, 50), at(20, 23, 58))
    make_recording("+77011234567", at(21, 0, 1), at(21, 0, 3))
    make_recording("+77019999999", at(20, 12), at(20, 12, 3))
    # when the day is asked
    found = list(recordings_for("+7 701 123 45 67", date(2026, 11, 20)))
    # then that day's calls of that number, in order
    assert found == [wanted, late]


def test_the_day_is_the_almaty_day_not_the_utc_one(make_recording):
    # given a call at 02:00 Almaty time on 21 November (20:00 UTC on the 20th)
    recording = make_recording("+77011234567", at(21, 2), at(21, 2, 5))
    # then it belongs to the 21st, not the 20th
    assert list(recordings_for("+77011234567", date(2026, 11, 21))) == [recording]
    assert list(recordings_for("+77011234567", date(2026, 11, 20))) == []


def test_a_call_crossing_midnight_counts_on_both_days(make_recording):
    # given a call from 23:55 on the 20th to 00:07 on the 21st, Almaty time
    recording = make_recording("+77011234567", at(20, 23, 55), at(21, 0, 7))
    # then a request for either day finds it, and neither neighbouring day does
    assert list(recordings_for("87011234567", date(2026, 11, 20))) == [recording]
    assert list(recordings_for("87011234567", date(2026, 11, 21))) == [recording]
    assert list(recordings_for("87011234567", date(2026, 11, 19))) == []
    assert list(recordings_for("87011234567", date(2026, 11, 22))) == []


def test_a_call_ending_exactly_at_midnight_is_not_on_the_next_day(make_recording):
    recording = make_recording("+77011234567", at(20, 23, 50), at(21, 0, 0))
    assert list(recordings_for("+77011234567", date(2026, 11, 20))) == [recording]
    assert list(recordings_for("+77011234567", date(2026, 11, 21))) == []


def test_no_match_is_an_honest_empty_result(make_recording):
    # given a recording of another number
    make_recording("+77019999999", at(20, 10), at(20, 10, 5))
    # then asking for a number with no calls gives nothing, not an error
    assert list(recordings_for("+7 701 123 45 67", date(2026, 11, 20))) == []


def test_a_phone_that_is_not_one_is_refused(db):
    with pytest.raises(ValidationError):
        recordings_for("call me", date(2026, 11, 20))
