"""Validation and normalisation of what a channel hands to `register_appeal`.

Every problem is collected per field, so the citizen (or the calling system) sees all of them at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appeals.choices import WRITTEN_CHANNELS, Channel
from core.iin import validate_iin
from core.phone import normalise_phone
from core.policy import policy
from core.text import clean_text
from knowledge.choices import Language

T = TypeVar("T")

SUBJECT_MAX_CHARS = 300
NAME_MAX_CHARS = 300
EMAIL_MAX_CHARS = 254
CHANNEL_REF_MAX_CHARS = 255
# A sender's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class CleanRegistration:
    channel: str
    channel_ref: str
    subject: str
    text: str
    language: str
    citizen_name: str
    phone: str
    email: str
    iin: str
    received_at: datetime


def one_line(value: str) -> str:
    """Clean text with every run of whitespace (new lines included) made one space."""
    return " ".join(clean_text(value).split())


def clean_channel_ref(value: str) -> str:
    """The channel's id on one line; a longer one is replaced by its digest so distinct ids stay distinct."""
    reference = one_line(value)
    if len(reference) > CHANNEL_REF_MAX_CHARS:
        return "sha256:" + hashlib.sha256(reference.encode()).hexdigest()
    return reference


def clean_long_text(value: str, *, required: bool) -> str:
    """Text of an appeal or an answer: cleaned, at most APPEAL_TEXT_MAX_CHARS."""
    text = clean_text(value)
    limit = policy("APPEAL_TEXT_MAX_CHARS")
    if len(text) > limit:
        raise ValidationError(
            _("The text is too long: %(length)d characters; at most %(limit)d are accepted."),
            code="text_too_long",
            params={"length": len(text), "limit": limit},
        )
    if required and not text:
        raise ValidationError(_("Write the text."), code="text_required")
    return text


def clean_email(value: str) -> str:
    email = one_line(value).lower()
    if not email:
        return ""
    if len(email) > EMAIL_MAX_CHARS:
        raise ValidationError(_("This e-mail address is too long."), code="email_length")
    validate_email(email)
    return email


def _subject(value: str) -> str:
    subject = one_line(value)
    if not subject:
        raise ValidationError(_("Write the subject of the appeal."), code="subject_required")
    if len(subject) > SUBJECT_MAX_CHARS:
        raise ValidationError(
            _("The subject is too long: at most %(limit)d characters."),
            code="subject_length",
            params={"limit": SUBJECT_MAX_CHARS},
        )
    return subject


def _citizen_name(value: str) -> str:
    name = one_line(value)
    if len(name) > NAME_MAX_CHARS:
        raise ValidationError(
            _("The name is too long: at most %(limit)d characters."),
            code="name_length",
            params={"limit": NAME_MAX_CHARS},
        )
    return name


def _channel(value: str) -> str:
    if value not in Channel.values:
        raise ValidationError(_("Unknown channel."), code="channel")
    return value


def _language(value: str) -> str:
    if value not in Language.values:
        raise ValidationError(_("Choose Kazakh or Russian."), code="language")
    return value


def _received_at(value: datetime | None) -> datetime:
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_SKEW:
        raise ValidationError(_("The time of receipt is in the future."), code="received_in_future")
    return value


class _Collector:
    """Runs field cleaners and keeps every error under its field's name."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def run(self, field: str, cleaner, value):  # type: ignore[no-untyped-def]
        try:
            return cleaner(value)
        except ValidationError as exc:
            self.errors.setdefault(field, []).extend(exc.error_list)
            return ""

    def add(self, field: str, error: ValidationError) -> None:
        self.errors.setdefault(field, []).extend(error.error_list)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)  # type: ignore[arg-type]


def clean_registration(
    *,
    channel: str,
    channel_ref: str,
    subject: str,
    text: str,
    language: str,
    citizen_name: str,
    phone: str,
    email: str,
    iin: str,
    received_at: datetime | None,
) -> CleanRegistration:
    """Return the normalised registration or raise ValidationError({field: [messages]})."""
    errors = _Collector()
    channel = errors.run("channel", _channel, channel)
    phone_value = errors.run("phone", normalise_phone, phone) if clean_text(phone) else ""
    email_value = errors.run("email", clean_email, email)
    text_required = channel != Channel.PHONE
    cleaned = CleanRegistration(
        channel=channel,
        channel_ref=clean_channel_ref(channel_ref),
        subject=errors.run("subject", _subject, subject),
        text=errors.run("text", lambda value: clean_long_text(value, required=text_required), text),
        language=errors.run("language", _language, language),
        citizen_name=errors.run("citizen_name", _citizen_name, citizen_name),
        phone=phone_value,
        email=email_value,
        iin=errors.run("iin", validate_iin, iin) if clean_text(iin) else "",
        received_at=errors.run("received_at", _received_at, received_at) or timezone.now(),
    )
    no_contact_given = not clean_text(phone) and not clean_text(email)
    if channel in WRITTEN_CHANNELS and no_contact_given:
        errors.add("phone", ValidationError(_("Leave a phone number or an e-mail address so we can answer you.")))
    errors.raise_if_any()
    return cleaned


def under_field(name: str, cleaner: Callable[[], T]) -> T:
    """Run a cleaner and file its error under `name` (a form or an API shows it beside that field)."""
    try:
        return cleaner()
    except ValidationError as exc:
        raise ValidationError({name: exc.error_list}) from exc
