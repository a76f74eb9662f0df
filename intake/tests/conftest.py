"""Real messages for intake tests, built the way citizens' mail clients build them."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid
from typing import Any

import pytest

from intake.email.smtp import start_receiver

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def plain_mail(
    *,
    subject: str = "Жеке куәлік",
    text: str = "Сәлеметсіз бе! Жеке куәлікті қалай алуға болады?",
    sender: str = "aigul@example.kz",
    to: str = "egov@nitec.kz",
    message_id: str | None = None,
    charset: str = "utf-8",
    name: str = "Айгүл Серікқызы",
    headers: dict[str, str] | None = None,
) -> bytes:
    message = MIMEText(text, "plain", charset)
    message["Subject"] = Header(subject, charset)
    message["From"] = formataddr((str(Header(name, charset)), sender)) if name else sender
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id or make_msgid(domain="example.kz")
    for name, value in (headers or {}).items():
        message[name] = value
    return message.as_bytes()


def mail_with_files(files: list[tuple[str, bytes, str]], **kwargs: Any) -> bytes:
    body = plain_mail(**kwargs)
    from email import message_from_bytes

    original = message_from_bytes(body)
    message = MIMEMultipart()
    for name in ("Subject", "From", "To", "Date", "Message-ID"):
        message[name] = original[name]
    message.attach(MIMEText(kwargs.get("text", "Құжаттар қоса беріледі."), "plain", "utf-8"))
    for filename, content, content_type in files:
        part = MIMEApplication(content, _subtype=content_type.split("/")[1])
        part.add_header("Content-Disposition", "attachment", filename=filename)
        message.attach(part)
    return message.as_bytes()


def html_only_mail(html: str, *, images: list[tuple[str, bytes]] = (), **kwargs: Any) -> bytes:  # type: ignore[assignment]
    message = EmailMessage()
    message["Subject"] = kwargs.get("subject", "Вопрос по ЭЦП")
    message["From"] = kwargs.get("sender", "ivan@example.kz")
    message["To"] = "support@pki.gov.kz"
    message["Message-ID"] = kwargs.get("message_id") or make_msgid(domain="example.kz")
    message.set_content(html, subtype="html")
    for cid, content in images:
        message.add_related(content, maintype="image", subtype="png", cid=f"<{cid}>")
    return message.as_bytes()


@contextmanager
def running_receiver() -> Iterator[tuple[str, int]]:
    """The built-in SMTP receiver on a free port, in this process, with the policy in force when it starts.

    Its database work runs in one executor thread whose connection is closed at the end: a connection kept open
    there (CONN_MAX_AGE) would stop the test database from being dropped.
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    port = free_port()
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-smtp")
    loop = asyncio.new_event_loop()
    loop.set_default_executor(executor)
    controller = start_receiver("127.0.0.1", port, loop=loop)
    try:
        yield "127.0.0.1", port
    finally:
        executor.submit(connections.close_all).result()
        controller.stop()
        executor.shutdown()


@pytest.fixture
def smtp_receiver(transactional_db: None) -> Iterator[tuple[str, int]]:
    """The built-in SMTP receiver on a free port, in this process."""
    with running_receiver() as address:
        yield address


