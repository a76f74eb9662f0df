"""Whole SMTP sessions into the built-in receiver: real messages in, appeals and acknowledgement mails out.

Registration and the acknowledgement run in the receiving process (`intake_in_process`); the acknowledgement goes
through a real SMTP server (`smtp_inbox`). When a session is answered 250 its appeal and mails exist, so a missing
acknowledgement is a fact, not a timing.
"""

from __future__ import annotations

import hashlib
import smtplib
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.utils import make_msgid
from typing import Any

import pytest
from django.core.files.storage import default_storage

from appeals.choices import AppealEventKind, AppealStatus, AttachmentRefusal, Channel
from appeals.mail_threading import message_id_domain, outbound_message_id
from appeals.models import Appeal
from appeals.services import answer_appeal
from intake.models import AckDecision, InboundMessage, InboundStatus
from intake.tests.conftest import (
    PDF,
    PNG,
    bounce_mail,
    deliver,
    encoded_words,
    html_only_mail,
    legacy_mail,
    mail_with_files,
    out_of_office_mail,
    plain_mail,
    reply_mail,
    running_receiver,
)
from intake.tests.test_parsing_cases import HOSTILE_HTML

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("intake_in_process")]

KAZAKH_TEXT = "Сәлеметсіз бе! Жеке куәлікті қалай ауыстыруға болады? Құжаттарым дайын."
RUSSIAN_TEXT = "Здравствуйте! Подскажите, как получить справку о несудимости через портал?"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def _subject(message: Message) -> str:
    return str(make_header(decode_header(str(message["Subject"]))))


def _body(message: Message) -> str:
    part = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(part.get_content_charset() or "utf-8")


def _acks(inbox: Any, address: str = "aigul@example.kz") -> list[Message]:
    return [m for m in inbox.messages if m["To"] == address and "ack." in str(m["Message-ID"])]


def _only_appeal() -> Appeal:
    appeals = list(Appeal.objects.all())
    assert len(appeals) == 1, appeals
    return appeals[0]


def _registered(smtp_receiver: Any, smtp_inbox: Any, raw: bytes, sender: str = "aigul@example.kz") -> Appeal:
    """A citizen's first letter, registered and acknowledged (the starting point of reply cases)."""
    deliver(smtp_receiver, raw, mail_from=sender)
    assert len(_acks(smtp_inbox, sender)) == 1
    return Appeal.objects.get(inbound_messages__key=InboundMessage.objects.latest("pk").key)


# --- Registration and the acknowledgement, in the citizen's language -----------------------------------------


def test_windows_1251_letter_with_kazakh_subject_registered_and_acknowledged_in_kazakh(
    smtp_receiver, smtp_inbox, settings
) -> None:
    # given
    subject = "Жеке куәлікті ауыстыру"
    raw = legacy_mail(
        body="Здравствуйте! Помогите заменить удостоверение личности.".encode("cp1251"),
        subject=encoded_words(subject, "utf-8"),
        charset="windows-1251",
        sender="serik@example.kz",
        from_header=encoded_words("Серік Жұмабаев", "utf-8") + " <serik@example.kz>",
    )
    # when
    deliver(smtp_receiver, raw, mail_from="serik@example.kz")
    # then
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.REGISTERED, message.error
    with message.raw.open("rb") as handle:
        assert handle.read().endswith(raw)
    appeal = message.appeal
    assert (appeal.channel, appeal.subject, appeal.language) == (Channel.EMAIL, subject, "kk")
    assert appeal.text == "Здравствуйте! Помогите заменить удостоверение личности."
    assert (appeal.citizen_name, appeal.email) == ("Серік Жұмабаев", "serik@example.kz")
    [ack] = _acks(smtp_inbox, "serik@example.kz")
    assert _subject(ack) == f"Өтінішіңіз {appeal.number} нөмірімен тіркелді"
    assert appeal.number in _body(ack) and "Құрметті Серік Жұмабаев" in _body(ack)
    assert ack["Reply-To"] == "egov@nitec.kz"
    assert ack["In-Reply-To"] == f"<{message.key}>"
    assert ack["Auto-Submitted"] == "auto-replied"


