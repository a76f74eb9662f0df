"""Reads of the directory, for this app's pages and API and for other apps.

Names other apps rely on: `active_services`, `services_by_category`, `referral_organisations`,
`organisations_visible_to`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language

from accounts.choices import Role
from directory.choices import DataOrigin, TerritoryLevel
from directory.imports import kato_prefix
from directory.models import Organisation, Service, ServiceCategory, Territory
from directory.search import fold

FULL_READERS = (Role.EDITOR, Role.ADMIN)


def name_field() -> str:
    """The name column of the active language (Kazakh unless Russian is active)."""
    return "name_ru" if get_language() == "ru" else "name_kk"


# --- Services --------------------------------------------------------------------------------------
def active_services() -> QuerySet[Service]:
    """Active services with their category and responsible body, ordered by name in the active language."""
    return (
        Service.objects.filter(is_active=True)
        .select_related("category", "responsible_organisation")
        .order_by(name_field(), "slug")
    )


def services_by_category() -> list[tuple[ServiceCategory, list[Service]]]:
    """[(category, [its active services by name]), ...], categories by name; empty categories left out."""
    groups: dict[int, list[Service]] = {}
    for service in active_services():
        groups.setdefault(service.category_id, []).append(service)
    categories = ServiceCategory.objects.filter(pk__in=groups).order_by(name_field())
    return [(category, groups[category.pk]) for category in categories]


def service_categories() -> QuerySet[ServiceCategory]:
    return ServiceCategory.objects.annotate(
        active_services=Count("services", filter=Q(services__is_active=True))
    ).order_by(name_field())


def services_visible_to(user: Any) -> QuerySet[Service]:
    """Editors and administrators also see inactive services; everyone else the active ones."""
    if user is not None and getattr(user, "is_authenticated", False) and user.has_role(*FULL_READERS):
        return Service.objects.select_related("category", "responsible_organisation").order_by(name_field(), "slug")
    return active_services()


def services_editable_by(user: Any) -> QuerySet[Service]:
    """Editors: every service; an organisation officer: services that point at their organisation."""
    services = Service.objects.select_related("category", "responsible_organisation")
    if user.has_role(*FULL_READERS):
        return services
    if user.has_role(Role.ORG_OFFICER) and user.organisation_id:
        return services.filter(responsible_organisation_id=user.organisation_id)
    return services.none()


def filter_services(
    services: QuerySet[Service],
    *,
    category: ServiceCategory | None = None,
    query: str = "",
    inferred_only: bool = False,
    organisation: Organisation | None = None,
) -> QuerySet[Service]:
    if category is not None:
        services = services.filter(category=category)
    if organisation is not None:
        services = services.filter(responsible_organisation=organisation)
    if inferred_only:
        services = services.filter(responsible_origin=DataOrigin.INFERRED, responsible_organisation__isnull=False)
    for term in fold(query).split()[:10]:
        services = services.filter(search_key__contains=term)
    return services


# --- Organisations -----------------------------------------------------------------------------------
def organisations_visible_to(user: Any) -> QuerySet[Organisation]:
    """Editors and administrators see inactive organisations too; everyone else the active ones."""
    organisations = Organisation.objects.select_related("territory").order_by("kind", name_field())
    if user is not None and getattr(user, "is_authenticated", False) and user.has_role(*FULL_READERS):
        return organisations
    return organisations.filter(is_active=True)


def referral_organisations() -> QuerySet[Organisation]:
    """Active organisations a consultant may refer a citizen to (clause 10), with their territory."""
    return Organisation.objects.filter(is_active=True).select_related("territory").order_by("kind", name_field())


def organisations_editable_by(user: Any) -> QuerySet[Organisation]:
    """Editors: every organisation's contacts; an organisation officer: their own."""
    if user.has_role(*FULL_READERS):
        return Organisation.objects.all()
    if user.has_role(Role.ORG_OFFICER) and user.organisation_id:
        return Organisation.objects.filter(pk=user.organisation_id)
    return Organisation.objects.none()


def filter_organisations(
    organisations: QuerySet[Organisation], *, kind: str = "", territory: Territory | None = None, query: str = ""
) -> QuerySet[Organisation]:
    if kind:
        organisations = organisations.filter(kind=kind)
    if territory is not None:
        organisations = organisations.filter(territory__kato__startswith=kato_prefix(territory))
    for term in fold(query).split()[:10]:
        organisations = organisations.filter(search_key__contains=term)
    return organisations


def responsible_choices_for(user: Any) -> QuerySet[Organisation]:
    """Organisations `user` may name as a service's responsible body."""
    organisations = referral_organisations()
    if user.has_role(*FULL_READERS):
        return organisations
    return organisations.filter(pk=user.organisation_id) if user.organisation_id else organisations.none()


# --- Territories --------------------------------------------------------------------------------------
def oblasts() -> QuerySet[Territory]:
    return Territory.objects.filter(level=TerritoryLevel.OBLAST).order_by(name_field())


def territory_children(territory: Territory) -> QuerySet[Territory]:
    return territory.children.order_by("level", name_field())


def territory_ancestors(territory: Territory) -> list[Territory]:
    """From the oblast down to the territory's parent."""
    chain: list[Territory] = []
    current = territory.parent
    while current is not None and len(chain) < 5:
        chain.append(current)
        current = current.parent
    return list(reversed(chain))
