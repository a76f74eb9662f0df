"""Clause 16: which body is competent for a complaint.

Administrators' rules come first (lowest priority number first; a rule whose target cannot be found is passed
over). Without a matching rule: a type 1 complaint goes to the service's responsible body, a type 2 complaint to the
body or center it names; failing that, to the akimat of the territory (found by walking up the KATO tree). What none
of this finds goes to the supervisors' triage list.
"""

from __future__ import annotations

from dataclasses import dataclass

from complaints.choices import ComplaintKind, RoutingBasis, RoutingTarget
from complaints.models import Complaint, RoutingRule
from directory.choices import OrganisationKind
from directory.models import Organisation, Territory

# Local executive bodies, nearest first when several sit on one territory.
AKIMAT_KINDS = (OrganisationKind.VILLAGE_AKIMAT, OrganisationKind.DISTRICT_AKIMAT, OrganisationKind.REGIONAL_AKIMAT)
TREE_DEPTH = 8


@dataclass(frozen=True)
class Route:
    organisation: Organisation | None
    basis: str
    rule: RoutingRule | None = None


def find_route(complaint: Complaint) -> Route:
    for rule in RoutingRule.objects.filter(is_active=True).select_related("target_organisation", "service"):
        if matches(rule, complaint):
            target = resolve_target(rule.target, complaint, rule.target_organisation)
            if target is not None:
                return Route(target, RoutingBasis.RULE, rule)
    if complaint.kind == ComplaintKind.SERVICE_ORDER and complaint.service is not None:
        body = complaint.service.responsible_organisation
        if body is not None and body.is_active:
            return Route(body, RoutingBasis.SERVICE)
    named = complaint.organisation
    if complaint.kind == ComplaintKind.OFFICIAL_CONDUCT and named is not None and named.is_active:
        return Route(named, RoutingBasis.ORGANISATION)
    akimat = local_akimat(complaint.territory)
    if akimat is not None:
        return Route(akimat, RoutingBasis.TERRITORY)
    return Route(None, RoutingBasis.NONE)


def concerned_organisation(complaint: Complaint) -> Organisation | None:
    """The organisation the complaint is about: the one named, else the service's responsible body."""
    if complaint.organisation is not None:
        return complaint.organisation
    return complaint.service.responsible_organisation if complaint.service is not None else None


def matches(rule: RoutingRule, complaint: Complaint) -> bool:
    if rule.complaint_kind and rule.complaint_kind != complaint.kind:
        return False
    if rule.service_id is not None and rule.service_id != complaint.service_id:
        return False
    if rule.kato_prefix and not (complaint.territory_id or complaint.stated_territory or "").startswith(
        rule.kato_prefix
    ):
        return False
    if rule.organisation_kind:
        concerned = concerned_organisation(complaint)
        if concerned is None or concerned.kind != rule.organisation_kind:
            return False
    return True


def resolve_target(target: str, complaint: Complaint, named: Organisation | None) -> Organisation | None:
    if target == RoutingTarget.ORGANISATION:
        return named if named is not None and named.is_active else None
    if target == RoutingTarget.RESPONSIBLE_BODY:
        body = complaint.service.responsible_organisation if complaint.service is not None else None
        return body if body is not None and body.is_active else None
    if target == RoutingTarget.LOCAL_AKIMAT:
        return local_akimat(complaint.territory)
    if target == RoutingTarget.SERVICE_CENTER:
        return _on_territory(complaint.territory, (OrganisationKind.SERVICE_CENTER,))
    return None


def local_akimat(territory: Territory | None) -> Organisation | None:
    """The akimat whose territory contains this one: the territory's own, else its parent's, and so on up."""
    return _on_territory(territory, AKIMAT_KINDS)


def _on_territory(territory: Territory | None, kinds: tuple[str, ...]) -> Organisation | None:
    current = territory
    for _level in range(TREE_DEPTH):
        if current is None:
            return None
        found = list(Organisation.objects.filter(territory=current, kind__in=kinds, is_active=True).order_by("pk"))
        if found:
            return min(found, key=lambda organisation: kinds.index(organisation.kind))
        current = current.parent
    return None