def test_russian_letter_acknowledged_in_russian(smtp_receiver, smtp_inbox) -> None:
    # given
    raw = plain_mail(subject="Справка о несудимости", text=RUSSIAN_TEXT, name="Иван Петров", sender="ivan@example.kz")
    # when
    deliver(smtp_receiver, raw, mail_from="ivan@example.kz", to="sd@nitec.kz")
    # then
    appeal = _only_appeal()
    assert appeal.language == "ru"
    [ack] = _acks(smtp_inbox, "ivan@example.kz")
    assert _subject(ack) == f"Ваше обращение зарегистрировано под номером {appeal.number}"
    assert "зарегистрировано" in _body(ack) and appeal.number in _body(ack)
    assert ack["Reply-To"] == "sd@nitec.kz"


def test_koi8_r_letter_without_declared_charset_registered_readable(smtp_receiver, smtp_inbox) -> None:
    # given
    raw = legacy_mail(body=RUSSIAN_TEXT.encode("koi8-r"), subject="Spravka", charset=None, sender="ivan@example.kz")
    # when
    deliver(smtp_receiver, raw, mail_from="ivan@example.kz")
    # then
    appeal = _only_appeal()
    assert (appeal.text, appeal.language) == (RUSSIAN_TEXT, "ru")
    assert "Ваше обращение" in _subject(_acks(smtp_inbox, "ivan@example.kz")[0])


def test_html_only_letter_registered_as_safe_text_with_its_inline_image(smtp_receiver, smtp_inbox) -> None:
    # given
    raw = html_only_mail(HOSTILE_HTML, images=[("screen1@example.kz", PNG)], sender="aigul@example.kz")
    # when
    deliver(smtp_receiver, raw, to="support@pki.gov.kz")
    # then
    appeal = _only_appeal()
    assert "Менің ЭЦҚ кілтім <жұмыс істемейді> & қате шығады." in appeal.text
    assert "script-leak" not in appeal.text and "<b>" not in appeal.text and "color" not in appeal.text
    [image] = appeal.attachments.all()
    assert (image.inline, image.refusal, image.content_type) == (True, "", "image/png")
    with default_storage.open(image.file.name) as handle:
        assert handle.read() == PNG
    assert len(_acks(smtp_inbox)) == 1


# --- Attachments ------------------------------------------------------------------------------------------


def test_attachments_stored_by_sha256_and_a_disguised_executable_refused(smtp_receiver, smtp_inbox) -> None:
    # given: a PDF, a photo, and a program named like a PDF
    files = [
        ("анықтама.pdf", PDF, "application/pdf"),
        ("фото.png", PNG, "image/png"),
        ("справка.pdf", EXECUTABLE, "application/pdf"),
    ]
    # when
    deliver(smtp_receiver, mail_with_files(files, text=KAZAKH_TEXT))
    # then
    appeal = _only_appeal()
    stored = {a.filename: a for a in appeal.attachments.all()}
    for name, content in (("анықтама.pdf", PDF), ("фото.png", PNG)):
        attachment = stored[name]
        assert attachment.refusal == "" and attachment.sha256 == hashlib.sha256(content).hexdigest()
        assert attachment.file.name.endswith(attachment.sha256)
        with default_storage.open(attachment.file.name) as handle:
            assert handle.read() == content
    refused = stored["справка.pdf"]
    assert (refused.refusal, refused.file.name, refused.sha256) == (AttachmentRefusal.TYPE, "", "")
    [ack] = _acks(smtp_inbox)
    assert "- справка.pdf: бұл түрдегі файл қабылданбайды" in _body(ack)
    assert "анықтама.pdf" not in _body(ack)


