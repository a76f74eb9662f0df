"""A call's life through the telephony API: signed events in, commands out, appeal, consultants, rating.

Real HTTP both ways: events are posted to the API, commands arrive at an HTTP server standing in for the
engine's control port (in CI they are sent by the real Celery worker).
"""

import random

import pytest
from django.core.exceptions import ValidationError

from appeals.choices import AppealStatus, Channel
from feedback.models import Rating
from telephony import services
from telephony.choices import BreakReason, CallOutcome, CallState, ConsultantState
from telephony.models import Call, ConsultantLine

from .conftest import make_ready, queue_call

pytestmark = pytest.mark.django_db(transaction=True)


def _answered_call(engine, call_id="call-1", consultant="1001", language="kk", caller="8 701 123 45 67"):  # type: ignore[no-untyped-def]
    return [
        engine.event(call_id, "call.offered", 0, caller=caller, dialled="1414"),
        engine.event(call_id, "call.language_chosen", 4, language=language),
        engine.event(call_id, "call.queued", 5, language=language),
        engine.event(call_id, "consultant.alerted", 12, consultant=consultant),
        engine.event(call_id, "call.connected", 17, consultant=consultant),
        engine.event(call_id, "consultant.left", 200, consultant=consultant),
        engine.event(call_id, "rating.given", 206, score=4),
        engine.event(call_id, "call.ended", 207, by="system"),
    ]


def test_a_queued_call_is_offered_to_the_longest_idle_consultant_speaking_the_language(engine, lines, command_inbox):
    # given two ready consultants; 1002 has been free longer
    make_ready(lines["1001"], idle_minutes=1)
    make_ready(lines["1002"], idle_minutes=9)
    # when a Kazakh caller reaches the queue
    engine.send(
        engine.event("c1", "call.offered", 0, caller="+7 701 123 45 67"),
        engine.event("c1", "call.queued", 5, language="kk"),
    )
    # then the engine is told to ring 1002, and 1002 is ringing
    [command] = command_inbox.wait_for(1)
    assert command["type"] == "connect"
    assert command["call_id"] == "c1"
    assert command["data"]["consultant"] == "1002"
    assert command["data"]["sip_uri"] == "sip:1002@127.0.0.1:5802"
    assert ConsultantLine.objects.get(extension="1002").state == ConsultantState.RINGING
    assert ConsultantLine.objects.get(extension="1001").state == ConsultantState.READY


def test_a_russian_caller_is_not_offered_to_a_consultant_who_speaks_only_kazakh(engine, lines, command_inbox):
    # given only the Russian-speaking 1003 and a Kazakh-only 1001 are ready
    ConsultantLine.objects.filter(extension="1001").update(speaks_russian=False)
    make_ready(lines["1001"], idle_minutes=30)
    make_ready(lines["1003"])
    # when a Russian caller queues
    engine.send(*queue_call(engine, "c2", language="ru", queued_at=3))
    # then 1003 gets it although 1001 has waited longer
    [command] = command_inbox.wait_for(1)
    assert command["data"]["consultant"] == "1003"


def test_a_whole_call_becomes_an_answered_phone_appeal_with_a_rating_for_the_consultant(engine, lines, consultant):
    # given the consultant is ready
    make_ready(lines["1001"])
    # when the engine reports a full call
    result = engine.send(*_answered_call(engine))
    # then the call is folded: answered after 12 s in the queue, rated 4
    assert result == {"accepted": 8, "duplicates": 0}
    call = Call.objects.get(call_id="call-1")
    assert call.state == CallState.ENDED
    assert call.outcome == CallOutcome.ANSWERED
    assert call.wait_seconds == pytest.approx(12.0)
    assert call.caller_phone == "+77011234567"
    assert call.consultant == consultant
    # and the appeal is on the phone channel, in work with the consultant who talked
    appeal = call.appeal
    assert appeal.channel == Channel.PHONE
    assert appeal.phone == "+77011234567"
    assert appeal.status == AppealStatus.IN_WORK
    assert appeal.assigned_to == consultant
    # and the rating is tied to that consultant and that appeal
    rating = Rating.objects.get()
    assert (rating.appeal, rating.consultant, rating.score) == (appeal, consultant, 4)
    # and the consultant is in wrap-up after the conversation
    assert ConsultantLine.objects.get(extension="1001").state == ConsultantState.WRAP_UP


