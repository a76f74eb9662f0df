"""E-mails to the citizen, in the appeal's language (Kazakh or Russian)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from appeals.attachments import refusal_text
from appeals.choices import AppealEventKind
from appeals.mail_threading import thread_headers
from appeals.models import Appeal
from core.policy import policy


def tracking_url(appeal: Appeal) -> str:
    """The portal page where the citizen follows the appeal (number pre-filled)."""
    query = urlencode({"number": appeal.number, "lang": appeal.language})
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
    with translation.override(appeal.language):
        context: dict[str, Any] = {
            "appeal": appeal,
            "tracking_url": tracking_url(appeal),
            "phone_numbers": policy("PHONE_NUMBERS"),
            "refused": [
                {"filename": item.filename, "reason": refusal_text(item.refusal)}
                for item in appeal.attachments.exclude(refusal="")
            ],
            "can_reply": bool(reply_address(appeal)),
        }
        subject = render_to_string(f"appeals/email/{name}_subject.txt", context)
        body = render_to_string(f"appeals/email/{name}_body.txt", context)
    reply_to = reply_address(appeal)
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