def test_files_past_the_count_limit_refused_and_named(smtp_receiver, smtp_inbox, settings) -> None:
    # given
    settings.POLICY = {**settings.POLICY, "ATTACHMENTS_MAX_COUNT": 3}
    files = [(f"бет-{n}.pdf", PDF + str(n).encode(), "application/pdf") for n in range(1, 6)]
    # when
    deliver(smtp_receiver, mail_with_files(files, text=KAZAKH_TEXT))
    # then
    appeal = _only_appeal()
    assert [(a.filename, a.refusal) for a in appeal.attachments.all()] == [
        ("бет-1.pdf", ""),
        ("бет-2.pdf", ""),
        ("бет-3.pdf", ""),
        ("бет-4.pdf", AttachmentRefusal.TOO_MANY),
        ("бет-5.pdf", AttachmentRefusal.TOO_MANY),
    ]
    body = _body(_acks(smtp_inbox)[0])
    assert "- бет-4.pdf: бір өтініште 3 файлдан артық" in body and "- бет-5.pdf:" in body
    assert "бет-3.pdf" not in body


def test_a_30_mb_attachment_over_the_limit_appeal_registered_and_citizen_told(smtp_receiver, smtp_inbox) -> None:
    # given: a 30 MB scan (the limit is 20 MB) beside a small one
    big = PDF + b"\x00" * (30 * 1024 * 1024 - len(PDF))
    raw = mail_with_files(
        [("паспорт-скан.pdf", big, "application/pdf"), ("өтініш.pdf", PDF, "application/pdf")], text=KAZAKH_TEXT
    )
    assert len(raw) > 40 * 1024 * 1024  # base64 on the wire
    # when
    deliver(smtp_receiver, raw)
    # then
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.REGISTERED and message.size > len(raw)
    appeal = message.appeal
    assert appeal.text == KAZAKH_TEXT
    assert [(a.filename, a.refusal, a.size, a.file.name == "") for a in appeal.attachments.all()] == [
        ("паспорт-скан.pdf", AttachmentRefusal.TOO_LARGE, len(big), True),
        ("өтініш.pdf", "", len(PDF), False),
    ]
    [ack] = _acks(smtp_inbox)
    assert "- паспорт-скан.pdf: 20 МБ-тан үлкен" in _body(ack)
    assert appeal.number in _subject(ack)


def test_a_letter_with_no_body(smtp_receiver, smtp_inbox) -> None:
    # given: headers only, not even a Message-ID
    raw = (
        f"From: aigul@example.kz\r\nTo: egov@nitec.kz\r\nSubject: {encoded_words('Жеке куәлік', 'utf-8')}\r\n\r\n"
    ).encode()
    # when
    deliver(smtp_receiver, raw)
    # then
    message = InboundMessage.objects.get()
    assert message.key.startswith("sha256:") and message.status == InboundStatus.REGISTERED
    appeal = message.appeal
    assert (appeal.subject, appeal.text) == ("Жеке куәлік", "Хатта мәтін жоқ.")
    assert appeal.number in _subject(_acks(smtp_inbox)[0])


def test_a_letter_with_only_attachments(smtp_receiver, smtp_inbox) -> None:
    # given
    message = MIMEMultipart()
    message["From"] = "aigul@example.kz"
    message["To"] = "egov@nitec.kz"
    message["Message-ID"] = make_msgid(domain="example.kz")
    part = MIMEApplication(PDF, _subtype="pdf")
    part.add_header("Content-Disposition", "attachment", filename="өтініш.pdf")
    message.attach(part)
    # when
    deliver(smtp_receiver, message.as_bytes())
    # then
    appeal = _only_appeal()
    assert (appeal.subject, appeal.text) == ("Тақырыбы жоқ хат", "Хатта мәтін жоқ, тек файлдар бар.")
    assert [(a.filename, a.refusal) for a in appeal.attachments.all()] == [("өтініш.pdf", "")]
    assert len(_acks(smtp_inbox)) == 1


# --- Idempotence and threading --------------------------------------------------------------------------------


def test_same_message_id_in_two_sessions_is_one_appeal_and_one_acknowledgement(smtp_receiver, smtp_inbox) -> None:
    # given: the citizen's server retries after a lost 250, and the letter was copied to a second mailbox
    raw = plain_mail(message_id="<retry-1@example.kz>")
    deliver(smtp_receiver, raw)
    # when
    deliver(smtp_receiver, raw)
    deliver(smtp_receiver, raw, to="support@pki.gov.kz")
    # then
    assert InboundMessage.objects.count() == 1
    appeal = _only_appeal()
    assert len(_acks(smtp_inbox)) == 1
    assert appeal.events.filter(kind=AppealEventKind.ACKNOWLEDGED).count() == 1


