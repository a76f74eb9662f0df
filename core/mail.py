"""Mail to the center's staff and the bodies' officers: Kazakh then Russian in one message (staff read both)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

STAFF_LANGUAGES = ("kk", "ru")


def bilingual_message(
    *, template: str, context: Callable[[], dict[str, Any]], to: list[str], headers: dict[str, str] | None = None
) -> EmailMessage:
    """`template`_subject.txt and _body.txt rendered in each staff language; `context` is built inside each language
    (names of organisations follow it)."""
    parts = []
    for language in STAFF_LANGUAGES:
        with translation.override(language):
            values = context()
            subject = render_to_string(f"{template}_subject.txt", values).strip()
            parts.append((subject, render_to_string(f"{template}_body.txt", values).strip()))
    return EmailMessage(
        subject=" / ".join(subject for subject, _body in parts),
        body="\n\n— — —\n\n".join(body for _subject, body in parts) + "\n",
        to=to,
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
    )
