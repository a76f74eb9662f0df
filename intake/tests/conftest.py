"""Real messages for intake tests, built the way citizens' mail clients build them."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from email.header import Header
from email.message import EmailMessage
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


@pytest.fixture
def smtp_receiver(transactional_db: None) -> Iterator[tuple[str, int]]:
    """The built-in SMTP receiver on a free port, in this process."""
    port = free_port()
    controller = start_receiver("127.0.0.1", port)
    yield "127.0.0.1", port
    controller.stop()


def wait_until(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    return check()
