"""Answering an e-mail appeal from the workspace: one conversation in the citizen's mail client, and the citizen's
reply to the answer comes back to the same appeal. Real mail through a real SMTP server (a worker sends it in CI)."""

from __future__ import annotations

from email.message import EmailMessage, Message
from email.utils import formatdate

import pytest
from django.urls import reverse

from appeals.choices import AppealStatus, Channel
from appeals.mail_threading import outbound_message_id
from appeals.models import Appeal
from intake.models import InboundMessage, InboundStatus
from intake.services import accept_message, register_message

MAILBOX = "support@pki.gov.kz"
CITIZEN_ID = "<q-2025-0001@mail.example.kz>"


def citizen_mail(*, subject: str, text: str, message_id: str, headers: dict[str, str] | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = "Айгүл Серікқызы <aigul@example.kz>"
    message["To"] = MAILBOX
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    return message.as_bytes()


def deliver(raw: bytes) -> InboundMessage:
    """What the SMTP receiver does with a message for our mailbox: keep it, then register it (once)."""
    accepted = accept_message(raw=raw, mailbox=MAILBOX)
    register_message(message_id=accepted.message.pk)
    return InboundMessage.objects.get(pk=accepted.message.pk)


def mail_with_id(messages: list[Message], message_id: str) -> Message:
    return next(message for message in messages if message["Message-ID"] == message_id)


@pytest.mark.django_db(transaction=True)
def test_the_answer_is_threaded_and_the_citizens_reply_joins_the_appeal(smtp_inbox, clients) -> None:  # type: ignore[no-untyped-def]
    # given: a citizen's letter to the PKI mailbox, registered and acknowledged
    first = deliver(
        citizen_mail(subject="ЭЦП мерзімі", text="ЭЦП-ның мерзімі өтті, не істеймін?", message_id=CITIZEN_ID)
    )
    appeal = Appeal.objects.get(pk=first.appeal_id)
    assert (first.status, appeal.channel) == (InboundStatus.REGISTERED, Channel.EMAIL)
    ack_id = outbound_message_id(appeal, "ack")
    mail_with_id(smtp_inbox.wait_for(1), ack_id)
    # when: a consultant takes it and answers on the appeal page
    consultant = clients["consultant"]
    consultant.post(reverse("workspace:appeal_take", args=[appeal.pk]))
    answered = consultant.post(reverse("workspace:appeal_answer", args=[appeal.pk]), {"answer": "ХҚКО-ға барыңыз."})
    assert answered.status_code == 302
    answer = next(message for message in smtp_inbox.wait_for(2) if message["Message-ID"] != ack_id)
    # then: a reply to the citizen's letter, after our acknowledgement, answered to the mailbox it came to
    assert answer["To"] == "aigul@example.kz"
    assert answer["In-Reply-To"] == CITIZEN_ID
    assert answer["References"].split() == [CITIZEN_ID, ack_id]
    assert answer["Reply-To"] == MAILBOX
    assert answer["Message-ID"].startswith("<answer-") and appeal.number in answer["Message-ID"]
    # when: the citizen answers the answer (a subject without the number: the headers alone thread it)
    references = " ".join([*answer["References"].split(), answer["Message-ID"]])  # unfolded, as mail clients do
    thread = {"In-Reply-To": answer["Message-ID"], "References": references}
    reply = deliver(
        citizen_mail(
            subject="Рақмет",
            text="Рақмет! Ал қай ХҚКО-ға баруға болады?",
            message_id="<q-2025-0002@mail.example.kz>",
            headers=thread,
        )
    )
    # then: the same appeal, back in work, the letter in its history on the page
    appeal.refresh_from_db()
    assert (reply.status, reply.appeal_id) == (InboundStatus.JOINED, appeal.pk)
    assert Appeal.objects.count() == 1
    assert appeal.status == AppealStatus.IN_WORK
    html = consultant.get(reverse("workspace:appeal_detail", args=[appeal.pk])).content.decode()
    assert "Ал қай ХҚКО-ға баруға болады?" in html.split('data-testid="event-citizen_wrote"')[1].split("</li>")[0]
    assert 'data-testid="mailbox">' in html and MAILBOX in html.split('data-testid="mailbox">')[1].split("</p>")[0]
