"""Masking filters for lists of appeals (the detail page shows contacts in clear and audits it)."""

from django import template

from core.masking import mask_email, mask_name, mask_phone

register = template.Library()


@register.filter
def masked_phone(value: str) -> str:
    return mask_phone(value) if value else ""


@register.filter
def masked_email(value: str) -> str:
    return mask_email(value) if value else ""


@register.filter
def masked_name(value: str) -> str:
    return mask_name(value) if value else ""
