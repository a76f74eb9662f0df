"""The acknowledgement e-mail through a real SMTP server (in-process tasks here, a Celery worker in CI)."""

import time
from email.header import decode_header, make_header
from email.message import Message

import pytest
from django.core import mail

from appeals.choices import AppealEventKind, AppealStatus, Channel
from appeals.services import answer_appeal, deliver_acknowledgement, register_appeal


def _subject(message: Message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message: Message) -> str:
    part = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def _wait_for_event(appeal, kind: str, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    """The worker (in CI) records the event after sending; wait so the test ends after its transaction."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if appeal.events.filter(kind=kind).exists():
            return True
        time.sleep(0.05)
    return False


def _register(language: str, email: str):  # type: ignore[no-untyped-def]
    return register_appeal(
        channel=Channel.WEB,
        subject="Жеке куәлік",
        text="Қалай алуға болады?",
        language=language,
        email=email,
    ).appeal


@pytest.mark.django_db(transaction=True)
def test_kazakh_acknowledgement_carries_the_number_and_the_tracking_link(smtp_inbox, settings) -> None:
    # when
    appeal = _register("kk", "aigul@example.kz")
    messages = smtp_inbox.wait_for(1)
    # then
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == "aigul@example.kz"
    assert appeal.number in _subject(message)
    assert "Өтінішіңіз" in _subject(message)
    body = _body(message)
    assert appeal.number in body
    assert f"{settings.SITE_URL}/track/?number={appeal.number}&lang=kk" in body
    assert "1414" in body and "8 800 080 7777" in body
    assert "тіркелді" in body
    assert _wait_for_event(appeal, AppealEventKind.ACKNOWLEDGED)


@pytest.mark.django_db(transaction=True)
def test_russian_acknowledgement(smtp_inbox) -> None:
    appeal = _register("ru", "ivan@example.kz")
    message = smtp_inbox.wait_for(1)[0]
    assert appeal.number in _subject(message)
    assert "Ваше обращение" in _subject(message)
    assert "зарегистрировано" in _body(message)
    assert _wait_for_event(appeal, AppealEventKind.ACKNOWLEDGED)


@pytest.mark.django_db
def test_acknowledgement_is_sent_once(settings) -> None:
    # given
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    appeal = _register("kk", "aigul@example.kz")
    # when
    first = deliver_acknowledgement(appeal_id=appeal.pk)
    second = deliver_acknowledgement(appeal_id=appeal.pk)
    # then
    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1
    assert appeal.events.filter(kind=AppealEventKind.ACKNOWLEDGED).count() == 1


@pytest.mark.django_db
def test_no_acknowledgement_for_a_missing_appeal_or_without_email() -> None:
    appeal = register_appeal(channel=Channel.PHONE, subject="Call").appeal
    assert deliver_acknowledgement(appeal_id=appeal.pk) is False
    assert deliver_acknowledgement(appeal_id=10**9) is False


@pytest.mark.django_db
def test_acknowledgement_is_queued_on_commit_only_for_a_new_appeal_with_email(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        register_appeal(channel=Channel.WEB, subject="S", text="T", email="a@b.kz", channel_ref="r1")
        register_appeal(channel=Channel.WEB, subject="S", text="T", email="a@b.kz", channel_ref="r1")
        register_appeal(channel=Channel.WEB, subject="S", text="T", phone="87011234567")
    # then
    assert len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_the_answer_is_mailed_in_the_appeal_language(smtp_inbox, consultant) -> None:
    # given
    appeal = _register("ru", "ivan@example.kz")
    smtp_inbox.wait_for(1)
    assert _wait_for_event(appeal, AppealEventKind.ACKNOWLEDGED)
    # when
    answer_appeal(appeal=appeal, answer="Обратитесь в ЦОН с удостоверением.", actor=consultant)
    messages = smtp_inbox.wait_for(2)
    # then
    answer = next(message for message in messages if "Ответ" in _subject(message))
    assert appeal.number in _subject(answer)
    assert "Обратитесь в ЦОН с удостоверением." in _body(answer)
    assert _wait_for_event(appeal, AppealEventKind.ANSWER_SENT)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ANSWERED
