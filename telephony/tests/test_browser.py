"""The phone line in a real browser (Debian's Chromium through Playwright), against the live server.

A: a supervisor watches the wallboard; a caller queues; the board shows them and turns red once the wait
   passes the target, refreshing itself (htmx) without a page load.
B: a consultant presses Ready; a call is offered and connected to them; their browser opens the caller's
   appeal with the earlier appeals (screen pop), and the transfer form appears once they talk.
Events come in through the signed events API as from an engine; commands go to a real HTTP inbox.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.choices import Channel
from appeals.services import register_appeal
from conftest import PASSWORD
from telephony.choices import ConsultantState
from telephony.models import Call, ConsultantLine

from .conftest import make_ready, queue_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 20_000


@pytest.fixture
def sign_in(browser: Any, live_server: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_as(user: Any) -> Any:
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto(reverse("accounts:login"))
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login" not in url)
        return page

    yield open_as
    for context in contexts:
        context.close()


def test_the_wallboard_shows_a_waiting_caller_and_turns_red_past_the_target(
    sign_in, supervisor, engine, settings
) -> None:
    # given a wait target of 8 s (amber from 6.4 s) and a supervisor watching the board
    settings.POLICY = {**settings.POLICY, "ANSWER_WAIT_TARGET_SECONDS": 8}
    page = sign_in(supervisor)
    page.goto(reverse("telephony:wallboard"))
    board = page.locator("[data-testid=wallboard]")
    waiting = page.locator("[data-testid=figure-waiting] .figure-value")
    assert board.get_attribute("data-alert") == "green"
    assert waiting.inner_text().strip() == "0"
    green_text = page.locator("[data-testid=wallboard-alert]").inner_text()
    page.evaluate("window.__sameDocument = true")
    # when a caller enters the queue now (nobody is ready, so they wait)
    engine.started = timezone.now()
    engine.send(*queue_call(engine, "waiting-caller", queued_at=0))
    # then within one refresh the board shows them, still green (they have waited under 5 s)
    page.wait_for_function(
        "document.querySelector('[data-testid=figure-waiting] .figure-value').textContent.trim() === '1'"
    )
    assert board.get_attribute("data-alert") == "green"
    # and once their wait passes the target the board turns red, saying so in words
    page.wait_for_selector("[data-testid=wallboard][data-alert=red]", timeout=TIMEOUT_MS)
    header = page.locator("[data-testid=wallboard-header]")
    assert "alert-red" in (header.get_attribute("class") or "")
    red_text = page.locator("[data-testid=wallboard-alert]").inner_text()
    assert red_text != green_text
    longest = page.locator("[data-testid=figure-longest] .figure-value").inner_text()
    assert int(re.sub(r"\D", "", longest)) >= 8
    assert page.evaluate("window.__sameDocument === true")  # refreshed by htmx, not reloaded


def test_a_consultant_presses_ready_and_the_callers_appeal_opens_when_the_call_comes(
    sign_in, lines, engine, command_inbox
) -> None:
    # given the caller wrote to the center three days ago, and the consultant is at the desk, offline
    earlier = register_appeal(
        channel=Channel.WEB,
        subject="Жүргізуші куәлігі",
        text="Куәлікті қалай ауыстыруға болады?",
        phone="+77011234567",
        received_at=timezone.now() - timedelta(days=3),
    ).appeal
    make_ready(lines["1002"])  # a colleague to transfer to
    page = sign_in(lines["1001"].user)
    page.goto(reverse("workspace:desk"))
    bar = page.locator("[data-testid=phone-bar]")
    assert bar.get_attribute("data-state") == "offline"
    # when they press Ready
    page.locator("[data-testid=state-ready]").click()
    page.wait_for_selector("[data-testid=phone-bar][data-state=ready]")
    # and a Kazakh caller queues: the platform rings the longest-idle consultant, 1001
    ConsultantLine.objects.filter(extension="1002").update(idle_since=timezone.now())
    ConsultantLine.objects.filter(extension="1001").update(idle_since=timezone.now() - timedelta(minutes=5))
    engine.started = timezone.now() - timedelta(seconds=10)
    engine.send(*queue_call(engine, "call-1", queued_at=2))
    [command] = command_inbox.wait_for(1)
    assert command["data"]["consultant"] == "1001"
    call = Call.objects.get(call_id="call-1")
    appeal_url = reverse("workspace:appeal_detail", kwargs={"pk": call.appeal_id})
    # then their browser opens the caller's appeal by itself
    page.wait_for_url(f"**{appeal_url}")
    assert earlier.number in page.locator("[data-testid=citizen-history]").inner_text()
    # when the engine connects them
    engine.send(
        engine.event("call-1", "consultant.alerted", 8, consultant="1001"),
        engine.event("call-1", "call.connected", 10, consultant="1001"),
    )
    # then the bar says they talk, and the transfer form appears, offering the ready colleague
    page.wait_for_selector("[data-testid=phone-bar][data-state=talking]")
    form = page.locator("[data-testid=transfer-form]")
    form.wait_for()
    assert "1002" in form.locator("select").inner_text()
    assert ConsultantLine.objects.get(extension="1001").state == ConsultantState.TALKING
    # and pressing Break during the call is refused in the bar
    page.locator("[data-testid=state-break]").click()
    page.locator("[data-testid=phone-error]").wait_for()
    assert "Алдымен қоңырауды аяқтаңыз." in page.locator("[data-testid=phone-error]").inner_text()