@pytest.mark.parametrize("in_reply_to, references", [(True, False), (False, True), (True, True)])
def test_reply_to_the_acknowledgement_joins_its_appeal(
    smtp_receiver, smtp_inbox, in_reply_to: bool, references: bool
) -> None:
    # given
    appeal = _registered(smtp_receiver, smtp_inbox, plain_mail(text=KAZAKH_TEXT))
    [ack] = _acks(smtp_inbox)
    reply = reply_mail(
        to_message=ack,
        text="Тағы бір сұрақ: ЦОН-ға қашан келуге болады?",
        in_reply_to=in_reply_to,
        references=references,
        to=ack["Reply-To"],
    )
    # when
    deliver(smtp_receiver, reply)
    # then
    assert Appeal.objects.count() == 1
    joined = InboundMessage.objects.latest("pk")
    assert (joined.status, joined.appeal, joined.acknowledgement) == (
        InboundStatus.JOINED,
        appeal,
        AckDecision.JOINED,
    )
    event = appeal.events.get(kind=AppealEventKind.CITIZEN_WROTE)
    assert event.note == "Тағы бір сұрақ: ЦОН-ға қашан келуге болады?"  # the quoted acknowledgement cut off
    assert len(smtp_inbox.messages) == 1


def test_reply_to_the_answer_puts_the_answered_appeal_back_in_work(smtp_receiver, smtp_inbox, consultant) -> None:
    # given
    appeal = _registered(smtp_receiver, smtp_inbox, plain_mail(text=KAZAKH_TEXT))
    answer_appeal(appeal=appeal, answer="ЦОН-ға жеке куәлікпен келіңіз.", actor=consultant)
    [answer] = [m for m in smtp_inbox.messages if "answer-" in str(m["Message-ID"])]
    # when
    deliver(smtp_receiver, reply_mail(to_message=answer, text="Рақмет, бірақ ЦОН жабық."))
    # then
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.IN_WORK
    event = appeal.events.get(kind=AppealEventKind.CITIZEN_WROTE)
    assert (event.from_status, event.to_status) == (AppealStatus.ANSWERED, AppealStatus.IN_WORK)
    assert Appeal.objects.count() == 1 and len(_acks(smtp_inbox)) == 1


def test_registration_number_in_the_subject_joins_only_from_the_appeals_address(smtp_receiver, smtp_inbox) -> None:
    # given
    appeal = _registered(smtp_receiver, smtp_inbox, plain_mail(text=KAZAKH_TEXT))
    subject = f"{appeal.number} бойынша қосымша"
    # when: a new letter (no thread headers) from the same address, and one from someone else
    deliver(smtp_receiver, plain_mail(subject=subject, text="Қосымша ақпарат.", sender="AIGUL@example.kz"))
    deliver(
        smtp_receiver,
        plain_mail(subject=subject, text="Мен де сұраймын.", sender="stranger@example.kz"),
        mail_from="stranger@example.kz",
    )
    # then
    assert appeal.events.get(kind=AppealEventKind.CITIZEN_WROTE).note == "Қосымша ақпарат."
    other = Appeal.objects.exclude(pk=appeal.pk).get()
    assert (other.email, other.text) == ("stranger@example.kz", "Мен де сұраймын.")
    assert len(_acks(smtp_inbox)) == 1 and len(_acks(smtp_inbox, "stranger@example.kz")) == 1


