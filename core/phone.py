"""Phone numbers normalised to E.164.

Kazakh callers write the same number many ways: `+7 701 123 45 67`, `8 701 123-45-67`,
`87011234567`, `77011234567`, `7011234567`, `(701) 123 45 67`. All become `+77011234567`.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-().]")
_DIGITS = re.compile(r"\+?\d+")


def normalise_phone(raw: str) -> str:
    """Return the number in E.164 or raise ValidationError with a message for the citizen."""
    compact = _SEPARATORS.sub("", raw or "")
    if not compact:
        raise ValidationError(_("Enter a phone number."), code="phone_empty")
    if not _DIGITS.fullmatch(compact):
        raise ValidationError(
            _("A phone number may contain only digits, spaces, dashes, brackets and a leading +."),
            code="phone_characters",
        )
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+"):
        digits = compact[1:]
    elif len(compact) == 11 and compact[0] in "78":
        digits = "7" + compact[1:]
    elif len(compact) == 10 and compact[0] in "67":
        digits = "7" + compact
    else:
        raise ValidationError(
            _("Write a Kazakhstan number as +7 701 123 45 67 or 8 701 123 45 67; a foreign one with + and its code."),
            code="phone_format",
        )
    if digits.startswith("7") and len(digits) != 11:
        raise ValidationError(
            _("A Kazakhstan number has 10 digits after +7, for example +7 701 123 45 67."),
            code="phone_length",
        )
    if not 8 <= len(digits) <= 15:
        raise ValidationError(_("This does not look like a phone number."), code="phone_length")
    return "+" + digits
