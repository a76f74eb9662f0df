"""Clause 16: each complaint goes to the body competent for it; what no rule finds goes to the supervisors."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from complaints.choices import ComplaintKind, ComplaintStatus, RoutingBasis, RoutingTarget
from complaints.models import RoutingRule
from complaints.services import assign_from_triage, route_complaint
from conftest import client_for

pytestmark = [pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning")]

OFFICIALS = {
    "kind": ComplaintKind.OFFICIAL_CONDUCT,
    "service": "",
    "description": "",
    "official_surname": "Сапаров",
    "official_name": "Ерлан",
    "reason": "Құжатты қабылдаудан бас тартты.",
    "demands": "Құжатты қабылдауды талап етемін.",
}


@pytest.mark.django_db
def test_a_service_complaint_goes_to_the_services_responsible_body(file_signed, passport_service, organisation) -> None:  # type: ignore[no-untyped-def]
    # when
    complaint = file_signed()
    # then
    assert complaint.routed_to == organisation
    assert complaint.routing_basis == RoutingBasis.SERVICE and complaint.status == ComplaintStatus.DELIVERED


@pytest.mark.django_db
def test_without_a_responsible_body_the_territory_leads_to_its_akimat(file_signed, passport_service, region) -> None:  # type: ignore[no-untyped-def]
    # given a service nobody is known to be responsible for, received in a village of the region
    passport_service.responsible_organisation = None
    passport_service.save()
    # when
    complaint = file_signed(territory=region["village"].kato)
    # then the akimat is found by walking up the KATO tree: village → district → region
    assert complaint.territory == region["village"]
    assert complaint.routed_to == region["akimat"] and complaint.routing_basis == RoutingBasis.TERRITORY


@pytest.mark.django_db
def test_a_complaint_about_officials_goes_to_the_body_it_names(file_signed, region) -> None:  # type: ignore[no-untyped-def]
    # when
    complaint = file_signed(**OFFICIALS, organisation=region["center"].code)
    # then
    assert complaint.routed_to == region["center"] and complaint.routing_basis == RoutingBasis.ORGANISATION
    assert complaint.official_full_name == "Сапаров Ерлан"


@pytest.mark.django_db
def test_a_rule_an_administrator_adds_wins(  # type: ignore[no-untyped-def]
    file_signed, passport_service, other_organisation, administrator
) -> None:
    # given an administrator sends passport complaints elsewhere, through the admin site
    response = client_for(administrator).post(
        "/admin/complaints/routingrule/add/",
        {
            "name": "Паспорт → МЗ",
            "priority": 10,
            "is_active": "on",
            "complaint_kind": ComplaintKind.SERVICE_ORDER,
            "service": passport_service.pk,
            "organisation_kind": "",
            "kato_prefix": "",
            "target": RoutingTarget.ORGANISATION,
            "target_organisation": other_organisation.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = RoutingRule.objects.get()
    assert AuditEvent.objects.filter(action="complaints.routing_rule_added", object_id=str(rule.pk)).exists()
    # when
    complaint = file_signed()
    # then
    assert complaint.routed_to == other_organisation
    assert complaint.routing_basis == RoutingBasis.RULE and complaint.routing_rule == rule


@pytest.mark.django_db
def test_the_admin_site_refuses_a_supervisor(supervisor_client) -> None:  # type: ignore[no-untyped-def]
    # when
    response = supervisor_client.get("/admin/complaints/routingrule/")
    # then
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_rules_go_by_priority_and_a_rule_whose_target_is_missing_is_passed_over(  # type: ignore[no-untyped-def]
    file_signed, passport_service, region
) -> None:
    # given a first rule to a service center no territory has here, and a second to the akimat of the territory
    RoutingRule.objects.create(name="ЦОН", priority=1, target=RoutingTarget.SERVICE_CENTER, kato_prefix="10")
    RoutingRule.objects.create(name="Әкімдік", priority=2, target=RoutingTarget.LOCAL_AKIMAT, kato_prefix="10")
    # when a complaint from the region (no service center above the region itself)
    from_region = file_signed(territory=region["oblast"].kato)
    # and one from the district, which has its service center
    from_district = file_signed(territory=region["district"].kato, description="Екінші шағым.")
    # then
    assert from_region.routed_to == region["akimat"] and from_region.routing_rule.name == "Әкімдік"
    assert from_district.routed_to == region["center"] and from_district.routing_rule.name == "ЦОН"


@pytest.mark.django_db
def test_a_rule_for_another_territory_does_not_match(file_signed, passport_service, other_organisation, region) -> None:  # type: ignore[no-untyped-def]
    # given
    RoutingRule.objects.create(
        name="Алматы", target=RoutingTarget.ORGANISATION, target_organisation=other_organisation, kato_prefix="75"
    )
    # when
    complaint = file_signed(territory=region["district"].kato)
    # then the default applies
    assert complaint.routed_to == passport_service.responsible_organisation


@pytest.mark.django_db
def test_what_cannot_be_routed_goes_to_triage_and_a_supervisor_assigns_it(  # type: ignore[no-untyped-def]
    file_signed, supervisor, organisation
) -> None:
    # given a complaint about an organisation the directory does not know, with no territory
    complaint = file_signed(**OFFICIALS, organisation="unknown-body")
    assert complaint.status == ComplaintStatus.IN_TRIAGE and complaint.routed_to is None
    assert complaint.stated_organisation == "unknown-body" and complaint.due_at is not None
    # when
    assign_from_triage(complaint=complaint, supervisor=supervisor, organisation=organisation)
    # then
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.DELIVERED and complaint.routed_to == organisation
    assert complaint.routing_basis == RoutingBasis.SUPERVISOR
    assert AuditEvent.objects.filter(action="complaints.assigned", actor=supervisor).exists()


@pytest.mark.django_db
def test_routing_again_follows_a_rule_added_later(file_signed, supervisor, other_organisation) -> None:  # type: ignore[no-untyped-def]
    # given
    complaint = file_signed(**OFFICIALS, organisation="unknown-body")
    RoutingRule.objects.create(
        name="Все жалобы на должностных лиц",
        complaint_kind=ComplaintKind.OFFICIAL_CONDUCT,
        target=RoutingTarget.ORGANISATION,
        target_organisation=other_organisation,
    )
    # when
    route_complaint(complaint=complaint, actor=supervisor)
    # then
    complaint.refresh_from_db()
    assert complaint.routed_to == other_organisation and complaint.status == ComplaintStatus.DELIVERED
