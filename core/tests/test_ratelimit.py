"""Fixed-window counters shared by the portal and the API limits."""

import time

from core.ratelimit import count_action, current_usage


def test_the_busiest_key_decides_and_looking_counts_nothing() -> None:
    # given
    count_action(["a"], window_seconds=60)
    count_action(["a"], window_seconds=60)
    # when
    looked = current_usage(["a", "b"], window_seconds=60)
    counted = count_action(["a", "b"], window_seconds=60)
    # then
    assert looked.count == 2
    assert counted.count == 3
    assert current_usage(["b"], window_seconds=60).count == 1
    assert 0 < counted.retry_after <= 60


def test_nothing_counted_means_no_wait() -> None:
    assert current_usage(["never"], window_seconds=60).count == 0
    assert current_usage(["never"], window_seconds=60).retry_after == 0


def test_a_new_window_starts_from_zero() -> None:
    # given
    count_action(["short"], window_seconds=1)
    assert current_usage(["short"], window_seconds=1).count == 1
    # when
    time.sleep(1.2)
    # then
    assert current_usage(["short"], window_seconds=1).count == 0
    assert count_action(["short"], window_seconds=1).count == 1
