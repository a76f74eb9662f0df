"""Selectors other apps use: names and behaviour they rely on."""

import pytest
from django.utils import translation

from directory.models import Organisation, Service
from directory.selectors import (
    active_services,
    organisations_visible_to,
    referral_organisations,
    services_by_category,
    services_editable_by,
)


@pytest.mark.django_db
def test_active_services_are_ordered_by_name_in_the_active_language(real_services):
    # given one inactive service
    Service.objects.filter(slug="00203002_mvd").update(is_active=False)

    # when
    with translation.override("kk"):
        kazakh = [service.name_kk for service in active_services()]
    with translation.override("ru"):
        russian = [service.name_ru for service in active_services()]

    # then
    assert len(kazakh) == len(real_services) - 1
    assert kazakh == sorted(kazakh)
    assert russian == sorted(russian)


@pytest.mark.django_db
def test_services_by_category_groups_the_active_services(real_services):
    # when
    groups = services_by_category()

    # then
    assert len(groups) == 12
    assert sum(len(services) for _category, services in groups) == len(real_services)
    assert all(service.category == category for category, services in groups for service in services)


@pytest.mark.django_db
def test_referral_organisations_leave_out_inactive_ones(real_services):
    # given
    Organisation.objects.filter(code="mid").update(is_active=False)

    # when
    codes = set(referral_organisations().values_list("code", flat=True))

    # then
    assert "mvd" in codes
    assert "mid" not in codes
    assert len(codes) == 31


@pytest.mark.django_db
def test_organisations_visible_to_editors_include_inactive(real_services, editor, consultant):
    # given
    Organisation.objects.filter(code="mid").update(is_active=False)

    # then
    assert organisations_visible_to(editor).filter(code="mid").exists()
    assert not organisations_visible_to(consultant).filter(code="mid").exists()
    assert not organisations_visible_to(None).filter(code="mid").exists()


@pytest.mark.django_db
def test_officer_may_edit_only_services_pointing_at_their_organisation(real_services, officer, consultant, editor):
    # then
    editable = services_editable_by(officer)
    assert editable.exists()
    assert set(editable.values_list("responsible_organisation", flat=True)) == {officer.organisation_id}
    assert not services_editable_by(consultant).exists()
    assert services_editable_by(editor).count() == len(real_services)
