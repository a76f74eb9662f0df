"""The phone line's pages: phone bar and states, screen pop, transfer form, wallboard, consultants' lines.

Calls are real: their events go through the signed events API (telephony/tests/conftest.py's engine), and the
platform's commands arrive at an HTTP server standing in for the engine's control port.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.services import create_staff_user
from appeals.choices import Channel
from appeals.services import register_appeal
from audit.models import AuditEvent
from conftest import PASSWORD, client_for
from telephony import services
from telephony.choices import ConsultantState
from telephony.models import Call, ConsultantLine
from telephony.views import POPPED_CALL_SESSION_KEY

from .conftest import EdgeClient, make_ready, queue_call

HTMX = {"HX-Request": "true"}


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"telephony:{name}", kwargs=kwargs or None)


@pytest.fixture
def own_line(consultant: Any) -> ConsultantLine:
    """The fixed consultant's line, without an edge (pages that need no call)."""
    return services.open_consultant_line(user=consultant, extension="1001", sip_uri="sip:1001@127.0.0.1:5801")


def _talking(engine: EdgeClient, call_id: str = "call-1", consultant: str = "1001", started: float = 0) -> Call:
    """A Kazakh caller queued and connected to `consultant` (who must be ready); returns the folded call."""
    engine.send(*queue_call(engine, call_id, queued_at=started + 2))
    engine.send(
        engine.event(call_id, "consultant.alerted", started + 5, consultant=consultant),
        engine.event(call_id, "call.connected", started + 7, consultant=consultant),
    )
    call = Call.objects.get(call_id=call_id)
    assert ConsultantLine.objects.get(extension=consultant).state == ConsultantState.TALKING
    return call


# --- Who may open what -------------------------------------------------------------------------------


CONSULTANT_PAGES = [("phone_bar", "get"), ("set_state", "post")]
SUPERVISOR_PAGES = ["wallboard", "line_list"]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), CONSULTANT_PAGES)
def test_the_phone_bar_is_the_consultants_own(name, method, own_line, supervisor_client, admin_client_user) -> None:
    # given / when
    url = _url(name)
    anonymous = getattr(Client(), method)(url)
    supervisor = getattr(supervisor_client, method)(url)
    administrator = getattr(admin_client_user, method)(url)
    mine = getattr(client_for(own_line.user), method)(url, {"state": "ready"}, headers=HTMX)
    # then
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))
    assert (supervisor.status_code, administrator.status_code) == (403, 403)
    assert mine.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", SUPERVISOR_PAGES)
def test_the_supervisors_pages_admit_supervisors_and_administrators_only(
    name, supervisor_client, admin_client_user, consultant_client, regulator_client, officer_client
) -> None:
    # given / when
    url = _url(name)
    anonymous = Client().get(url)
    # then
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))
    assert consultant_client.get(url).status_code == 403
    assert regulator_client.get(url).status_code == 403
    assert officer_client.get(url).status_code == 403
    assert supervisor_client.get(url).status_code == 200
    assert admin_client_user.get(url).status_code == 200


@pytest.mark.django_db
def test_the_transfer_panel_and_form_are_for_consultants_only(
    own_line, supervisor_client, regulator_client, consultant_client
) -> None:
    # given an appeal
    registration = register_appeal(channel=Channel.PHONE, subject="Жүргізуші куәлігі", phone="+77011234567")
    panel = _url("transfer_panel", appeal_pk=registration.appeal.pk)
    # when / then: anonymous to the sign-in, other roles refused, the consultant gets an (empty) panel
    assert Client().get(panel).status_code == 302
    assert Client().post(_url("call_transfer", pk=1)).status_code == 302
    assert supervisor_client.get(panel).status_code == 403
    assert regulator_client.post(_url("call_transfer", pk=1)).status_code == 403
    response = consultant_client.get(panel, headers=HTMX)
    assert response.status_code == 200
    assert b"transfer-form" not in response.content
    # and an appeal that does not exist is a 404
    assert consultant_client.get(_url("transfer_panel", appeal_pk=999999)).status_code == 404


def test_a_consultant_cannot_transfer_or_see_another_consultants_call(engine, lines, consultant) -> None:
    # given 1001 talks to a caller
    make_ready(lines["1001"])
    call = _talking(engine)
    other = client_for(lines["1002"].user)
    # when the other consultant posts a transfer of that call
    response = other.post(_url("call_transfer", pk=call.pk), {"target": ""})
    # then the call does not exist for them, and nothing was asked of the engine
    assert response.status_code == 404
    assert not call.commands.filter(type="transfer").exists()
    # and the appeal page shows them no transfer form
    page = other.get(reverse("workspace:appeal_detail", kwargs={"pk": call.appeal_id}))
    assert page.status_code == 200
    assert b"transfer-form" not in page.content


