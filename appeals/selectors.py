"""Reads of the registry, always through `Appeal.objects.visible_to(user)`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import get_language

from appeals.models import Appeal, AppealArticle, AppealQuerySet
from appeals.validation import one_line
from core.phone import normalise_phone

HISTORY_LIMIT = 10
OPEN_STATUSES = ("registered", "in_work")


def appeals_for(user: Any, filters: Mapping[str, Any] | None = None) -> AppealQuerySet:
    """Appeals the user may see, narrowed by the cleaned filters of `AppealFilterForm`."""
    filters = filters or {}
    appeals = Appeal.objects.visible_to(user).select_related("service", "organisation", "assigned_to")
    exact = {"status": "status", "channel": "channel", "service": "service", "email": "email", "phone": "phone"}
    for key, lookup in exact.items():
        if filters.get(key):
            appeals = appeals.filter(**{lookup: filters[key]})
    if filters.get("organisation"):
        organisation = filters["organisation"]
        appeals = appeals.filter(Q(organisation=organisation) | Q(referral_organisation=organisation))
    if filters.get("number"):
        appeals = appeals.filter(number__icontains=filters["number"])
    if filters.get("received_from"):
        appeals = appeals.filter(received_at__date__gte=filters["received_from"])
    if filters.get("received_to"):
        appeals = appeals.filter(received_at__date__lte=filters["received_to"])
    if filters.get("mine"):
        appeals = appeals.filter(assigned_to=user)
    return appeals


def open_appeals_of(user: Any) -> AppealQuerySet:
    """The consultant's own appeals still waiting for an answer ("my open appeals")."""
    return appeals_for(user, {"mine": True}).filter(status__in=OPEN_STATUSES)


def citizen_history(appeal: Appeal, *, user: Any, limit: int = HISTORY_LIMIT) -> list[Appeal]:
    """Earlier appeals from the same phone or e-mail that the user may see (screen-pop material)."""
    same_contact = Q()
    if appeal.phone:
        same_contact |= Q(phone=appeal.phone)
    if appeal.email:
        same_contact |= Q(email=appeal.email)
    if not same_contact:
        return []
    earlier = (
        Appeal.objects.visible_to(user)
        .filter(same_contact, received_at__lte=appeal.received_at)
        .exclude(pk=appeal.pk)
        .select_related("service")
        .order_by("-received_at")
    )
    return list(earlier[:limit])


def find_for_tracking(number: str, contact: str) -> Appeal | None:
    """The appeal when both its number and the contact the citizen gave match; None otherwise.

    One query whatever is wrong, so the answer tells nothing about which part did not match.
    """
    number = one_line(number or "").upper()
    contact = one_line(contact or "")
    if not number or not contact or len(number) > 40:
        return None
    if "@" in contact:
        condition = Q(email=contact.lower())
    else:
        try:
            condition = Q(phone=normalise_phone(contact))
        except ValidationError:
            condition = Q(phone=contact)  # never matches a stored (normalised) number, still one query
    return Appeal.objects.filter(condition, number=number).first()


@dataclass(frozen=True)
class ArticleUsed:
    article_id: int
    slug: str
    title: str
    attached_at: datetime


def articles_used(appeal: Appeal) -> list[ArticleUsed]:
    """Articles linked to the appeal, titled in the active language when a translation exists."""
    links = AppealArticle.objects.filter(appeal=appeal).select_related("article").order_by("attached_at", "pk")
    links = links.prefetch_related("article__translations")
    language = get_language()
    used = []
    for link in links:
        titles = {row.language: row.title for row in link.article.translations.all()}
        title = titles.get(language) or next(iter(titles.values()), link.article.slug)
        used.append(ArticleUsed(link.article_id, link.article.slug, title, link.attached_at))
    return used