def test_duplicated_events_change_nothing(engine, lines):
    # given a call reported once
    events = _answered_call(engine)
    engine.send(*events)
    # when every event arrives again
    result = engine.send(*events)
    # then all are duplicates: one call, one appeal, one rating
    assert result == {"accepted": 0, "duplicates": 8}
    assert Call.objects.count() == 1
    assert Rating.objects.count() == 1


def test_events_in_any_order_fold_to_the_same_call(engine, lines):
    # given the same call's events, in order for one call and shuffled for another
    ordered = _answered_call(engine, call_id="in-order")
    shuffled = _answered_call(engine, call_id="shuffled")
    random.Random(1414).shuffle(shuffled)
    # when both are reported, the shuffled one event by event
    engine.send(*ordered)
    for event in shuffled:
        engine.send(event)
    # then both calls end the same
    fields = ["state", "outcome", "wait_seconds", "language", "consultant_id", "rating", "caller_phone"]
    first, second = (Call.objects.values(*fields).get(call_id=name) for name in ("in-order", "shuffled"))
    assert first == second
    assert Call.objects.get(call_id="shuffled").appeal.assigned_to_id == first["consultant_id"]


def test_a_consultant_who_does_not_answer_is_set_not_ready_and_the_call_goes_to_the_next(engine, lines, command_inbox):
    # given two ready consultants, 1001 idle longer
    make_ready(lines["1001"], idle_minutes=5)
    make_ready(lines["1002"], idle_minutes=1)
    engine.send(*queue_call(engine, "c3", language="kk", queued_at=2))
    assert command_inbox.wait_for(1)[0]["data"]["consultant"] == "1001"
    # when 1001's phone rings out
    engine.send(
        engine.event("c3", "consultant.alerted", 3, consultant="1001"),
        engine.event("c3", "consultant.no_answer", 18, consultant="1001"),
    )
    # then 1001 is on a break for a missed call and the call is offered to 1002
    line = ConsultantLine.objects.get(extension="1001")
    assert (line.state, line.break_reason) == (ConsultantState.BREAK, BreakReason.MISSED_CALL)
    second = command_inbox.wait_for(2)[1]
    assert (second["type"], second["data"]["consultant"]) == ("connect", "1002")


def test_a_caller_who_hangs_up_in_the_queue_is_abandoned_and_frees_the_ringing_consultant(engine, lines, command_inbox):
    # given a call ringing 1001
    make_ready(lines["1001"])
    engine.send(*queue_call(engine, "c4", language="kk", queued_at=2))
    command_inbox.wait_for(1)
    engine.send(engine.event("c4", "consultant.alerted", 3, consultant="1001"))
    # when the caller hangs up before the consultant answers
    engine.send(engine.event("c4", "call.ended", 9, by="caller"))
    # then the call is abandoned after 7 s and 1001 is ready again
    call = Call.objects.get(call_id="c4")
    assert (call.outcome, call.wait_seconds) == (CallOutcome.ABANDONED, pytest.approx(7.0))
    assert ConsultantLine.objects.get(extension="1001").state == ConsultantState.READY


def test_a_call_ended_in_the_voice_menu_is_an_appeal_but_not_a_queue_call(engine, lines):
    engine.send(
        engine.event("c5", "call.offered", 0, caller="87011234567"), engine.event("c5", "call.ended", 6, by="caller")
    )
    call = Call.objects.get(call_id="c5")
    assert call.outcome == CallOutcome.ENDED_IN_IVR
    assert call.appeal is not None
    assert call.wait_seconds is None


