"""register_appeal: idempotence, numbers, validation, hostile input."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from appeals.choices import AppealEventKind, AppealStatus, Channel
from appeals.models import Appeal, AppealEvent
from appeals.services import register_appeal
from audit.models import AuditEvent

ALMATY = ZoneInfo("Asia/Almaty")
HOSTILE = ["<script>alert(1)</script>", "'; DROP TABLE appeals_appeal; --", "Сәлем 👋 \u202eRTL\u202c"]


def _web(**overrides):  # type: ignore[no-untyped-def]
    values = {"channel": Channel.WEB, "subject": "Паспорт", "text": "Сұрақ", "email": "citizen@example.kz"}
    return register_appeal(**{**values, **overrides})


def _errors(call) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


@pytest.mark.django_db
def test_the_same_channel_ref_twice_gives_one_appeal() -> None:
    # given
    first = _web(channel_ref="form-token-1")
    # when
    second = _web(channel_ref="form-token-1", subject="Another subject")
    # then
    assert first.created and not second.created
    assert second.appeal.pk == first.appeal.pk
    assert Appeal.objects.count() == 1


@pytest.mark.django_db
def test_the_same_ref_on_another_channel_is_another_appeal() -> None:
    # given
    first = _web(channel_ref="id-1")
    # when
    second = _web(channel_ref="id-1", channel=Channel.EMAIL)
    # then
    assert second.created and second.appeal.pk != first.appeal.pk


@pytest.mark.django_db
def test_without_channel_ref_every_call_registers() -> None:
    _web()
    _web()
    assert Appeal.objects.count() == 2


@pytest.mark.skipif(connection.vendor == "sqlite", reason="an in-memory SQLite test database locks whole tables")
@pytest.mark.django_db(transaction=True)
def test_two_threads_with_the_same_ref_make_one_appeal() -> None:
    # given
    results: list[object] = []
    barrier = threading.Barrier(2)

    def register() -> None:
        barrier.wait()
        try:
            results.append(_web(channel_ref="race-1", email="", phone="87011234567"))
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=register) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert Appeal.objects.filter(channel_ref="race-1").count() == 1
    assert sorted(result.created for result in results) == [False, True]  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_number_follows_the_default_policy_format() -> None:
    # given
    received = datetime(2025, 3, 1, 10, 0, tzinfo=ALMATY)
    # when
    first = _web(received_at=received).appeal
    second = register_appeal(channel=Channel.PHONE, subject="Call", received_at=received).appeal
    # then
    assert first.number == "2025-W-0000001"
    assert second.number == "2025-T-0000002"


@pytest.mark.django_db
def test_number_format_and_year_come_from_policy_and_almaty_time(settings) -> None:  # type: ignore[no-untyped-def]
    # given: 31 December 19:30 UTC is already 1 January in Almaty
    settings.POLICY = {**settings.POLICY, "APPEAL_NUMBER_FORMAT": "{channel}{year}/{seq:05d}"}
    received = datetime(2024, 12, 31, 19, 30, tzinfo=ZoneInfo("UTC"))
    # when
    appeal = _web(channel=Channel.EMAIL, received_at=received).appeal
    # then
    assert appeal.number == "E2025/00001"


@pytest.mark.django_db
def test_the_counter_starts_again_each_year() -> None:
    _web(received_at=datetime(2024, 6, 1, tzinfo=ALMATY))
    _web(received_at=datetime(2024, 6, 2, tzinfo=ALMATY))
    appeal = _web(received_at=datetime(2025, 1, 2, tzinfo=ALMATY)).appeal
    assert appeal.number == "2025-W-0000001"


@pytest.mark.django_db
def test_registration_normalises_and_records_event_and_audit() -> None:
    # when
    appeal = _web(
        phone="8 (701) 123-45-67",
        email=" Citizen@Example.KZ ",
        iin="8701 0130 0128",
        subject="  Паспорт\nалу  ",
        citizen_name="Айгүл",
    ).appeal
    # then
    assert (appeal.phone, appeal.email, appeal.iin) == ("+77011234567", "citizen@example.kz", "870101300128")
    assert appeal.subject == "Паспорт алу"
    assert appeal.status == AppealStatus.REGISTERED
    assert list(appeal.events.values_list("kind", flat=True)) == [AppealEventKind.REGISTERED]
    audit = AuditEvent.objects.get(action="appeal.registered", object_id=str(appeal.pk))
    stored = str(audit.details)
    assert "870101300128" not in stored and "7011234567" not in stored and "citizen@" not in stored
    assert "Айгүл" not in stored


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_malformed_phone_and_iin_are_refused_with_messages_in_the_language(language: str) -> None:
    # when
    with translation.override(language):
        errors = _errors(lambda: _web(phone="12345", iin="870101300123"))
        expected_iin = str(
            translation.gettext("This IIN is not valid: its check digit does not match. Please check each digit.")
        )
    # then
    assert set(errors) == {"phone", "iin"}
    assert errors["iin"] == [expected_iin]
    assert len(errors["phone"]) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "word"), [("kk", "телефон"), ("ru", "телефон")])
def test_missing_contact_message_is_translated(language: str, word: str) -> None:
    with translation.override(language):
        errors = _errors(lambda: register_appeal(channel=Channel.WEB, subject="S", text="T"))
    assert word in errors["phone"][0].lower()
    assert "phone number" not in errors["phone"][0]


@pytest.mark.django_db
def test_written_channels_need_a_contact_and_text() -> None:
    errors = _errors(lambda: register_appeal(channel=Channel.WEB, subject="S", text=""))
    assert set(errors) == {"phone", "text"}


@pytest.mark.django_db
def test_phone_channel_accepts_an_empty_text_and_no_contact() -> None:
    registration = register_appeal(channel=Channel.PHONE, subject="Call without caller id")
    assert registration.created and registration.appeal.text == ""


@pytest.mark.django_db
@pytest.mark.parametrize("subject", ["", "   ", "x" * 301])
def test_subject_must_be_1_to_300_characters(subject: str) -> None:
    assert "subject" in _errors(lambda: _web(subject=subject))


@pytest.mark.django_db
def test_100_kb_text_is_refused_cleanly() -> None:
    errors = _errors(lambda: _web(text="а" * 100_000))
    assert list(errors) == ["text"]


@pytest.mark.django_db
def test_unknown_language_channel_and_bad_email_are_refused() -> None:
    errors = _errors(lambda: register_appeal(channel="fax", subject="S", text="t", language="en", email="not-an-email"))
    assert set(errors) == {"channel", "language", "email"}


@pytest.mark.django_db
def test_nul_bytes_are_removed() -> None:
    appeal = _web(subject="Pass\x00port", text="a\x00b").appeal
    assert (appeal.subject, appeal.text) == ("Passport", "ab")


@pytest.mark.django_db
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_stored_as_written(hostile: str) -> None:
    # when
    appeal = _web(subject=hostile, text=hostile, citizen_name=hostile, channel_ref=hostile).appeal
    # then
    appeal.refresh_from_db()
    assert appeal.text == hostile.strip()
    assert appeal.citizen_name == hostile
    assert Appeal.objects.count() == 1


@pytest.mark.django_db
def test_failed_registration_leaves_nothing_behind() -> None:
    with pytest.raises(ValidationError):
        _web(phone="abc")
    assert not Appeal.objects.exists() and not AppealEvent.objects.exists()


@pytest.mark.django_db
def test_a_receipt_time_in_the_future_is_refused() -> None:
    errors = _errors(lambda: _web(received_at=datetime(2999, 1, 1, tzinfo=ALMATY)))
    assert list(errors) == ["received_at"]


@pytest.mark.django_db
def test_long_channel_refs_stay_distinct_and_idempotent() -> None:
    first = _web(channel_ref="m" * 300 + "-1")
    again = _web(channel_ref="m" * 300 + "-1")
    other = _web(channel_ref="m" * 300 + "-2")
    assert again.appeal.pk == first.appeal.pk and other.appeal.pk != first.appeal.pk
    assert len(first.appeal.channel_ref) <= 255