def test_a_forged_acknowledgement_id_does_not_join(smtp_receiver, smtp_inbox) -> None:
    # given: an id in our format naming an appeal, without our key
    appeal = _registered(smtp_receiver, smtp_inbox, plain_mail(text=KAZAKH_TEXT))
    forged_id = f"<ack.{appeal.number}.0000000000000000@{message_id_domain()}>"
    assert forged_id != outbound_message_id(appeal, "ack")
    raw = plain_mail(text="Басқа мәселе.", sender="stranger@example.kz", headers={"In-Reply-To": forged_id})
    # when
    deliver(smtp_receiver, raw, mail_from="stranger@example.kz")
    # then
    assert Appeal.objects.count() == 2
    assert not appeal.events.filter(kind=AppealEventKind.CITIZEN_WROTE).exists()


# --- Machines: bounces, auto-replies, loops, lists ---------------------------------------------------------------


@pytest.mark.parametrize("to", ["egov@nitec.kz", "noreply@1414.kz"], ids=["to-mailbox", "to-our-sender"])
def test_bounce_of_our_acknowledgement_noted_on_its_appeal(smtp_receiver, smtp_inbox, to: str) -> None:
    # given: the acknowledgement could not be delivered (the citizen's mailbox is full)
    appeal = _registered(smtp_receiver, smtp_inbox, plain_mail(text=KAZAKH_TEXT))
    [ack] = _acks(smtp_inbox)
    # when: the citizen's server reports it, from the null sender
    deliver(smtp_receiver, bounce_mail(undelivered=ack, recipient="aigul@example.kz", to=to), mail_from="", to=to)
    # then
    bounce = InboundMessage.objects.latest("pk")
    assert (bounce.status, bounce.appeal, bounce.automatic) == (InboundStatus.JOINED, appeal, True)
    note = appeal.events.get(kind=AppealEventKind.NOTE)
    assert "Undelivered Mail Returned to Sender" in note.note
    assert not appeal.events.filter(kind=AppealEventKind.CITIZEN_WROTE).exists()
    assert Appeal.objects.count() == 1 and len(smtp_inbox.messages) == 1


def test_bounce_of_mail_that_is_not_ours_gets_no_acknowledgement(smtp_receiver, smtp_inbox) -> None:
    # given
    other = plain_mail(sender="someone@example.kz", message_id="<not-ours@example.kz>")
    raw = bounce_mail(undelivered=message_from_bytes(other), recipient="friend@example.kz", to="egov@nitec.kz")
    # when
    deliver(smtp_receiver, raw, mail_from="")
    # then
    message = InboundMessage.objects.get()
    assert (message.automatic, message.acknowledgement) == (True, AckDecision.AUTOMATIC)
    assert smtp_inbox.messages == []


@pytest.mark.parametrize(
    "headers",
    [{"Auto-Submitted": "auto-replied"}, {"Precedence": "auto_reply"}, {"X-Autoreply": "yes"}],
    ids=lambda headers: next(iter(headers)),
)
def test_auto_reply_registered_without_acknowledgement(smtp_receiver, smtp_inbox, headers: dict[str, str]) -> None:
    # when: an out-of-office reply that names none of our mail
    deliver(smtp_receiver, out_of_office_mail(headers=headers))
    # then
    message = InboundMessage.objects.get()
    assert (message.status, message.acknowledgement) == (InboundStatus.REGISTERED, AckDecision.AUTOMATIC)
    assert message.appeal.subject == "Автоматты жауап: демалыстамын"
    assert smtp_inbox.messages == []
    assert not message.appeal.events.filter(kind=AppealEventKind.ACKNOWLEDGED).exists()


def test_out_of_office_answering_our_mail_again_and_again_is_only_noted(smtp_receiver, smtp_inbox, consultant) -> None:
    # given: an answered appeal; our acknowledgement and answer are in the citizen's mailbox
    appeal = _registered(smtp_receiver, smtp_inbox, plain_mail(text=KAZAKH_TEXT))
    answer_appeal(appeal=appeal, answer="ЦОН-ға жеке куәлікпен келіңіз.", actor=consultant)
    assert len(smtp_inbox.messages) == 2
    # when: a broken out-of-office server answers each of our mails, again and again
    for _round in range(3):
        for ours in list(smtp_inbox.messages):
            deliver(smtp_receiver, out_of_office_mail(to_message=ours, headers={"Auto-Submitted": "auto-replied"}))
    # then: noted on the appeal, which stays answered; nothing more is mailed
    assert Appeal.objects.count() == 1
    assert appeal.events.filter(kind=AppealEventKind.NOTE).count() == 6
    assert not appeal.events.filter(kind=AppealEventKind.CITIZEN_WROTE).exists()
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ANSWERED
    assert len(smtp_inbox.messages) == 2


