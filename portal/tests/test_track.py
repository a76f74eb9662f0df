"""Following an appeal: number + the contact given, a neutral "not found", and a limit on attempts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appeals.choices import Channel
from appeals.models import Appeal
from appeals.services import answer_appeal, refer_appeal, register_appeal

pytestmark = pytest.mark.django_db

NOT_FOUND_KK = "Бұл нөмірмен және осы телефонмен немесе электрондық поштамен өтініш табылмады."


@pytest.fixture
def appeal(db: None) -> Appeal:
    return register_appeal(
        channel=Channel.WEB,
        channel_ref="3f1c8f5e-6a57-4d2b-9b8e-1f0a2c3d4e5f",
        subject="Жүргізуші куәлігін ауыстыру",
        text="Куәлікті қалай ауыстыруға болады?",
        phone="+7 701 123 45 67",
        email="aigul@example.kz",
    ).appeal


def track(client: Client, number: str, contact: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("portal:track"), {"number": number, "contact": contact})


def russian_client() -> Client:
    client = Client()
    client.cookies["bailanys_language"] = "ru"
    return client


def test_the_tracking_form_is_in_kazakh_and_takes_the_number_from_the_link(appeal) -> None:
    # when
    body = Client().get(reverse("portal:track"), {"number": appeal.number}).content.decode()
    # then
    assert "Өтініш барысы" in body
    assert f'value="{appeal.number}"' in body


def test_the_tracking_form_in_russian(appeal) -> None:
    # when
    body = russian_client().get(reverse("portal:track")).content.decode()
    # then
    assert "Телефон или e-mail, указанные в обращении" in body
    assert "Показать статус" in body


@pytest.mark.parametrize("contact", ["8 (701) 123-45-67", "+77011234567", "AIGUL@example.kz"])
def test_the_number_and_either_contact_show_the_status(appeal, contact) -> None:
    # when
    response = track(Client(), appeal.number.lower(), contact)
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="tracking-result"' in body
    assert '<span class="badge blue" data-testid="appeal-status">Тіркелді</span>' in body
    assert "Жүргізуші куәлігін ауыстыру" in body
    assert timezone.localtime(appeal.received_at).strftime("%d.%m.%Y %H:%M") in body


def test_the_answer_is_shown_once_given(appeal, consultant) -> None:
    # given
    answer_appeal(appeal=appeal, answer="ХҚКО-ға жеке куәлікпен барыңыз.", actor=consultant)
    # when
    body = track(russian_client(), appeal.number, "aigul@example.kz").content.decode()
    # then
    assert '<span class="badge green" data-testid="appeal-status">' in body
    assert "ХҚКО-ға жеке куәлікпен барыңыз." in body
    assert "Ответ" in body


def test_a_referral_shows_the_organisation_and_its_contacts(appeal, consultant, organisation) -> None:
    # given
    refer_appeal(
        appeal=appeal, organisation=organisation, contacts="+7 7172 72 24 24, kense@mvd.gov.kz", actor=consultant
    )
    # when
    body = track(Client(), appeal.number, "+77011234567").content.decode()
    # then
    assert '<span class="badge purple" data-testid="appeal-status">' in body
    assert "ҚР Ішкі істер министрлігі" in body
    assert "kense@mvd.gov.kz" in body


def test_wrong_number_and_wrong_contact_get_the_same_neutral_answer(appeal) -> None:
    # when
    wrong_number = track(Client(), "2099-W-0000001", "aigul@example.kz")
    wrong_contact = track(Client(), appeal.number, "other@example.kz")
    wrong_phone = track(Client(), appeal.number, "8 777 000 00 00")
    nonsense = track(Client(), "<script>", "'; DROP TABLE appeals_appeal; --")
    # then
    for response in (wrong_number, wrong_contact, wrong_phone, nonsense):
        body = response.content.decode()
        assert response.status_code == 200
        assert NOT_FOUND_KK in body
        assert 'data-testid="tracking-result"' not in body
        assert "Жүргізуші куәлігін ауыстыру" not in body
        assert "<script>" not in body.split("<main", 1)[1]
    assert Appeal.objects.count() == 1


def test_empty_fields_are_asked_for(appeal) -> None:
    # when
    response = track(Client(), "", "")
    # then
    assert response.status_code == 400
    assert 'data-testid="error-number"' in response.content.decode()
    assert 'data-testid="error-contact"' in response.content.decode()


def test_tracking_attempts_are_limited_per_session(appeal, settings) -> None:
    # given
    settings.POLICY = {**settings.POLICY, "TRACKING_ATTEMPTS_PER_10_MIN": 3}
    client = Client()
    for _ in range(3):
        assert track(client, "2099-W-0000001", "aigul@example.kz").status_code == 200
    # when: even the right pair is refused now
    refused = track(client, appeal.number, "aigul@example.kz")
    # then
    body = refused.content.decode()
    assert refused.status_code == 429
    assert "Әрекет саны тым көп" in body
    assert 'data-testid="tracking-result"' not in body


def test_tracking_attempts_are_limited_per_ip_address_too(appeal, settings) -> None:
    # given: a new session for each attempt, from one address
    settings.POLICY = {**settings.POLICY, "TRACKING_ATTEMPTS_PER_10_MIN": 3}
    for _ in range(3):
        track(Client(), "2099-W-0000001", "aigul@example.kz")
    # when
    refused = track(russian_client(), appeal.number, "aigul@example.kz")
    other_address = Client(REMOTE_ADDR="10.1.2.3")
    allowed = track(other_address, appeal.number, "aigul@example.kz")
    # then
    assert refused.status_code == 429
    assert "Слишком много попыток" in refused.content.decode()
    assert allowed.status_code == 200


def test_staff_may_track_too(consultant_client, appeal) -> None:
    # when
    response = track(consultant_client, appeal.number, "aigul@example.kz")
    # then
    assert 'data-testid="tracking-result"' in response.content.decode()
