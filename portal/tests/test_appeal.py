"""Asking a question on the portal: registration, errors next to their fields, one appeal per form."""

from __future__ import annotations

import uuid
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from appeals.choices import Channel
from appeals.models import Appeal
from audit.models import AuditEvent
from portal.tests.conftest import DRIVING_LICENCE_SLUG

pytestmark = pytest.mark.django_db

VALID_IIN = "870101300128"
INVALID_IIN = "870101300123"
SCRIPT = "<script>alert('x')</script>"
SQL = "'; DROP TABLE appeals_appeal; --"


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "form_token": str(uuid.uuid4()),
        "citizen_name": "Айгүл Серікова",
        "phone": "8 701 123 45 67",
        "email": "",
        "iin": "",
        "language": "kk",
        "service": "",
        "subject": "Жүргізуші куәлігі",
        "text": "Жүргізуші куәлігін қалай ауыстыруға болады?",
    }
    data.update(overrides)
    return data


def submit(client: Client, **overrides: Any):  # type: ignore[no-untyped-def]
    return client.post(reverse("portal:appeal_new"), form_data(**overrides))


def russian_client() -> Client:
    client = Client()
    client.cookies["bailanys_language"] = "ru"
    return client


# --- The form ---------------------------------------------------------------------------------------


def test_the_form_is_in_kazakh_and_answers_in_kazakh_by_default(real_services) -> None:
    # when
    body = Client().get(reverse("portal:appeal_new")).content.decode()
    # then
    assert "Сұрақ қою" in body
    assert "Сұрағыңыз" in body
    assert 'value="kk" id="id_language_0" required checked' in body
    assert 'name="form_token"' in body


def test_the_russian_form_answers_in_russian_by_default(real_services) -> None:
    # when
    body = russian_client().get(reverse("portal:appeal_new")).content.decode()
    # then
    assert "Задать вопрос" in body
    assert "Ваш вопрос" in body
    assert 'value="ru" id="id_language_1" required checked' in body


def test_every_form_gets_its_own_token(real_services) -> None:
    # when
    tokens = [Client().get(reverse("portal:appeal_new")).context["form"].initial["form_token"] for _ in range(2)]
    # then
    assert tokens[0] != tokens[1]
    assert all(uuid.UUID(token).version == 4 for token in tokens)


def test_ask_about_a_service_preselects_it(real_services) -> None:
    # when
    body = Client().get(reverse("portal:appeal_new"), {"service": DRIVING_LICENCE_SLUG}).content.decode()
    # then
    assert f'<option value="{DRIVING_LICENCE_SLUG}" selected>' in body


def test_a_search_with_no_results_prefills_the_subject(real_services) -> None:
    # when
    response = Client().get(reverse("portal:appeal_new"), {"subject": "космодром <b>байқоңыр</b>"})
    # then
    assert response.context["form"]["subject"].value() == "космодром <b>байқоңыр</b>"
    assert "<b>байқоңыр</b>" not in response.content.decode()


# --- Registration -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_valid_appeal_is_registered_and_its_number_shown(real_services, smtp_inbox) -> None:
    # given
    client = Client()
    # when: the acknowledgement goes out after commit (in-process, or from the Celery worker in CI)
    response = submit(client, email="Aigul@Example.kz", iin=VALID_IIN, service=DRIVING_LICENCE_SLUG)
    # then
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:appeal_done", kwargs={"number": appeal.number})
    assert appeal.channel == Channel.WEB
    assert appeal.phone == "+77011234567"
    assert appeal.email == "aigul@example.kz"
    assert appeal.iin == VALID_IIN
    assert appeal.service.slug == DRIVING_LICENCE_SLUG
    assert appeal.language == "kk"
    done = client.get(response["Location"]).content.decode()
    assert f'<p class="big-number" data-testid="appeal-number">{appeal.number}</p>' in done
    assert "Өтінішіңіз тіркелді" in done
    assert 'data-testid="email-sent"' in done
    acknowledgements = smtp_inbox.wait_for(1)
    assert len(acknowledgements) == 1
    assert appeal.number in str(make_header(decode_header(acknowledgements[0]["Subject"])))


def test_the_confirmation_does_not_mention_an_email_when_none_was_given(real_services) -> None:
    # given
    client = russian_client()
    # when
    response = submit(client, language="ru")
    # then
    done = client.get(response["Location"]).content.decode()
    assert "Ваше обращение зарегистрировано" in done
    assert 'data-testid="email-sent"' not in done


def test_a_double_submitted_form_gives_one_appeal_and_the_same_confirmation(real_services) -> None:
    # given
    client = Client()
    data = form_data()
    # when
    first = client.post(reverse("portal:appeal_new"), data)
    second = client.post(reverse("portal:appeal_new"), data)
    # then
    assert Appeal.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert client.get(second["Location"]).status_code == 200


def test_two_forms_give_two_appeals(real_services) -> None:
    # when
    submit(Client())
    submit(Client())
    # then
    assert Appeal.objects.count() == 2


def test_the_confirmation_page_is_only_for_the_session_that_sent_the_appeal(real_services) -> None:
    # given
    citizen = Client()
    response = submit(citizen)
    number = Appeal.objects.get().number
    # when
    stranger = Client().get(response["Location"])
    guessed = citizen.get(reverse("portal:appeal_done", kwargs={"number": number[:-1] + "9"}))
    # then
    assert stranger.status_code == 404
    assert guessed.status_code == 404
    assert number not in stranger.content.decode()


