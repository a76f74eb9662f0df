"""End to end on real SIP calls: baresip phones, the PJSIP edge, the real platform (live server).

A caller chooses Russian, waits, is connected to the longest-idle consultant, talks (each side plays its own
tone), is transferred and hears the warning before the second consultant, rates 4. The platform's own
records are checked: the appeal, the recording, the order of warning and connection, the rating, the figures.
"""

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError
from django.utils import timezone

from accounts.choices import Role
from accounts.services import create_staff_user
from appeals.choices import Channel
from conftest import PASSWORD
from feedback.models import Rating
from recordings.models import Recording
from telephony import services, statistics
from telephony.choices import CallOutcome, CallState, ConsultantState
from telephony.models import Call, ConsultantLine

from .conftest import PhoneFactory
from .edge import FAST_FLOW, EdgeProcess, PortPlan
from .tones import CALLER_HZ, CONSULTANT_A_HZ, CONSULTANT_B_HZ, tone_spans

pytestmark = pytest.mark.django_db(transaction=True)

EDGE_NAME = "pjsip-e2e"
EDGE_SECRET = "end-to-end-edge-secret-0123456789abcdef"
CALLER_NUMBER = "87011234567"


def _until(condition: Callable[[], Any], *, timeout: float = 30.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except OperationalError:
            # The in-memory SQLite test database is shared with the live server's threads by table locks.
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def platform_edge(live_server, tmp_path: Path, ports: PortPlan, settings) -> Iterator[EdgeProcess]:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    services.register_edge(name=EDGE_NAME, secret=EDGE_SECRET, control_url_prefix="http://127.0.0.1:")
    with EdgeProcess.start(
        tmp_path / "edge", platform_url=live_server.url, edge=EDGE_NAME, secret=EDGE_SECRET, ports=ports, env=FAST_FLOW
    ) as edge:
        yield edge


def _line(username: str, extension: str, phone_uri: str, *, idle_minutes: float) -> ConsultantLine:
    user = create_staff_user(username=username, password=PASSWORD, role=Role.CONSULTANT)
    line = services.open_consultant_line(user=user, extension=extension, sip_uri=phone_uri)
    services.set_consultant_state(line=line, state=ConsultantState.READY, actor=user)
    ConsultantLine.objects.filter(pk=line.pk).update(idle_since=timezone.now() - timedelta(minutes=idle_minutes))
    return ConsultantLine.objects.get(pk=line.pk)


def _call() -> Call | None:
    return Call.objects.filter(edge__name=EDGE_NAME).first()


def _call_in(caller: Any, edge: EdgeProcess, *, digit: str) -> None:
    """Dial the edge, wait until the platform knows the call, and choose the language in the menu."""
    caller.dial(edge.sip_uri)
    caller.wait_for("CALL_ESTABLISHED")
    _until(lambda: _call() is not None, what="call.offered")
    time.sleep(0.5)  # let RTP flow before the RFC 2833 digit
    caller.send_digit(digit)


def test_a_call_from_language_choice_to_rating_through_a_transfer(platform_edge: EdgeProcess, phones: PhoneFactory):
    # given two consultants whose phones answer by themselves; 1001 has been free longer
    first_phone = phones("1001", CONSULTANT_A_HZ, auto_answer=True)
    second_phone = phones("1002", CONSULTANT_B_HZ, auto_answer=True)
    first = _line("asel", "1001", first_phone.uri, idle_minutes=10)
    second = _line("timur", "1002", second_phone.uri, idle_minutes=1)
    caller = phones(CALLER_NUMBER, CALLER_HZ)

    # when the citizen calls and chooses Russian
    _call_in(caller, platform_edge, digit="2")
    # then the platform connects them to 1001, the longest idle
    call = _until(lambda: Call.objects.filter(edge__name=EDGE_NAME, state=CallState.CONNECTED).first(), what="connect")
    assert call.consultant == first.user
    assert call.language == "ru"
    time.sleep(3)  # they talk, each phone playing its own tone

    # when 1001 transfers the caller to 1002 from the workspace
    services.request_transfer(call=call, actor=first.user, target=second)
    _until(
        lambda: Call.objects.filter(pk=call.pk, state=CallState.CONNECTED, consultant=second.user).exists(),
        timeout=40,
        what="transfer completed",
    )
    time.sleep(3)
    # and 1002 hangs up, and the caller rates 4
    second_phone.hangup()
    _until(lambda: Call.objects.filter(pk=call.pk, state=CallState.AFTER_TALK).exists(), what="after talk")
    time.sleep(1.5)
    caller.send_digit("4")
    _until(lambda: Call.objects.filter(pk=call.pk, state=CallState.ENDED).exists(), what="call ended")
    call.refresh_from_db()

    # then the call is one answered phone appeal in Russian, now with 1002
    appeal = call.appeal
    assert (appeal.channel, appeal.language, appeal.phone) == (Channel.PHONE, "ru", "+77011234567")
    assert appeal.assigned_to == second.user
    assert call.outcome == CallOutcome.ANSWERED
    # and the warning played to its end before the second consultant was connected
    times = {event.type: event.occurred_at for event in call.events.all()}
    assert times["transfer.requested"] <= times["transfer.announced"] < times["transfer.completed"]
    segments = list(call.segments.all())
    assert [(segment.consultant, segment.transferred) for segment in segments] == [
        (first.user, True),
        (second.user, False),
    ]
    # and the rating is tied to 1002, the consultant who talked last
    rating = _until(lambda: Rating.objects.filter(appeal=appeal).first(), what="rating")
    assert (rating.score, rating.consultant) == (4, second.user)
    # and the recording holds the caller and both consultants, the first before the second
    recording = _until(lambda: Recording.objects.filter(call=call).first(), timeout=60, what="recording")
    path = Path(recording.file.path)
    caller_spans = tone_spans(path, CALLER_HZ, share=0.2)
    first_spans = tone_spans(path, CONSULTANT_A_HZ, share=0.2)
    second_spans = tone_spans(path, CONSULTANT_B_HZ, share=0.2)
    assert caller_spans and first_spans and second_spans, platform_edge.log()
    assert first_spans[0].end + 3 < second_spans[0].start  # the warning lies between the two
    assert recording.duration_seconds > 6
    # and the figures count one answered call with the wait the platform measured
    figures = statistics.figures_between(call.offered_at - timedelta(minutes=1), timezone.now())
    assert (figures.offered, figures.answered, figures.abandoned) == (1, 1, 0)
    assert figures.asa_seconds == pytest.approx(call.wait_seconds)
    assert 0 < call.wait_seconds < 10
    # and both consultants are in wrap-up or ready again
    for line in (first, second):
        line.refresh_from_db()
        assert line.state in (ConsultantState.WRAP_UP, ConsultantState.READY)


def test_a_caller_who_hangs_up_in_the_queue_is_abandoned(platform_edge: EdgeProcess, phones: PhoneFactory):
    # given nobody is ready
    caller = phones(CALLER_NUMBER, CALLER_HZ)
    # when a caller chooses Kazakh, waits, and hangs up
    _call_in(caller, platform_edge, digit="1")
    _until(lambda: Call.objects.filter(edge__name=EDGE_NAME, state=CallState.QUEUED).exists(), what="queued")
    time.sleep(2)
    caller.hangup()
    # then the call is abandoned after the time it waited, and the appeal exists
    call = _until(lambda: Call.objects.filter(edge__name=EDGE_NAME, state=CallState.ENDED).first(), what="ended")
    assert call.outcome == CallOutcome.ABANDONED
    assert call.wait_seconds >= 2
    assert call.appeal.language == "kk"
    figures = statistics.figures_between(call.offered_at - timedelta(minutes=1), timezone.now())
    assert (figures.answered, figures.abandoned) == (0, 1)


def test_a_consultant_who_never_answers_is_set_not_ready_and_the_next_one_gets_the_call(
    platform_edge: EdgeProcess, phones: PhoneFactory, settings
):
    # given 1001 (free longest) whose phone rings unanswered, and 1002 who answers
    settings.TELEPHONY_RING_TIMEOUT_SECONDS = 4
    silent_phone = phones("1001", CONSULTANT_A_HZ, auto_answer=False)
    answering_phone = phones("1002", CONSULTANT_B_HZ, auto_answer=True)
    silent = _line("asel", "1001", silent_phone.uri, idle_minutes=10)
    answering = _line("timur", "1002", answering_phone.uri, idle_minutes=1)
    caller = phones(CALLER_NUMBER, CALLER_HZ)
    # when a caller queues
    _call_in(caller, platform_edge, digit="1")
    # then after 1001's phone rang out, 1002 talks to the caller and 1001 is on a break
    call = _until(
        lambda: Call.objects.filter(edge__name=EDGE_NAME, state=CallState.CONNECTED, consultant=answering.user).first(),
        timeout=40,
        what="second consultant connected",
    )
    silent.refresh_from_db()
    assert silent.state == ConsultantState.BREAK
    assert [segment.missed for segment in call.segments.all()] == [True, False]
    caller.hangup()