def test_a_workspace_transfer_warns_first_then_rings_the_chosen_consultant(engine, lines, command_inbox):
    # given 1001 talks to a caller and 1002 is ready
    make_ready(lines["1001"])
    engine.send(*queue_call(engine, "c6", language="kk", queued_at=2))
    command_inbox.wait_for(1)
    engine.send(
        engine.event("c6", "consultant.alerted", 3, consultant="1001"),
        engine.event("c6", "call.connected", 5, consultant="1001"),
    )
    make_ready(lines["1002"])
    # when 1001 transfers the call to 1002
    call = Call.objects.get(call_id="c6")
    services.request_transfer(call=call, actor=lines["1001"].user, target=ConsultantLine.objects.get(extension="1002"))
    # then the engine is told to transfer with 1002 as the target, and 1002 is reserved
    transfer = command_inbox.wait_for(2)[1]
    assert transfer["type"] == "transfer"
    assert (transfer["data"]["consultant"], transfer["data"]["target"]) == ("1001", "1002")
    assert ConsultantLine.objects.get(extension="1002").state == ConsultantState.RINGING
    # when the engine warns the caller, then connects 1002, who is rated after
    engine.send(
        engine.event("c6", "consultant.left", 60, consultant="1001"),
        engine.event("c6", "transfer.announced", 64),
        engine.event("c6", "consultant.alerted", 65, consultant="1002"),
        engine.event("c6", "transfer.completed", 68, consultant="1002"),
        engine.event("c6", "consultant.left", 150, consultant="1002"),
        engine.event("c6", "rating.given", 155, score=5),
        engine.event("c6", "call.ended", 156, by="system"),
    )
    # then the appeal and the rating belong to 1002, the wait counts only the first answer
    call.refresh_from_db()
    assert call.consultant == lines["1002"].user
    assert call.appeal.assigned_to == lines["1002"].user
    assert Rating.objects.get().consultant == lines["1002"].user
    assert call.wait_seconds == pytest.approx(3.0)
    assert [segment.transferred for segment in call.segments.all()] == [True, False]


def test_a_transfer_back_to_the_queue_waits_for_the_warning_before_offering_the_call(engine, lines, command_inbox):
    # given 1001 talks to a caller; nobody else is ready
    make_ready(lines["1001"])
    engine.send(*queue_call(engine, "c7", language="kk", queued_at=2))
    command_inbox.wait_for(1)
    engine.send(engine.event("c7", "call.connected", 5, consultant="1001"))
    # when 1001 sends the caller back to the queue and 1002 becomes ready before the warning ends
    services.request_transfer(call=Call.objects.get(call_id="c7"), actor=lines["1001"].user)
    assert command_inbox.wait_for(2)[1]["data"]["target"] is None
    engine.send(engine.event("c7", "consultant.left", 60, consultant="1001"))
    make_ready(lines["1002"])
    # then nothing is offered until the warning has played
    assert len(command_inbox.commands) == 2
    engine.send(engine.event("c7", "transfer.announced", 64))
    third = command_inbox.wait_for(3)[2]
    assert (third["type"], third["data"]["consultant"]) == ("connect", "1002")


def test_only_the_consultant_on_the_call_may_transfer_it(engine, lines, command_inbox):
    make_ready(lines["1001"])
    engine.send(*queue_call(engine, "c8", language="kk", queued_at=2))
    command_inbox.wait_for(1)
    engine.send(engine.event("c8", "call.connected", 5, consultant="1001"))
    with pytest.raises(ValidationError) as refused:
        services.request_transfer(call=Call.objects.get(call_id="c8"), actor=lines["1002"].user)
    assert refused.value.code == "transfer"


def test_a_consultant_cannot_walk_away_from_a_call_by_a_click(engine, lines, command_inbox):
    make_ready(lines["1001"])
    engine.send(*queue_call(engine, "c9", language="kk", queued_at=2))
    command_inbox.wait_for(1)
    engine.send(engine.event("c9", "call.connected", 5, consultant="1001"))
    line = ConsultantLine.objects.get(extension="1001")
    with pytest.raises(ValidationError) as refused:
        services.set_consultant_state(line=line, state="break", actor=line.user)
    assert refused.value.code == "state_on_call"