def test_registration_logs_no_personal_data(real_services) -> None:
    # when
    submit(Client(), email="aigul@example.kz", iin=VALID_IIN)
    # then
    details = str(AuditEvent.objects.filter(action="appeal.registered").get().details)
    for personal in ("aigul@example.kz", VALID_IIN, "7011234567", "Айгүл"):
        assert personal not in details


# --- Errors -----------------------------------------------------------------------------------------


def test_a_malformed_phone_is_refused_next_to_the_field_and_nothing_is_lost(real_services) -> None:
    # when
    response = submit(Client(), phone="12-ab-34")
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert Appeal.objects.count() == 0
    assert 'data-testid="error-phone"' in body
    assert "Телефон нөмірінде тек цифрлар" in body
    assert 'value="12-ab-34"' in body
    assert "Жүргізуші куәлігін қалай ауыстыруға болады?" in body
    assert 'value="Айгүл Серікова"' in body


def test_an_invalid_iin_is_refused_in_the_page_language(real_services) -> None:
    # when
    kazakh = submit(Client(), iin=INVALID_IIN)
    russian = submit(russian_client(), iin=INVALID_IIN)
    # then
    assert kazakh.status_code == russian.status_code == 400
    assert "Бұл ЖСН жарамсыз" in kazakh.content.decode()
    assert "Этот ИИН недействителен" in russian.content.decode()
    assert f'value="{INVALID_IIN}"' in kazakh.content.decode()
    assert Appeal.objects.count() == 0


def test_a_valid_iin_is_accepted(real_services) -> None:
    # when
    response = submit(Client(), iin="8701 0130 0128")
    # then
    assert response.status_code == 302
    assert Appeal.objects.get().iin == VALID_IIN


def test_an_empty_text_is_refused(real_services) -> None:
    # when
    response = submit(Client(), text="   ")
    # then
    assert response.status_code == 400
    assert 'data-testid="error-text"' in response.content.decode()
    assert "Мәтінді жазыңыз." in response.content.decode()


def test_without_phone_and_email_the_citizen_is_asked_for_one(real_services) -> None:
    # when
    response = submit(russian_client(), phone="", email="")
    # then
    assert response.status_code == 400
    assert "Оставьте номер телефона или адрес электронной почты" in response.content.decode()


def test_all_problems_are_shown_at_once(real_services) -> None:
    # when
    response = submit(Client(), phone="abc", email="not-an-address", iin="123", subject="", text="")
    # then
    body = response.content.decode()
    for field in ("phone", "email", "iin", "subject", "text"):
        assert f'data-testid="error-{field}"' in body, field


def test_a_100_kb_text_is_refused_clearly_and_kept(real_services) -> None:
    # given
    long_text = "Сұрақ " * 17_000
    # when
    response = submit(Client(), text=long_text)
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert "Мәтін тым ұзын" in body
    assert long_text.strip() in body
    assert Appeal.objects.count() == 0


def test_a_nul_byte_gets_a_clean_error(real_services) -> None:
    # when
    response = submit(Client(), text="Сәлем\x00", subject="Тақырып\x00")
    # then
    assert response.status_code == 400
    assert Appeal.objects.count() == 0


def test_an_unknown_service_is_refused(real_services) -> None:
    # when
    response = submit(Client(), service="no-such-service")
    # then
    assert response.status_code == 400
    assert 'data-testid="error-service"' in response.content.decode()


def test_a_missing_or_forged_token_is_refused_and_a_fresh_one_given(real_services) -> None:
    # when
    response = submit(Client(), form_token="../../etc/passwd")
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert Appeal.objects.count() == 0
    assert "Форманың мерзімі өтті" in body
    token = response.context["form"]["form_token"].value()
    assert uuid.UUID(token).version == 4
    assert "Жүргізуші куәлігін қалай ауыстыруға болады?" in body


@pytest.mark.parametrize("payload", [SCRIPT, SQL])
def test_script_and_sql_in_every_field_are_refused_or_escaped(real_services, payload) -> None:
    # when
    fields = ("citizen_name", "phone", "email", "iin", "language", "service", "subject", "text", "form_token")
    response = submit(Client(), **dict.fromkeys(fields, payload))
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert SCRIPT not in body
    assert Appeal.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM appeals_appeal")
        assert cursor.fetchone() == (0,)


@pytest.mark.parametrize("payload", [SCRIPT, SQL])
def test_script_and_sql_in_free_text_are_stored_as_written_and_shown_escaped(real_services, payload) -> None:
    # given
    client = Client()
    # when
    submit(client, citizen_name=payload, subject=payload, text=payload, email="citizen@example.kz")
    # then
    appeal = Appeal.objects.get()
    assert appeal.subject == appeal.text == appeal.citizen_name == payload
    tracked = client.post(reverse("portal:track"), {"number": appeal.number, "contact": "citizen@example.kz"})
    body = tracked.content.decode()
    assert SCRIPT not in body
    assert "&lt;script&gt;" in body or "&#x27;; DROP TABLE" in body


def test_an_emoji_and_rtl_marks_are_accepted(real_services) -> None:
    # when
    response = submit(Client(), subject="Рахмет 🙂", text="‏مرحبا‎ сәлем")
    # then
    assert response.status_code == 302
    assert Appeal.objects.get().subject == "Рахмет 🙂"


def test_staff_may_send_the_form_too(consultant_client, real_services) -> None:
    # when
    response = submit(consultant_client)
    # then
    assert response.status_code == 302
    assert Appeal.objects.get().channel == Channel.WEB