def test_auto_reply_ping_pong_stops_at_the_per_sender_limit(smtp_receiver, smtp_inbox, settings) -> None:
    # given: an autoresponder with none of the marks, naming none of our mail, answering each mail it gets
    settings.POLICY = {**settings.POLICY, "INTAKE_ACKS_PER_SENDER_PER_HOUR": 3}
    deliver(smtp_receiver, out_of_office_mail())
    rounds = 1
    # when: it answers every acknowledgement we send, for as long as we send them
    while len(_acks(smtp_inbox)) == rounds and rounds < 20:
        deliver(smtp_receiver, out_of_office_mail())
        rounds += 1
    # then
    assert len(_acks(smtp_inbox)) == 3
    assert rounds == 4
    decisions = list(InboundMessage.objects.order_by("pk").values_list("acknowledgement", flat=True))
    assert decisions == [AckDecision.SENT] * 3 + [AckDecision.RATE_LIMITED]
    assert Appeal.objects.count() == 4  # still registered: nothing is lost


def test_other_senders_are_not_held_by_one_senders_limit(smtp_receiver, smtp_inbox, settings) -> None:
    # given
    settings.POLICY = {**settings.POLICY, "INTAKE_ACKS_PER_SENDER_PER_HOUR": 1}
    deliver(smtp_receiver, plain_mail())
    deliver(smtp_receiver, plain_mail())
    # when
    deliver(smtp_receiver, plain_mail(sender="ivan@example.kz"), mail_from="ivan@example.kz")
    # then
    assert len(_acks(smtp_inbox)) == 1 and len(_acks(smtp_inbox, "ivan@example.kz")) == 1


@pytest.mark.parametrize(
    "sender, headers",
    [
        ("noreply@egov.kz", {}),
        ("no-reply@kaspi.kz", {}),
        ("news@lists.example.kz", {"List-Id": "<news.lists.example.kz>", "Precedence": "list"}),
        ("news@lists.example.kz", {"List-Unsubscribe": "<mailto:leave@lists.example.kz>"}),
    ],
    ids=["noreply", "no-reply", "list-id", "list-unsubscribe"],
)
def test_no_acknowledgement_to_no_reply_senders_and_mailing_lists(
    smtp_receiver, smtp_inbox, sender: str, headers: dict[str, str]
) -> None:
    # when
    deliver(smtp_receiver, plain_mail(sender=sender, headers=headers), mail_from=sender)
    # then
    message = InboundMessage.objects.get()
    assert (message.status, message.acknowledgement) == (InboundStatus.REGISTERED, AckDecision.AUTOMATIC)
    assert smtp_inbox.messages == []


# --- What the receiver refuses ------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["info@nitec.kz", "friend@gmail.com", "noreply@1414.kz"])
def test_mail_to_an_address_that_is_not_ours_is_refused(smtp_receiver, smtp_inbox, address: str) -> None:
    # when
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        deliver(smtp_receiver, plain_mail(to=address), to=address)
    # then
    assert refused.value.recipients[address][0] == 550
    assert not InboundMessage.objects.exists()


def test_message_over_the_size_limit_is_refused_in_the_session(transactional_db, smtp_inbox, settings) -> None:
    # given: a receiver started with a 200 kB limit
    settings.POLICY = {**settings.POLICY, "INTAKE_MESSAGE_MAX_BYTES": 200_000}
    raw = mail_with_files([("scan.pdf", PDF + b"\x00" * 300_000, "application/pdf")])
    with running_receiver() as receiver:
        # when
        with pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as refused:
            deliver(receiver, raw)
        deliver(receiver, plain_mail())  # a letter within the limit still goes through
    # then
    assert refused.value.smtp_code == 552
    assert InboundMessage.objects.count() == 1
