"""Queue figures against clause 7, computed from calls folded from real events."""

from datetime import timedelta

import pytest
from django.utils import timezone

from telephony import statistics

from .conftest import make_ready

pytestmark = pytest.mark.django_db(transaction=True)


def _call(engine, call_id, *, wait, answered=True, queued_at=10):  # type: ignore[no-untyped-def]
    events = [
        engine.event(call_id, "call.offered", queued_at - 5, caller="87011234567"),
        engine.event(call_id, "call.queued", queued_at, language="kk"),
    ]
    if answered:
        events += [
            engine.event(call_id, "call.connected", queued_at + wait, consultant="1001"),
            engine.event(call_id, "call.ended", queued_at + wait + 60, by="caller"),
        ]
    else:
        events.append(engine.event(call_id, "call.ended", queued_at + wait, by="caller"))
    engine.send(*events)


def test_figures_count_answer_speed_service_level_and_abandonment(engine, lines, settings):
    # given four answered calls (waits 10, 20, 30, 60 s) and one abandoned after 90 s
    settings.POLICY = {**settings.POLICY, "ANSWER_WAIT_TARGET_SECONDS": 40}
    for index, wait in enumerate([10, 20, 30, 60]):
        _call(engine, f"s{index}", wait=wait)
    _call(engine, "s-gone", wait=90, answered=False)
    # when the figures are taken over the whole hour
    figures = statistics.figures_between(engine.started - timedelta(minutes=1), timezone.now())
    # then
    assert (figures.offered, figures.answered, figures.abandoned) == (5, 4, 1)
    assert figures.asa_seconds == pytest.approx(30.0)
    assert figures.answered_within_target == 3
    assert figures.service_level == pytest.approx(3 / 5)
    assert figures.abandonment_rate == pytest.approx(1 / 5)
    assert figures.longest_wait_seconds == pytest.approx(90.0)


def test_intervals_split_the_local_day(engine, lines):
    _call(engine, "i1", wait=12)
    today = timezone.localdate()
    intervals = statistics.interval_figures(today, minutes=15)
    assert all(item.end - item.start == timedelta(minutes=15) for item in intervals)
    assert sum(item.offered for item in intervals) == 1
    [busy] = [item for item in intervals if item.offered]
    assert busy.start <= engine.started + timedelta(seconds=10) < busy.end
    assert len(statistics.interval_figures(today, minutes=30)) <= 48
    with pytest.raises(ValueError):
        statistics.interval_figures(today, minutes=7)


def test_the_live_board_turns_red_when_the_rolling_average_nears_the_target(engine, lines, settings):
    settings.POLICY = {**settings.POLICY, "ANSWER_WAIT_TARGET_SECONDS": 40}
    settings.TELEPHONY_WALLBOARD_ALERT_FRACTION = 0.8
    _call(engine, "l1", wait=10)
    assert statistics.live_figures().alert_level == "green"
    # when slower answers push the rolling average to 34 s (≥ 0.8 × 40)
    _call(engine, "l2", wait=58)
    live = statistics.live_figures()
    assert live.window.asa_seconds == pytest.approx(34.0)
    assert live.alert_level == "red"


def test_the_live_board_counts_waiting_callers_and_consultants(engine, lines):
    # given 1002 is ready and a caller queued minutes ago (the engine's clock runs 5 minutes back)
    make_ready(lines["1002"])
    engine.send(
        engine.event("w1", "call.offered", 0, caller="87011234567"),
        engine.event("w1", "call.queued", 2, language="kk"),
    )
    # when the board is read while 1002's phone rings
    live = statistics.live_figures()
    # then the caller still counts as waiting, and has waited far longer than 40 s
    assert live.consultants["ringing"] == 1
    assert live.waiting_now == 1
    assert live.longest_waiting_now_seconds > 200
    assert live.alert_level == "red"
