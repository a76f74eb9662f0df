"""Edits through the services: organisation contacts and a service's responsible body."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from directory.choices import DataOrigin
from directory.models import Organisation
from directory.services import set_service_responsible_body, update_organisation_contacts

CONTACTS = {
    "phone": "+7 7172 72 24 24, 8 800 080 7777",
    "email": "kense@mvd.gov.kz",
    "website": "https://www.gov.kz/memleket/entities/qriim",
    "address_kk": "Астана қ., Тәуелсіздік даңғылы, 1",
    "address_ru": "г. Астана, проспект Тауелсиздик, 1",
}


@pytest.mark.django_db
def test_officer_updates_own_organisation_contacts_and_it_is_audited(officer, organisation):
    # when
    updated = update_organisation_contacts(organisation=organisation, actor=officer, **CONTACTS)

    # then
    assert updated.phone == CONTACTS["phone"]
    assert updated.address_kk == CONTACTS["address_kk"]
    event = AuditEvent.objects.get(action="directory.organisation_contacts_updated")
    assert event.actor == officer
    assert event.object_id == str(organisation.pk)
    assert "phone" in event.details["changed"]


@pytest.mark.django_db
def test_unchanged_contacts_write_no_audit_record(editor, organisation):
    # given
    update_organisation_contacts(organisation=organisation, actor=editor, **CONTACTS)

    # when the same values are saved again
    update_organisation_contacts(organisation=organisation, actor=editor, **CONTACTS)

    # then
    assert AuditEvent.objects.filter(action="directory.organisation_contacts_updated").count() == 1


@pytest.mark.django_db
def test_officer_may_not_update_another_organisation(outsider, organisation):
    with pytest.raises(ValidationError) as error:
        update_organisation_contacts(organisation=organisation, actor=outsider, **CONTACTS)
    assert "__all__" in error.value.message_dict


@pytest.mark.django_db
def test_consultant_may_not_update_contacts(consultant, organisation):
    with pytest.raises(ValidationError):
        update_organisation_contacts(organisation=organisation, actor=consultant, **CONTACTS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("email", "kense@@mvd"),
        ("website", "www.gov.kz"),
        ("website", "javascript:alert(1)"),
        ("phone", "call us"),
        ("phone", "<script>alert(1)</script>"),
        ("address_kk", "x" * 501),
        ("address_ru", "Астана\x00"),
    ],
)
def test_bad_contacts_are_refused_per_field(editor, organisation, field, value):
    # when
    with pytest.raises(ValidationError) as error:
        update_organisation_contacts(organisation=organisation, actor=editor, **{**CONTACTS, field: value})

    # then only that field is named, and nothing was saved
    assert list(error.value.message_dict) == [field]
    organisation.refresh_from_db()
    assert organisation.email == "kense@mvd.gov.kz"


@pytest.mark.django_db
def test_contacts_may_be_emptied(editor, organisation):
    # when
    updated = update_organisation_contacts(
        organisation=organisation, actor=editor, phone="", email="", website="", address_kk="", address_ru=""
    )

    # then
    assert not updated.has_contacts


@pytest.mark.django_db
def test_contacts_accept_emoji_and_rtl_marks_in_addresses(editor, organisation):
    # when
    updated = update_organisation_contacts(
        organisation=organisation, actor=editor, **{**CONTACTS, "address_ru": "Астана 🏛 \u200fкорпус"}
    )

    # then it is stored as typed (cleaned of control characters only)
    assert updated.address_ru == "Астана 🏛 \u200fкорпус"


@pytest.mark.django_db
def test_editor_sets_any_responsible_body_which_becomes_confirmed(real_services, editor):
    # given an inferred МВД service
    service = next(service for service in real_services if service.slug == "00203002_mvd")
    mid = Organisation.objects.get(code="mid")

    # when
    updated = set_service_responsible_body(service=service, organisation=mid, actor=editor)

    # then
    assert updated.responsible_organisation == mid
    assert updated.responsible_origin == DataOrigin.CONFIRMED
    assert updated.responsible_basis == ""
    assert not updated.responsible_inferred
    event = AuditEvent.objects.get(action="directory.service_responsible_body_set")
    assert event.details["before"]["origin"] == DataOrigin.INFERRED
    assert event.details["after"]["organisation"] == mid.pk


@pytest.mark.django_db
def test_officer_confirms_a_service_of_their_organisation(real_services, officer):
    # given a service inferred to belong to the officer's organisation (МВД)
    service = next(service for service in real_services if service.slug == "00203002_mvd")
    assert service.responsible_organisation_id == officer.organisation_id

    # when
    updated = set_service_responsible_body(service=service, organisation=officer.organisation, actor=officer)

    # then
    assert updated.responsible_origin == DataOrigin.CONFIRMED


@pytest.mark.django_db
def test_officer_may_say_a_service_is_not_theirs(real_services, officer):
    # given
    service = next(service for service in real_services if service.slug == "00203002_mvd")

    # when
    updated = set_service_responsible_body(service=service, organisation=None, actor=officer)

    # then the service no longer points at anyone
    assert updated.responsible_organisation is None
    assert not updated.responsible_inferred


@pytest.mark.django_db
def test_officer_may_not_hand_a_service_to_another_organisation(real_services, officer):
    # given
    service = next(service for service in real_services if service.slug == "00203002_mvd")
    mid = Organisation.objects.get(code="mid")

    # when / then
    with pytest.raises(ValidationError) as error:
        set_service_responsible_body(service=service, organisation=mid, actor=officer)
    assert "organisation" in error.value.message_dict


@pytest.mark.django_db
def test_officer_may_not_touch_a_service_of_another_organisation(real_services, outsider):
    # given an МВД service and an officer of the МЗ
    service = next(service for service in real_services if service.slug == "00203002_mvd")

    # when / then
    with pytest.raises(ValidationError):
        set_service_responsible_body(service=service, organisation=outsider.organisation, actor=outsider)


@pytest.mark.django_db
def test_inactive_organisation_cannot_be_made_responsible(real_services, editor):
    # given
    service = real_services[0]
    closed = Organisation.objects.get(code="mid")
    Organisation.objects.filter(pk=closed.pk).update(is_active=False)
    closed.refresh_from_db()

    # when / then
    with pytest.raises(ValidationError):
        set_service_responsible_body(service=service, organisation=closed, actor=editor)
