"""The IIN (individual identification number): 12 digits with a check digit.

The check digit is the weighted sum of the first 11 digits modulo 11 with weights 1..11;
when that gives 10, weights 3..11,1,2 are used; when that gives 10 too, the number is invalid.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_FIRST_WEIGHTS = tuple(range(1, 12))
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def iin_check_digit(first_eleven: str) -> int | None:
    digits = [int(ch) for ch in first_eleven]
    for weights in (_FIRST_WEIGHTS, _SECOND_WEIGHTS):
        check = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if check != 10:
            return check
    return None


def is_valid_iin(value: str) -> bool:
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        return False
    return iin_check_digit(value[:11]) == int(value[11])


def validate_iin(value: str) -> str:
    """Return the IIN stripped of spaces, or raise ValidationError."""
    compact = (value or "").replace(" ", "")
    if len(compact) != 12 or not compact.isascii() or not compact.isdigit():
        raise ValidationError(_("An IIN has exactly 12 digits."), code="iin_format")
    if not is_valid_iin(compact):
        raise ValidationError(
            _("This IIN is not valid: its check digit does not match. Please check each digit."),
            code="iin_checksum",
        )
    return compact