# --- The phone bar -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_consultant_without_a_line_sees_no_phone_bar(consultant_client) -> None:
    # when
    page = consultant_client.get(reverse("workspace:desk"))
    poll = consultant_client.get(_url("phone_bar"), headers=HTMX)
    # then
    assert page.status_code == 200
    assert b'data-testid="phone-bar"' not in page.content
    assert poll.status_code == 200 and poll.content == b""


@pytest.mark.django_db
def test_the_phone_bar_shows_the_lines_state_on_every_workspace_page(own_line, consultant_client) -> None:
    # when
    pages = [reverse("workspace:desk"), reverse("workspace:appeal_list"), reverse("knowledge:article_list")]
    responses = [consultant_client.get(url) for url in pages]
    # then: the bar, its state in words and the state's colour, polling itself every 2 s
    for response in responses:
        html = response.content.decode()
        assert 'data-testid="phone-bar"' in html
        assert 'data-state="offline"' in html
        assert "state-grey" in html
        assert 'hx-trigger="every 2s"' in html
        assert "Желіде жоқ" in html  # in words, Kazakh first


@pytest.mark.django_db
def test_pressing_ready_puts_the_consultant_on_the_line(own_line, consultant_client) -> None:
    # when
    response = consultant_client.post(_url("set_state"), {"state": "ready"}, headers=HTMX)
    # then
    own_line.refresh_from_db()
    assert own_line.state == ConsultantState.READY
    assert 'data-state="ready"' in response.content.decode()
    assert "state-green" in response.content.decode()
    assert AuditEvent.objects.filter(action="telephony.consultant_state").exists()


@pytest.mark.django_db
def test_break_and_offline_without_htmx_come_back_to_the_page(own_line, consultant_client) -> None:
    # when
    response = consultant_client.post(_url("set_state"), {"state": "break", "next": reverse("workspace:appeal_list")})
    # then
    assert response.status_code == 302 and response["Location"] == reverse("workspace:appeal_list")
    own_line.refresh_from_db()
    assert own_line.state == ConsultantState.BREAK
    # and a foreign "next" is not followed
    response = consultant_client.post(_url("set_state"), {"state": "offline", "next": "https://evil.example/"})
    assert response["Location"] == reverse("workspace:desk")
    own_line.refresh_from_db()
    assert own_line.state == ConsultantState.OFFLINE


@pytest.mark.django_db
def test_a_state_that_cannot_be_chosen_is_refused_in_the_bar(own_line, consultant_client) -> None:
    # when
    response = consultant_client.post(_url("set_state"), {"state": "talking"}, headers=HTMX)
    # then
    assert 'data-testid="phone-error"' in response.content.decode()
    own_line.refresh_from_db()
    assert own_line.state == ConsultantState.OFFLINE


def test_a_break_during_a_call_is_refused_in_the_consultants_language(engine, lines) -> None:
    # given 1001 talks to a caller and reads the workspace in Russian
    make_ready(lines["1001"])
    _talking(engine)
    client = client_for(lines["1001"].user)
    client.cookies["bailanys_language"] = "ru"
    # when they press Break
    response = client.post(_url("set_state"), {"state": "break"}, headers=HTMX)
    # then the bar says why, in Russian, and they keep talking
    html = response.content.decode()
    assert "Сначала завершите звонок." in html
    assert 'data-testid="phone-error"' in html
    assert 'hx-trigger="every 6s"' in html  # the message stays long enough to be read
    assert ConsultantLine.objects.get(extension="1001").state == ConsultantState.TALKING


def test_wrap_up_is_shown_with_the_time_left(engine, lines, settings) -> None:
    # given a consultant whose conversation has just ended
    settings.TELEPHONY_WRAP_UP_SECONDS = 60
    make_ready(lines["1001"])
    _talking(engine)
    engine.send(engine.event("call-1", "consultant.left", 100, consultant="1001"))
    # when the bar polls
    response = client_for(lines["1001"].user).get(_url("phone_bar"), headers=HTMX)
    # then
    html = response.content.decode()
    assert 'data-state="wrap_up"' in html
    assert "state-purple" in html
    left = response.context["status"].wrap_up_seconds_left
    assert 55 <= left <= 60
    assert f"{left} s" in html or f"{left} с" in html


# --- Screen pop ----------------------------------------------------------------------------------------------


