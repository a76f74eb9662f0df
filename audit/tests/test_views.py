import pytest
from django.urls import reverse

from audit.services import record_event

pytestmark = pytest.mark.django_db
URL = reverse("audit:event_list")


def test_anonymous_is_sent_to_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("who", ["consultant_client", "editor_client", "officer_client", "regulator_client"])
def test_other_roles_are_refused(who, request) -> None:  # type: ignore[no-untyped-def]
    assert request.getfixturevalue(who).get(URL).status_code == 403


def test_supervisor_reads_and_verifies_the_trail(supervisor_client, consultant) -> None:  # type: ignore[no-untyped-def]
    record_event(action="appeal.registered", actor=consultant)
    response = supervisor_client.get(URL, {"verify": "1", "action": "appeal"})
    assert response.status_code == 200
    assert b"appeal.registered" in response.content
    assert b"chain-verdict" in response.content


def test_htmx_filter_returns_only_the_table(admin_client_user, consultant) -> None:  # type: ignore[no-untyped-def]
    record_event(action="appeal.registered", actor=consultant)
    response = admin_client_user.get(URL, {"actor": "aigerim\x00<script>"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
