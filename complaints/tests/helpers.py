"""Complaints as the portal would send them: a draft, its canonical document, and NCALayer-shaped signatures."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from complaints.choices import ComplaintKind
from complaints.documents import ComplaintDraft, canonical_document, canonical_xml
from complaints.tests.pki import CITIZEN_IIN, Holder, detached_cms, enveloped_xml


def draft(**overrides: Any) -> ComplaintDraft:
    values: dict[str, Any] = {
        "kind": ComplaintKind.SERVICE_ORDER,
        "language": "kk",
        "citizen_iin": CITIZEN_IIN,
        "citizen_name": "Тестов Тест Тестович",
        "phone": "+77011234567",
        "email": "citizen@example.kz",
        "service": "passport",
        "description": "Құжат мерзімінде берілмеді.",
    }
    return replace(ComplaintDraft(**values), **overrides)


def signed_cms(signer: Holder, complaint: ComplaintDraft, **options: Any) -> tuple[bytes, bytes]:
    document = canonical_document(complaint)
    return document, detached_cms(signer, document, **options)


def signed_xml(signer: Holder, complaint: ComplaintDraft) -> tuple[bytes, bytes]:
    document = canonical_xml(complaint)
    return document, enveloped_xml(signer, document)


def almaty(*args: int) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime(*args, tzinfo=ZoneInfo("Asia/Almaty"))
