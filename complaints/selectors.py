"""Reads of complaints for the portal (the citizen's pages) and the staff pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from appeals.validation import one_line
from complaints.models import Complaint, ComplaintQuerySet
from core.phone import normalise_phone
from directory.choices import OrganisationKind
from directory.models import Organisation, Service

NUMBER_MAX_CHARS = 40
# Type 2 complaints concern officials of state bodies or public service centers (clause 13): everyone but the
# contact center itself.
COMPLAINED_ABOUT_KINDS = [kind for kind in OrganisationKind.values if kind != OrganisationKind.CONTACT_CENTER]


def services_for_form() -> QuerySet[Service]:
    """Type 1: the public services a complaint may name (active ones, by Kazakh name)."""
    return Service.objects.filter(is_active=True).select_related("responsible_organisation").order_by("name_kk")


def organisations_for_form() -> QuerySet[Organisation]:
    """Type 2: state bodies and public service centers whose officials a complaint may concern."""
    return Organisation.objects.filter(is_active=True, kind__in=COMPLAINED_ABOUT_KINDS).order_by("kind", "name_kk")


def find_for_citizen(*, number: str, iin_or_contact: str) -> Complaint | None:
    """The complaint when its number and the citizen's IIN, phone or e-mail both match; None otherwise.

    One query whatever is wrong, so the answer tells nothing about which part did not match.
    """
    number = one_line(number or "").upper()
    given = one_line(iin_or_contact or "")
    if not number or not given or len(number) > NUMBER_MAX_CHARS:
        return None
    if "@" in given:
        condition = Q(email=given.lower())
    elif given.isdigit() and len(given) == 12:
        condition = Q(citizen_iin=given)
    else:
        try:
            condition = Q(phone=normalise_phone(given))
        except ValidationError:
            condition = Q(phone=given)  # never matches a stored (normalised) number; still one query
    found = Complaint.objects.filter(condition, number=number).select_related("routed_to", "service", "organisation")
    return found.first()


def complaints_for(user: Any) -> ComplaintQuerySet:
    """The staff list: what the user may see, with what the list shows."""
    return Complaint.objects.visible_to(user).select_related("routed_to", "service", "organisation")


def triage_list(user: Any) -> ComplaintQuerySet:
    return complaints_for(user).filter(status="in_triage").order_by("due_at", "filed_at")
