"""A citizen in a real browser (Debian's Chromium through Playwright), against the live server.

A: in Kazakh, search → service → ask → registration number.
B: the same in Russian after the language switch.
C: the core loop: the citizen asks, a consultant answers in the workspace, the citizen reads the answer.
D: files chosen in the form: those accepted are named, a refused one is listed with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from appeals.choices import AppealStatus, Channel
from appeals.models import Appeal
from conftest import PASSWORD
from portal.tests.conftest import DRIVING_LICENCE_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = re.compile(r"^\d{4}-W-\d{7}$")
TIMEOUT_MS = 15_000


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) whose browser asks for Russian: the portal must still start in Kazakh."""
    context = browser.new_context(base_url=live_server.url, locale="ru-RU")
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    context.close()


def ask_about_the_service(page: Any, *, query: str, title: str) -> None:
    """Search from the home page, open the service and press "ask about this service"."""
    box = page.locator("[data-search-box]")
    box.fill(query)
    page.locator("[data-testid=suggestions]").get_by_text(title).wait_for()
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    page.locator("[data-testid=results]").get_by_role("link", name=title).click()
    page.wait_for_url(f"**{reverse('portal:service', kwargs={'slug': DRIVING_LICENCE_SLUG})}")
    page.locator("[data-testid=ask-about-service]").click()
    page.wait_for_url(re.compile(r"/appeal/\?service="))


def fill_and_send(page: Any, *, phone: str, email: str, text: str) -> str:
    page.fill("#id_citizen_name", "Айгүл Серікова")
    page.fill("#id_phone", phone)
    page.fill("#id_email", email)
    page.fill("#id_text", text)
    page.locator("[data-testid=appeal-submit]").click()
    number = page.locator("[data-testid=appeal-number]")
    number.wait_for()
    return number.inner_text().strip()


def test_a_citizen_asks_about_a_service_in_kazakh(page, published_services) -> None:
    # given
    page.goto(reverse("portal:home"))
    assert page.locator("html").get_attribute("lang") == "kk"
    assert page.get_by_role("heading", name="Сізге қалай көмектесе аламыз?").is_visible()
    # when
    ask_about_the_service(page, query="жүргізуші куәлігі", title="Жүргізуші күәлігін алу")
    assert page.locator("#id_service").input_value() == DRIVING_LICENCE_SLUG
    assert page.locator("#id_subject").input_value() == "Жүргізуші күәлігін алу"
    assert page.locator("#id_language_0").is_checked()
    number = fill_and_send(page, phone="8 701 123 45 67", email="", text="Куәлікті қалай ауыстыруға болады?")
    # then
    assert NUMBER.match(number)
    assert page.get_by_role("heading", name="Өтінішіңіз тіркелді").is_visible()
    appeal = Appeal.objects.get(number=number)
    assert (appeal.channel, appeal.language, appeal.phone) == (Channel.WEB, "kk", "+77011234567")
    assert appeal.service.slug == DRIVING_LICENCE_SLUG


def test_a_citizen_asks_about_a_service_in_russian(page, published_services) -> None:
    # given
    page.goto(reverse("portal:home"))
    page.locator("[data-testid=lang-ru]").click()
    page.get_by_role("heading", name="Чем мы можем помочь?").wait_for()
    assert page.locator("html").get_attribute("lang") == "ru"
    # when
    ask_about_the_service(page, query="водительское удостоверение", title="Получение водительских прав")
    assert page.get_by_text("Язык ответа").is_visible()
    assert page.get_by_label("Ваш вопрос").is_visible()
    assert page.locator("#id_language_1").is_checked()
    page.locator("[data-testid=appeal-submit]").click()  # nothing filled in yet
    page.locator("[data-testid=error-text]").wait_for()
    assert "Напишите текст." in page.locator("[data-testid=error-text]").inner_text()
    number = fill_and_send(page, phone="", email="aigul@example.kz", text="Как заменить права?")
    # then
    assert NUMBER.match(number)
    assert page.get_by_role("heading", name="Ваше обращение зарегистрировано").is_visible()
    assert page.locator("[data-testid=email-sent]").is_visible()
    assert Appeal.objects.get(number=number).language == "ru"


def test_the_citizen_reads_the_answer_a_consultant_gave_in_the_workspace(
    browser, live_server, page, published_services, consultant
) -> None:
    # given: a citizen asks on the portal
    page.goto(reverse("portal:appeal_new"))
    page.fill("#id_subject", "Жүргізуші куәлігі")
    number = fill_and_send(page, phone="", email="aigul@example.kz", text="Куәлікті қалай ауыстыруға болады?")
    appeal = Appeal.objects.get(number=number)
    # when: a consultant signs in, opens the appeal in the workspace and answers it
    desk = browser.new_context(base_url=live_server.url).new_page()
    desk.goto(reverse("accounts:login"))
    desk.fill("#id_username", consultant.username)
    desk.fill("#id_password", PASSWORD)
    desk.locator("main form button[type=submit]").click()
    desk.wait_for_url(re.compile(r"/desk/"))
    desk.goto(reverse("workspace:appeal_detail", kwargs={"pk": appeal.pk}))
    answer_form = desk.locator(f"form[action='{reverse('workspace:appeal_answer', kwargs={'pk': appeal.pk})}']")
    answer_form.locator("textarea[name=answer]").fill("Жеке куәлігіңізбен ХҚКО-ға барыңыз.")
    answer_form.locator("button[type=submit]").click()
    desk.locator("[data-testid=answer]").wait_for()
    desk.context.close()
    # then: the citizen's tracking page shows the answer
    page.goto(reverse("portal:track") + f"?number={number}")
    assert page.locator("#id_number").input_value() == number
    page.fill("#id_contact", "AIGUL@example.kz")
    page.locator("[data-testid=track-submit]").click()
    page.locator("[data-testid=tracking-result]").wait_for()
    assert page.locator("[data-testid=appeal-status]").inner_text() == "Жауап берілді"
    assert page.locator("[data-testid=answer]").inner_text() == "Жеке куәлігіңізбен ХҚКО-ға барыңыз."
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.ANSWERED


def test_a_citizen_sends_files_and_is_told_which_were_not_accepted(page, settings, tmp_path) -> None:
    # given
    settings.MEDIA_ROOT = tmp_path / "media"
    page.goto(reverse("portal:appeal_new"))
    page.fill("#id_subject", "Анықтама")
    # when: a real PDF and a program named like one
    page.set_input_files(
        "#id_attachments",
        files=[
            {"name": "анықтама.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"},
            {"name": "setup.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\x00" * 60},
        ],
    )
    number = fill_and_send(page, phone="8 701 123 45 67", email="", text="Анықтаманы қоса беремін.")
    # then
    assert NUMBER.match(number)
    assert "анықтама.pdf" in page.locator("[data-testid=files-kept]").inner_text()
    assert page.locator("[data-testid=refused-file]").all_inner_texts() == ["setup.pdf"]
    appeal = Appeal.objects.get(number=number)
    files = sorted(appeal.attachments.values_list("filename", "refusal"))
    assert files == [("setup.pdf", "type"), ("анықтама.pdf", "")]
