"""Validation shared by the forms, the services and the API: clear, translated, per field."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.text import clean_text

NOT_ALLOWED_MESSAGE = _("You may not change this record.")
PHONE_ALLOWED = re.compile(r"^[0-9+\-() ]+$")
PHONE_SEPARATORS = re.compile(r"[,;]")
MAX_LENGTHS = {"phone": 100, "email": 254, "website": 200, "address_kk": 500, "address_ru": 500}
_NUL = "\x00"


def clean_contacts(*, phone: str, email: str, website: str, address_kk: str, address_ru: str) -> dict[str, str]:
    """Return the cleaned contacts or raise ValidationError({field: message})."""
    raw = {"phone": phone, "email": email, "website": website, "address_kk": address_kk, "address_ru": address_ru}
    errors: dict[str, Any] = {}
    cleaned: dict[str, str] = {}
    for name, value in raw.items():
        value = "" if value is None else str(value)
        if _NUL in value:
            errors[name] = _("Null characters are not allowed.")
            continue
        value = clean_text(value).replace("\n", " ")
        if len(value) > MAX_LENGTHS[name]:
            errors[name] = _("At most %(limit)d characters.") % {"limit": MAX_LENGTHS[name]}
            continue
        cleaned[name] = value
    _check_field(errors, cleaned, "phone", validate_phones)
    _check_field(errors, cleaned, "email", validate_email)
    _check_field(errors, cleaned, "website", validate_website)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_field(errors: dict[str, Any], cleaned: dict[str, str], name: str, validator: Any) -> None:
    if cleaned.get(name):
        try:
            validator(cleaned[name])
        except ValidationError as error:
            errors[name] = error.messages[0]


def validate_phones(value: str) -> None:
    """One or more numbers separated by commas: digits, spaces, dashes, brackets, a leading +."""
    for number in PHONE_SEPARATORS.split(value):
        number = number.strip()
        digits = sum(char.isdigit() for char in number)
        if not number or not PHONE_ALLOWED.match(number) or not 3 <= digits <= 15:
            raise ValidationError(
                _(
                    "Enter phone numbers with digits, spaces, dashes and brackets, for example "
                    "+7 7172 74 00 00; separate several numbers with commas."
                ),
                code="phones",
            )


def validate_email(value: str) -> None:
    EmailValidator(message=_("Enter a valid e-mail address, for example kense@example.gov.kz."))(value)


def validate_website(value: str) -> None:
    URLValidator(
        schemes=["http", "https"],
        message=_(
            "Enter a full web address starting with https://, for example https://www.gov.kz/memleket/entities/example."
        ),
    )(value)


def check_responsible_choice(*, actor: Any, organisation: Any) -> None:
    """An officer may only confirm their own organisation (or say "not ours"); nobody may pick an inactive one."""
    if organisation is None:
        return
    if not organisation.is_active:
        raise ValidationError({"organisation": _("This organisation is no longer active.")})
    if actor.has_role(Role.ORG_OFFICER) and organisation.pk != actor.organisation_id:
        raise ValidationError({"organisation": _("You may only confirm your own organisation as responsible.")})
