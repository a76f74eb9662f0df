"""E-mails to the citizen, in the appeal's language (Kazakh or Russian)."""

from __future__ import annotations

import threading
import time
from contextlib import suppress
from smtplib import SMTPServerDisconnected
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from appeals.attachments import refusal_text
from appeals.choices import AppealEventKind
from appeals.mail_threading import thread_headers
from appeals.models import Appeal
from core.policy import policy

# A connection to the mail server left unused this long is not trusted any more (servers drop idle clients).
SMTP_IDLE_SECONDS = 30.0
_held = threading.local()


def tracking_url(appeal: Appeal) -> str:
    """The portal page where the citizen follows the appeal (number pre-filled)."""
    return tracking_url_for(number=appeal.number, language=appeal.language)


def tracking_url_for(*, number: str, language: str) -> str:
    query = urlencode({"number": number, "lang": language})
    return f"{settings.SITE_URL.rstrip('/')}{reverse('portal:track')}?{query}"


def acknowledgement_message(appeal: Appeal) -> EmailMessage:
    """Clause 8: the registration number and how to follow the appeal (and which files were not accepted)."""
    headers = {"Auto-Submitted": "auto-replied", **thread_headers(appeal, "ack")}
    return _message(appeal, "acknowledgement", headers=headers)


def answer_message(appeal: Appeal) -> EmailMessage:
    """The answer, in the same conversation as the citizen's mail and our acknowledgement."""
    answered = appeal.events.filter(kind=AppealEventKind.ANSWERED).order_by("-pk").values_list("pk", flat=True).first()
    return _message(appeal, "answer", headers=thread_headers(appeal, f"answer-{answered or 0}"))


def _message(appeal: Appeal, name: str, *, headers: dict[str, str]) -> EmailMessage:
    reply_to = reply_address(appeal)
    with translation.override(appeal.language):
        context: dict[str, Any] = {
            "appeal": appeal,
            "tracking_url": tracking_url(appeal),
            "phone_numbers": policy("PHONE_NUMBERS"),
            "refused": [
                {"filename": item.filename, "reason": refusal_text(item.refusal)}
                for item in appeal.attachments.exclude(refusal="")
            ],
            "can_reply": bool(reply_to),
        }
        subject = render_to_string(f"appeals/email/{name}_subject.txt", context)
        body = render_to_string(f"appeals/email/{name}_body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        to=[appeal.email],
        reply_to=[reply_to] if reply_to else None,
        headers={"X-Bailanys-Appeal": appeal.number, **headers},
    )


def reply_address(appeal: Appeal) -> str:
    """Where the citizen's reply goes: the mailbox the appeal came to (e-mail intake), else nowhere we read."""
    if not apps.is_installed("intake"):
        return ""
    from intake.selectors import reply_address_for

    return reply_address_for(appeal)


def send_to_citizen(message: EmailMessage) -> None:
    """Send over this thread's connection to the mail server, opened on first use and kept for the next mail (a
    worker sends one acknowledgement per appeal; connecting, greeting and quitting each time cost more than the mail).

    A kept connection the server has closed meanwhile is replaced once; any other failure is raised as before.
    """
    connection = _kept_connection()
    if connection is None:  # console, file or memory backends: one connection per mail, as Django does
        message.send()
        return
    try:
        try:
            message.connection = connection
            message.send()
        except SMTPServerDisconnected:  # dropped while we kept it: once more on a new connection
            _forget_connection()
            message.connection = _kept_connection()
            message.send()
    except Exception:
        _forget_connection()  # its state is unknown: the next mail (or the task's retry) starts afresh
        raise
    _held.used_at = time.monotonic()


def _kept_connection() -> SmtpBackend | None:
    identity = tuple(
        getattr(settings, name, None)
        for name in ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_USE_TLS", "EMAIL_USE_SSL")
    )
    connection = getattr(_held, "connection", None)
    stale = time.monotonic() - getattr(_held, "used_at", 0.0) > SMTP_IDLE_SECONDS
    if connection is not None and (getattr(_held, "identity", None) != identity or stale):
        _forget_connection()
        connection = None
    if connection is None:
        fresh = get_connection()
        if not isinstance(fresh, SmtpBackend):
            return None
        fresh.open()
        _held.connection, _held.identity, _held.used_at = fresh, identity, time.monotonic()
        connection = fresh
    return connection


def _forget_connection() -> None:
    connection = getattr(_held, "connection", None)
    _held.connection = None
    if connection is not None:
        with suppress(OSError):  # quits politely; a connection already dropped needs no goodbye
            connection.close()