def test_a_call_reaching_the_consultant_opens_the_callers_appeal_once(engine, lines, command_inbox) -> None:
    # given an earlier appeal from the caller's phone, and 1001 ready
    earlier = register_appeal(
        channel=Channel.WEB,
        subject="Бұрынғы сұрақ",
        text="Жүргізуші куәлігін қалай ауыстырамын?",
        phone="+77011234567",
        received_at=timezone.now() - timedelta(days=3),
    ).appeal
    make_ready(lines["1001"])
    client = client_for(lines["1001"].user)
    # when the caller queues, the platform offers the call to 1001, and the engine connects them
    engine.send(*queue_call(engine, "call-1"))
    [command] = command_inbox.wait_for(1)
    assert command["data"]["consultant"] == "1001"
    engine.send(
        engine.event("call-1", "consultant.alerted", 5, consultant="1001"),
        engine.event("call-1", "call.connected", 7, consultant="1001"),
    )
    call = Call.objects.get(call_id="call-1")
    first = client.get(_url("phone_bar"), headers={**HTMX, "HX-Current-URL": "http://testserver/desk/"})
    second = client.get(_url("phone_bar"), headers={**HTMX, "HX-Current-URL": "http://testserver/desk/"})
    # then the first poll sends the browser to the call's appeal, the next ones do not
    target = reverse("workspace:appeal_detail", kwargs={"pk": call.appeal_id})
    assert first["HX-Redirect"] == target
    assert "HX-Redirect" not in second
    assert client.session[POPPED_CALL_SESSION_KEY] == call.pk
    # and the appeal page shows the caller's earlier appeal and the transfer form
    page = client.get(target).content.decode()
    assert earlier.number in page
    assert 'data-testid="transfer-form"' in page


def test_a_ringing_call_pops_too_and_the_panel_reloads_when_the_consultant_answers(
    engine, lines, command_inbox
) -> None:
    # given 1001 is ready and a caller is offered to them
    make_ready(lines["1001"])
    client = client_for(lines["1001"].user)
    engine.send(*queue_call(engine, "call-2"))
    command_inbox.wait_for(1)
    assert ConsultantLine.objects.get(extension="1001").state == ConsultantState.RINGING
    call = Call.objects.get(call_id="call-2")
    target = reverse("workspace:appeal_detail", kwargs={"pk": call.appeal_id})
    # when the bar polls while the phone rings
    ringing = client.get(_url("phone_bar"), headers=HTMX)
    assert ringing["HX-Redirect"] == target
    seen = ConsultantLine.objects.get(extension="1001")
    key = f"{seen.state}:{seen.current_call_id}"
    quiet = client.get(_url("phone_bar"), {"seen": key}, headers=HTMX)
    # and then the consultant answers
    engine.send(
        engine.event("call-2", "consultant.alerted", 5, consultant="1001"),
        engine.event("call-2", "call.connected", 7, consultant="1001"),
    )
    answered = client.get(_url("phone_bar"), {"seen": key}, headers=HTMX)
    # then no second redirect, and the page's panels are told that the state changed
    assert "HX-Trigger" not in quiet
    assert "HX-Redirect" not in answered
    assert answered["HX-Trigger"] == "phone-state-changed"
    panel = client.get(_url("transfer_panel", appeal_pk=call.appeal_id), headers=HTMX).content.decode()
    assert 'data-testid="transfer-form"' in panel


def test_a_consultant_already_on_the_appeal_page_is_not_redirected(engine, lines, command_inbox) -> None:
    # given 1001 talks to a caller and has the appeal open
    make_ready(lines["1001"])
    call = _talking(engine)
    target = reverse("workspace:appeal_detail", kwargs={"pk": call.appeal_id})
    # when
    response = client_for(lines["1001"].user).get(
        _url("phone_bar"), headers={**HTMX, "HX-Current-URL": f"http://testserver{target}"}
    )
    # then
    assert "HX-Redirect" not in response
    assert 'data-state="talking"' in response.content.decode()


# --- Transfers -------------------------------------------------------------------------------------------


def test_the_transfer_form_offers_ready_consultants_with_their_languages(engine, lines) -> None:
    # given 1001 talks; 1002 is ready; 1003 is offline
    make_ready(lines["1001"])
    call = _talking(engine)
    make_ready(lines["1002"])
    # when 1001 looks at the caller's appeal
    page = client_for(lines["1001"].user).get(reverse("workspace:appeal_detail", kwargs={"pk": call.appeal_id}))
    # then
    form = page.context["form"]
    assert list(form.fields["target"].queryset) == [ConsultantLine.objects.get(extension="1002")]
    html = page.content.decode()
    assert "1002 · " in html
    assert "1003" not in html


