"""Masking of personal data (IIN, phone, e-mail, names) for logs and lists."""

import re

# Bounded so that ids, hashes, UUIDs and decimals are left alone.
_IIN = re.compile(r"(?<![\w.])(\d{6})\d{6}(?![\w.])")
_PHONE = re.compile(
    r"(?<![\w.+])(\+\d[\d\s\-()]{8,16}\d|[78][\s\-(]*\d{3}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2})(?![\w.])"
)
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)")


def mask_iin(value: str) -> str:
    return value[:2] + "*" * 8 + value[-2:] if len(value) == 12 else "*" * len(value)


def mask_phone(value: str) -> str:
    digits = value.lstrip("+")
    if len(digits) < 6:
        return "*" * len(value)
    return ("+" if value.startswith("+") else "") + digits[:4] + "*" * (len(digits) - 6) + digits[-2:]


def mask_email(value: str) -> str:
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", value)


def mask_name(value: str) -> str:
    return " ".join(part[:1] + "***" for part in value.split())


def mask_text(text: str) -> str:
    """Mask every IIN, phone number and e-mail address found in free text."""
    text = _IIN.sub(lambda m: m.group(1)[:2] + "*" * 8 + m.group(0)[-2:], text)
    text = _PHONE.sub(lambda m: mask_phone(re.sub(r"[\s\-()]", "", m.group(1))), text)
    return mask_email(text)
