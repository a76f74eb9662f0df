"""E-mails to the citizen, in the appeal's language (Kazakh or Russian)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from appeals.models import Appeal
from core.policy import policy


def tracking_url(appeal: Appeal) -> str:
    """The portal page where the citizen follows the appeal (number pre-filled)."""
    query = urlencode({"number": appeal.number, "lang": appeal.language})
    return f"{settings.SITE_URL.rstrip('/')}{reverse('portal:track')}?{query}"


def acknowledgement_message(appeal: Appeal) -> EmailMessage:
    """Clause 8: the registration number and how to follow the appeal."""
    return _message(appeal, "acknowledgement", headers={"Auto-Submitted": "auto-replied"})


def answer_message(appeal: Appeal) -> EmailMessage:
    return _message(appeal, "answer", headers={})


def _message(appeal: Appeal, name: str, *, headers: dict[str, str]) -> EmailMessage:
    context: dict[str, Any] = {
        "appeal": appeal,
        "tracking_url": tracking_url(appeal),
        "phone_numbers": policy("PHONE_NUMBERS"),
    }
    with translation.override(appeal.language):
        subject = render_to_string(f"appeals/email/{name}_subject.txt", context)
        body = render_to_string(f"appeals/email/{name}_body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        to=[appeal.email],
        headers={"X-Bailanys-Appeal": appeal.number, **headers},
    )
