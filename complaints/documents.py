"""The complaint as the citizen signs it: a draft from the form, checked field by field, and its canonical document.

The canonical document is what NCALayer signs (as detached CMS over its bytes, or inside an enveloped XML
signature). The server never trusts form fields sent beside a signature: it reads the complaint back from the signed
document (`draft_from_document`), so what is registered is exactly what was signed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from appeals.validation import one_line
from complaints.choices import ComplaintKind
from core.iin import validate_iin
from core.phone import normalise_phone
from core.text import clean_text
from knowledge.choices import Language

DOCUMENT_FORMAT = "bailanys-complaint/1"
TEXT_MAX_CHARS = 10000
NAME_MAX_CHARS = 100
# Clauses 13-15: what each type must say.
REQUIRED_BY_KIND = {
    ComplaintKind.SERVICE_ORDER: ("service", "description"),
    ComplaintKind.OFFICIAL_CONDUCT: ("organisation", "official_surname", "official_name", "reason", "demands"),
}


@dataclass(frozen=True)
class ComplaintDraft:
    """Everything the citizen states; `service` is a service's egov.kz slug, `organisation` an organisation's code,
    `territory` a KATO code (where the service was received), all as the directory knows them."""

    kind: str
    language: str
    citizen_iin: str
    citizen_name: str
    phone: str = ""
    email: str = ""
    territory: str = ""
    service: str = ""
    description: str = ""
    organisation: str = ""
    official_surname: str = ""
    official_name: str = ""
    official_patronymic: str = ""
    reason: str = ""
    demands: str = ""


def clean_draft(data: Mapping[str, Any]) -> ComplaintDraft:
    """A draft from submitted fields; every problem is reported on its field at once (ValidationError dict)."""
    errors: dict[str, list[Any]] = {}
    values = {name: _text(data.get(name, ""), name) for name in ComplaintDraft.__dataclass_fields__}
    kind = values["kind"]
    if kind not in ComplaintKind.values:
        errors["kind"] = [_("Choose the type of complaint.")]
    if values["language"] not in Language.values:
        values["language"] = Language.KAZAKH
    for name in REQUIRED_BY_KIND.get(ComplaintKind(kind), ()) if kind in ComplaintKind.values else ():
        if not values[name]:
            errors[name] = [_("This field is required for this type of complaint.")]
    _check_citizen(values, errors)
    for name in ("citizen_name", "official_surname", "official_name", "official_patronymic"):
        if len(values[name]) > NAME_MAX_CHARS:
            errors[name] = [_("At most %(count)d characters.") % {"count": NAME_MAX_CHARS}]
    for name in ("description", "reason", "demands"):
        if len(values[name]) > TEXT_MAX_CHARS:
            errors[name] = [_("At most %(count)d characters.") % {"count": TEXT_MAX_CHARS}]
    if errors:
        raise ValidationError(errors)
    return ComplaintDraft(**values)


def _text(value: Any, name: str) -> str:
    text = clean_text(str(value or ""))
    return text.strip() if name in ("description", "reason", "demands") else one_line(text)


def _check_citizen(values: dict[str, str], errors: dict[str, list[Any]]) -> None:
    try:
        values["citizen_iin"] = validate_iin(values["citizen_iin"])
    except ValidationError as error:
        errors["citizen_iin"] = list(error.messages)
    if not values["citizen_name"]:
        errors["citizen_name"] = [_("Enter your surname and name.")]
    if values["phone"]:
        try:
            values["phone"] = normalise_phone(values["phone"])
        except ValidationError as error:
            errors["phone"] = list(error.messages)
    if not values["phone"] and not values["email"]:
        errors["email"] = [_("Give a phone number or an e-mail address for the answer.")]


def canonical_document(draft: ComplaintDraft) -> bytes:
    """The bytes the citizen signs as CMS: JSON with sorted keys, UTF-8, one line; the same draft, the same bytes."""
    body = {"format": DOCUMENT_FORMAT, **asdict(draft)}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def canonical_xml(draft: ComplaintDraft) -> bytes:
    """The XML NCALayer signs with `basicsSignXML` (it adds the enveloped signature inside the root element)."""
    fields = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in sorted(asdict(draft).items()))
    return f'<?xml version="1.0" encoding="UTF-8"?><complaint format="{DOCUMENT_FORMAT}">{fields}</complaint>'.encode()


def draft_from_document(document: bytes) -> ComplaintDraft:
    """The draft a signed JSON document states, checked as a form would be (a forged document fails the same way)."""
    try:
        body = json.loads(document.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValidationError(_("The signed document is not a complaint made by this portal.")) from error
    if not isinstance(body, dict) or body.pop("format", None) != DOCUMENT_FORMAT:
        raise ValidationError(_("The signed document is not a complaint made by this portal."))
    draft = clean_draft(body)
    if canonical_document(draft) != document:
        raise ValidationError(_("The signed document is not a complaint made by this portal."))
    return draft