def test_a_consultant_transfers_the_caller_to_a_ready_colleague(engine, lines, command_inbox) -> None:
    # given 1001 talks to a caller, 1002 is ready
    make_ready(lines["1001"])
    call = _talking(engine)
    make_ready(lines["1002"])
    client = client_for(lines["1001"].user)
    # when 1001 transfers to 1002
    response = client.post(_url("call_transfer", pk=call.pk), {"target": lines["1002"].pk})
    # then the engine is told to warn the caller and ring 1002, and 1001 is back on the appeal page
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:appeal_detail", kwargs={"pk": call.appeal_id})
    commands = command_inbox.wait_for(2)
    transfer = commands[-1]
    assert transfer["type"] == "transfer"
    assert transfer["data"]["consultant"] == "1001"
    assert transfer["data"]["target"] == "1002"
    assert ConsultantLine.objects.get(extension="1002").state == ConsultantState.RINGING
    # and the page says what happens, and that the warning is playing
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="transfer-form"' not in page
    assert 'data-testid="transfer-panel"' in page


def test_a_consultant_sends_the_caller_back_to_the_queue(engine, lines, command_inbox) -> None:
    # given
    make_ready(lines["1001"])
    call = _talking(engine)
    # when no colleague is chosen
    response = client_for(lines["1001"].user).post(_url("call_transfer", pk=call.pk), {"target": ""})
    # then
    assert response.status_code == 302
    transfer = command_inbox.wait_for(2)[-1]
    assert transfer["type"] == "transfer"
    assert transfer["data"]["target"] is None


def test_a_colleague_who_is_no_longer_free_is_refused_with_a_message(engine, lines, command_inbox) -> None:
    # given 1001 talks; 1003 is offline
    make_ready(lines["1001"])
    call = _talking(engine)
    client = client_for(lines["1001"].user)
    # when 1001 posts a transfer to 1003 anyway
    response = client.post(_url("call_transfer", pk=call.pk), {"target": lines["1003"].pk}, follow=True)
    # then nothing is sent to the engine, and the page says why
    assert not call.commands.filter(type="transfer").exists()
    messages = [str(message) for message in response.context["messages"]]
    assert len(messages) == 1 and messages[0]


# --- The wallboard -----------------------------------------------------------------------------------------


def _wallboard(client: Client, **params: Any) -> Any:
    response = client.get(_url("wallboard"), params, headers=HTMX)
    assert response.status_code == 200
    return response


def test_the_wallboard_is_green_with_calls_answered_within_the_target(engine, lines, supervisor) -> None:
    # given a call answered after 5 s, 3 minutes ago
    make_ready(lines["1001"])
    engine.send(
        *queue_call(engine, "fast", queued_at=2),
        engine.event("fast", "consultant.alerted", 5, consultant="1001"),
        engine.event("fast", "call.connected", 7, consultant="1001"),
        engine.event("fast", "consultant.left", 100, consultant="1001"),
        engine.event("fast", "call.ended", 101, by="system"),
    )
    # when
    response = _wallboard(client_for(supervisor))
    # then
    html = response.content.decode()
    assert 'data-alert="green"' in html
    assert "alert-green" in html
    assert response.context["figures"].window.asa_seconds == pytest.approx(5.0)
    assert "100 %" in html
    assert 'data-testid="intervals"' in html
    assert 'data-testid="line-1001"' in html


def test_the_wallboard_turns_amber_then_red_as_a_caller_waits(engine, lines, supervisor) -> None:
    # given a caller waiting for 35 s (the target is 40 s, amber from 80 % of it)
    client = client_for(supervisor)
    engine.started = timezone.now() - timedelta(seconds=37)
    engine.send(*queue_call(engine, "waiting", queued_at=2))
    # when / then
    amber = _wallboard(client)
    assert 'data-alert="amber"' in amber.content.decode()
    assert amber.context["figures"].waiting_now == 1
    # given a second caller waiting for almost 5 minutes
    engine.started = timezone.now() - timedelta(minutes=5)
    engine.send(*queue_call(engine, "long", queued_at=2))
    # when / then: red, said in words too
    red = _wallboard(client)
    html = red.content.decode()
    assert 'data-alert="red"' in html
    assert "alert-red" in html
    assert red.context["figures"].waiting_now == 2
    assert red.context["figures"].longest_waiting_now_seconds > 290