def wait_until(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    return check()


# --- Old mailers, replies, machines: more builders ------------------------------------------------------

CRLF = "\r\n"


def encoded_words(text: str, charset: str) -> str:
    """A header value as RFC 2047 encoded words, the way mail clients write non-ASCII headers."""
    return Header(text, charset).encode()


def legacy_mail(
    *,
    body: bytes,
    subject: str | bytes,
    charset: str | None,
    sender: str = "ivan@example.kz",
    from_header: str | bytes | None = None,
    to: str = "egov@nitec.kz",
    message_id: str | None = None,
    transfer_encoding: str = "8bit",
    headers: dict[str, str] | None = None,
) -> bytes:
    """A message as an old desktop mailer (Outlook Express, The Bat!) writes it: byte for byte, 8-bit body,
    the charset declared or not, headers encoded or sent as raw 8-bit bytes."""
    content_type = "text/plain" + (f"; charset={charset}" if charset else "")

    def line(name: str, value: str | bytes) -> bytes:
        return name.encode() + b": " + (value if isinstance(value, bytes) else value.encode("ascii")) + b"\r\n"

    head = b"".join(
        [
            line("From", from_header if from_header is not None else sender),
            line("To", to),
            line("Subject", subject),
            line("Date", formatdate(localtime=True)),
            line("Message-ID", message_id or make_msgid(domain="example.kz")),
            line("MIME-Version", "1.0"),
            line("Content-Type", content_type),
            line("Content-Transfer-Encoding", transfer_encoding),
            *(line(name, value) for name, value in (headers or {}).items()),
        ]
    )
    return head + b"\r\n" + body + (b"" if body.endswith(b"\n") else b"\r\n")


def reply_mail(
    *,
    to_message: Message,
    text: str,
    sender: str = "aigul@example.kz",
    to: str = "egov@nitec.kz",
    in_reply_to: bool = True,
    references: bool = True,
    subject: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """The citizen's answer to one of our mails, quoting it below as mail clients do."""
    from email.header import decode_header, make_header

    original_subject = str(make_header(decode_header(str(to_message["Subject"]))))
    their_id = str(to_message["Message-ID"])
    quoted = "\n".join("> " + line for line in _plain_text(to_message).splitlines())
    reply = MIMEText(f"{text}\n\n{formatdate()} 1414 жазды:\n{quoted}\n", "plain", "utf-8")
    reply["Subject"] = Header(subject if subject is not None else f"Re: {original_subject}", "utf-8")
    reply["From"] = sender
    reply["To"] = to
    reply["Date"] = formatdate(localtime=True)
    reply["Message-ID"] = make_msgid(domain="example.kz")
    if in_reply_to:
        reply["In-Reply-To"] = their_id
    if references:
        earlier = str(to_message.get("References", "") or "")
        reply["References"] = f"{earlier} {their_id}".strip()
    for name, value in (headers or {}).items():
        reply[name] = value
    return reply.as_bytes()


def _plain_text(message: Message) -> str:
    part = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(part.get_content_charset() or "utf-8")


def bounce_mail(
    *, undelivered: Message, recipient: str, whole_message: bool = False, to: str = "noreply@1414.kz"
) -> bytes:
    """A delivery failure report as Postfix writes it (RFC 3464): the notice, the machine-readable status, and
    the headers (or the whole) of the mail that could not be delivered."""
    boundary = "7A4F81C0A4.1718000000/mx.example.kz"
    original_headers = "".join(f"{name}: {value}\r\n" for name, value in undelivered.items())
    if whole_message:
        returned = "Content-Type: message/rfc822\r\n\r\n" + undelivered.as_string().replace("\n", "\r\n")
    else:
        returned = "Content-Type: text/rfc822-headers\r\n\r\n" + original_headers
    lines = [
        "From: MAILER-DAEMON@mx.example.kz (Mail Delivery System)",
        f"To: {to}",
        "Subject: Undelivered Mail Returned to Sender",
        f"Date: {formatdate(localtime=True)}",
        f"Message-ID: {make_msgid(domain='mx.example.kz')}",
        "Auto-Submitted: auto-replied",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
        "",
        "This is a MIME-encapsulated message.",
        "",
        f"--{boundary}",
        "Content-Description: Notification",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "This is the mail system at host mx.example.kz.",
        "",
        "I'm sorry to have to inform you that your message could not",
        "be delivered to one or more recipients.",
        "",
        f"<{recipient}>: host mx.example.kz said: 550 5.1.1 User unknown",
        "",
        f"--{boundary}",
        "Content-Description: Delivery report",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx.example.kz",
        "",
        f"Final-Recipient: rfc822; {recipient}",
        "Action: failed",
        "Status: 5.1.1",
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown",
        "",
        f"--{boundary}",
        "Content-Description: Undelivered Message" + ("" if whole_message else " Headers"),
        returned.rstrip("\r\n"),
        "",
        f"--{boundary}--",
        "",
    ]
    return CRLF.join(lines).encode()


def out_of_office_mail(
    *,
    to_message: Message | None = None,
    sender: str = "aigul@example.kz",
    to: str = "egov@nitec.kz",
    headers: dict[str, str] | None = None,
) -> bytes:
    """An out-of-office answer; `headers` are the marks its server puts on it (none for a badly made one)."""
    message = MIMEText("Мен 20 маусымға дейін демалыстамын. Я в отпуске до 20 июня.", "plain", "utf-8")
    message["Subject"] = Header("Автоматты жауап: демалыстамын", "utf-8")
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain="example.kz")
    if to_message is not None:
        message["In-Reply-To"] = str(to_message["Message-ID"])
        message["References"] = str(to_message["Message-ID"])
    for name, value in (headers or {}).items():
        message[name] = value
    return message.as_bytes()


def deliver(
    receiver: tuple[str, int], raw: bytes, *, mail_from: str = "aigul@example.kz", to: str = "egov@nitec.kz"
) -> None:
    """One SMTP session to the receiver, as the citizen's mail server opens it (lines end in CRLF on the wire)."""
    import re
    import smtplib

    host, port = receiver
    with smtplib.SMTP(host, port, timeout=120) as client:
        client.sendmail(mail_from, [to], re.sub(rb"\r?\n", b"\r\n", raw))


@pytest.fixture
def intake_in_process(settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Registration and the mails it sends run in the receiving process, on a per-test MEDIA_ROOT (a Celery
    worker, as in CI, cannot see it): when an SMTP session is answered, its appeal and acknowledgement exist."""
    from appeals.tasks import send_acknowledgement, send_acknowledgements, send_answer
    from intake.tasks import register_message_task

    settings.MEDIA_ROOT = tmp_path / "media"
    for task in (register_message_task, send_acknowledgement, send_acknowledgements, send_answer):
        monkeypatch.setattr(task, "delay", lambda *args, _task=task, **kwargs: _task.apply(args=args, kwargs=kwargs))


@pytest.fixture
def dovecot() -> Iterator[Any]:
    """A private Dovecot IMAP server (Debian's dovecot-imapd) started for this test and stopped after it."""
    from intake.tests.dovecot import Dovecot

    with Dovecot.start() as server:
        yield server
