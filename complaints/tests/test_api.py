"""The API for bodies' own systems: an integration account of a body takes, verifies and answers its complaints."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.choices import Role
from audit.models import AuditEvent
from complaints.choices import ComplaintStatus
from complaints.eds.verifier import Status, verify
from complaints.tests.pki import CITIZEN_IIN
from conftest import PASSWORD

pytestmark = [pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning")]


def api_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def integration_of(organisation, username: str = "mvd-system"):  # type: ignore[no-untyped-def]
    from accounts.services import create_staff_user

    return create_staff_user(username=username, password=PASSWORD, role=Role.INTEGRATION, organisation=organisation)


@pytest.fixture
def complaint(file_signed, passport_service):  # type: ignore[no-untyped-def]
    return file_signed()


@pytest.mark.django_db
def test_the_bodys_system_lists_takes_and_verifies_its_complaint(organisation, complaint, eds_dirs) -> None:  # type: ignore[no-untyped-def]
    # given
    client = api_for(integration_of(organisation))
    # when
    listed = client.get("/api/v1/complaints/")
    fetched = client.get(f"/api/v1/complaints/{complaint.number}/")
    # then
    assert listed.status_code == 200 and [c["number"] for c in listed.json()["results"]] == [complaint.number]
    body = fetched.json()
    assert fetched.status_code == 200 and body["routed_to"] == organisation.code
    document, signature = base64.b64decode(body["document"]), base64.b64decode(body["signature"])
    assert verify(document, signature, expected_iin=body["citizen_iin"]).status is Status.VALID
    assert body["citizen_iin"] == CITIZEN_IIN and body["signature_status"] == "valid"
    assert AuditEvent.objects.filter(action="complaint.personal_data_read", object_id=str(complaint.pk)).exists()


@pytest.mark.django_db
def test_updated_since_gives_the_delta(organisation, complaint) -> None:  # type: ignore[no-untyped-def]
    client = api_for(integration_of(organisation))
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    earlier = (complaint.updated_at - timedelta(seconds=1)).isoformat()
    assert client.get("/api/v1/complaints/", {"updated_since": later}).json()["results"] == []
    assert len(client.get("/api/v1/complaints/", {"updated_since": earlier}).json()["results"]) == 1
    assert client.get("/api/v1/complaints/", {"updated_since": "yesterday"}).status_code == 400


@pytest.mark.django_db
def test_updated_since_takes_any_offset_and_refuses_impossible_dates(organisation, complaint) -> None:  # type: ignore[no-untyped-def]
    client = api_for(integration_of(organisation))
    # an offset PostgreSQL would refuse (past 15:59) is the same moment in UTC
    far_west = client.get("/api/v1/complaints/", {"updated_since": "0497-11-04T20:11:04-17:00"})
    assert far_west.status_code == 200 and len(far_west.json()["results"]) == 1
    assert client.get("/api/v1/complaints/", {"updated_since": "2026-13-01T00:00:00+05:00"}).status_code == 400


@pytest.mark.django_db
def test_the_bodys_system_answers(organisation, complaint) -> None:  # type: ignore[no-untyped-def]
    # when
    response = api_for(integration_of(organisation)).post(
        f"/api/v1/complaints/{complaint.number}/answer/", {"answer": "Шағым қаралды."}, format="json"
    )
    # then
    assert response.status_code == 200 and response.json()["status"] == ComplaintStatus.ANSWERED
    complaint.refresh_from_db()
    assert complaint.answer == "Шағым қаралды."


@pytest.mark.django_db
def test_the_bodys_system_passes_on_with_a_reason(organisation, other_organisation, complaint) -> None:  # type: ignore[no-untyped-def]
    client = api_for(integration_of(organisation))
    url = f"/api/v1/complaints/{complaint.number}/pass-on/"
    # when
    without = client.post(url, {"organisation": other_organisation.code, "reason": ""}, format="json")
    unknown = client.post(url, {"organisation": "nobody", "reason": "Біз емес."}, format="json")
    passed = client.post(url, {"organisation": other_organisation.code, "reason": "Біз емес."}, format="json")
    # then
    assert without.status_code == 400 and unknown.status_code == 400
    assert passed.status_code == 200 and passed.json()["routed_to"] == other_organisation.code
    # and it is gone from this body's list
    assert client.get(f"/api/v1/complaints/{complaint.number}/").status_code == 404


@pytest.mark.django_db
def test_another_bodys_system_and_an_unlinked_account_see_nothing(other_organisation, integration, complaint) -> None:  # type: ignore[no-untyped-def]
    other = api_for(integration_of(other_organisation, "mz-system"))
    unlinked = api_for(integration)
    for client in (other, unlinked):
        assert client.get("/api/v1/complaints/").json()["results"] == []
        assert client.get(f"/api/v1/complaints/{complaint.number}/").status_code == 404
        answer = client.post(f"/api/v1/complaints/{complaint.number}/answer/", {"answer": "Иә."}, format="json")
        assert answer.status_code == 404


@pytest.mark.django_db
def test_anonymous_and_other_roles_are_refused(regulator, consultant, complaint) -> None:  # type: ignore[no-untyped-def]
    assert APIClient().get("/api/v1/complaints/").status_code in (401, 403)
    assert api_for(regulator).get("/api/v1/complaints/").status_code == 403
    answer = api_for(consultant).post(f"/api/v1/complaints/{complaint.number}/answer/", {"answer": "Иә."})
    assert answer.status_code == 403


@pytest.mark.django_db
def test_an_officer_uses_the_api_for_their_body(officer, outsider, complaint) -> None:  # type: ignore[no-untyped-def]
    assert api_for(officer).get(f"/api/v1/complaints/{complaint.number}/").status_code == 200
    assert api_for(outsider).get(f"/api/v1/complaints/{complaint.number}/").status_code == 404