def test_the_wallboard_switches_between_15_and_30_minute_intervals(engine, lines, supervisor) -> None:
    # given calls queued today
    engine.send(*queue_call(engine, "a"))
    client = client_for(supervisor)
    # when
    fifteen = _wallboard(client, minutes=15)
    thirty = _wallboard(client, minutes=30)
    nonsense = _wallboard(client, minutes=7)
    # then
    assert fifteen.context["minutes"] == 15 and thirty.context["minutes"] == 30
    assert nonsense.context["minutes"] == 15
    for response, minutes in ((fifteen, 15), (thirty, 30)):
        [interval] = response.context["intervals"]
        assert interval.offered == 1
        assert (interval.end - interval.start) == timedelta(minutes=minutes)
    assert 'hx-trigger="every 5s"' in thirty.content.decode()
    assert "?minutes=30" in thirty.content.decode()


@pytest.mark.django_db
def test_the_full_wallboard_page_and_its_partial(supervisor_client) -> None:
    # when
    page = supervisor_client.get(_url("wallboard"))
    partial = supervisor_client.get(_url("wallboard"), headers=HTMX)
    # then the page has the site around the board, the partial only the board
    assert b"<html" in page.content and b'data-testid="wallboard"' in page.content
    assert b"<html" not in partial.content and b'data-testid="wallboard"' in partial.content


# --- Consultants' lines ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_supervisor_opens_a_line_for_a_consultant(supervisor_client, consultant) -> None:
    # when
    response = supervisor_client.post(
        _url("line_list"),
        {"user": consultant.pk, "extension": "1005", "sip_uri": "sip:1005@pbx.local", "speaks_russian": "on"},
    )
    # then
    assert response.status_code == 302
    line = ConsultantLine.objects.get(user=consultant)
    assert (line.extension, line.sip_uri, line.languages) == ("1005", "sip:1005@pbx.local", ["ru"])
    assert AuditEvent.objects.filter(action="telephony.line_opened").exists()
    page = supervisor_client.get(_url("line_list")).content.decode()
    assert 'data-testid="line-1005"' in page


@pytest.mark.django_db
def test_an_administrator_changes_a_line_and_a_bad_one_is_refused(admin_client_user, own_line) -> None:
    # given the edit form starts from the current line
    edit = admin_client_user.get(_url("line_list"), {"user": own_line.user_id})
    assert edit.context["form"].initial["extension"] == "1001"
    taken = create_staff_user(username="sanzhar", password=PASSWORD, role=Role.CONSULTANT)
    services.open_consultant_line(user=taken, extension="1009", sip_uri="sip:1009@pbx")
    base = {"user": own_line.user_id, "sip_uri": "sip:1001@pbx", "speaks_kazakh": "on"}
    # when: letters in the extension, a taken extension, no language, not a SIP address
    letters = admin_client_user.post(_url("line_list"), {**base, "extension": "10a"})
    clash = admin_client_user.post(_url("line_list"), {**base, "extension": "1009"})
    silent = admin_client_user.post(_url("line_list"), {**base, "extension": "1001", "speaks_kazakh": ""})
    not_sip = admin_client_user.post(_url("line_list"), {**base, "extension": "1001", "sip_uri": "http://x"})
    changed = admin_client_user.post(_url("line_list"), {**base, "extension": "1010"})
    # then
    assert letters.status_code == 400 and letters.context["form"].errors["extension"]
    assert clash.status_code == 400 and clash.context["form"].errors["extension"]
    assert silent.status_code == 400 and silent.context["form"].non_field_errors()
    assert not_sip.status_code == 400 and not_sip.context["form"].errors["sip_uri"]
    assert changed.status_code == 302
    own_line.refresh_from_db()
    assert own_line.extension == "1010"


@pytest.mark.django_db
def test_only_consultants_can_be_given_a_line(supervisor_client, supervisor) -> None:
    # when the supervisor tries to give themselves a line
    response = supervisor_client.post(
        _url("line_list"),
        {"user": supervisor.pk, "extension": "1001", "sip_uri": "sip:1001@pbx", "speaks_kazakh": "on"},
    )
    # then the consultant list does not even offer them
    assert response.status_code == 400
    assert response.context["form"].errors["user"]
    assert not ConsultantLine.objects.exists()


# --- Navigation --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_supervisors_find_the_wallboard_and_the_lines_in_the_menu(supervisor_client, consultant_client) -> None:
    # when
    supervisor_page = supervisor_client.get(reverse("workspace:desk")).content.decode()
    consultant_page = consultant_client.get(reverse("workspace:desk")).content.decode()
    # then
    assert f'href="{_url("wallboard")}"' in supervisor_page
    assert f'href="{_url("line_list")}"' in supervisor_page
    assert f'href="{_url("wallboard")}"' not in consultant_page
