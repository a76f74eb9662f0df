"""Staff pages: the body's officers answer or pass on; supervisors route triage; everyone else is kept out."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from complaints.choices import ComplaintStatus
from complaints.selectors import find_for_citizen
from complaints.tests.pki import CITIZEN_IIN

pytestmark = [pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning")]


@pytest.fixture
def complaint(file_signed, passport_service):  # type: ignore[no-untyped-def]
    return file_signed()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["complaints:list", "complaints:triage"])
def test_anonymous_is_sent_to_sign_in(client, name: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in_from_a_complaint(client, complaint) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role_client", ["regulator_client", "editor_client"])
def test_other_roles_are_refused(request, role_client: str, complaint) -> None:  # type: ignore[no-untyped-def]
    client = request.getfixturevalue(role_client)
    assert client.get(reverse("complaints:list")).status_code == 403
    assert client.get(reverse("complaints:detail", args=[complaint.pk])).status_code == 403


@pytest.mark.django_db
def test_the_officer_sees_their_bodys_complaint_with_its_evidence(officer_client, complaint) -> None:  # type: ignore[no-untyped-def]
    # when
    listed = officer_client.get(reverse("complaints:list"))
    detail = officer_client.get(reverse("complaints:detail", args=[complaint.pk]))
    # then
    assert complaint.number in listed.content.decode()
    assert 'data-testid="clock-state"' in listed.content.decode()
    page = detail.content.decode()
    assert detail.status_code == 200
    assert complaint.signature_sha256 in page and complaint.certificate_serial in page
    assert 'data-testid="answer-form"' in page and 'data-testid="pass-on-form"' in page
    assert AuditEvent.objects.filter(action="complaint.personal_data_read", object_id=str(complaint.pk)).exists()


@pytest.mark.django_db
def test_an_officer_of_another_body_gets_a_404_and_it_is_audited(outsider_client, outsider, complaint) -> None:  # type: ignore[no-untyped-def]
    # when
    response = outsider_client.get(reverse("complaints:detail", args=[complaint.pk]))
    answer = outsider_client.post(reverse("complaints:answer", args=[complaint.pk]), {"answer": "Жоқ."})
    # then
    assert response.status_code == 404 and answer.status_code == 404
    assert complaint.number not in outsider_client.get(reverse("complaints:list")).content.decode()
    assert AuditEvent.objects.filter(action="complaints.access_denied", actor=outsider).count() == 2
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.DELIVERED


@pytest.mark.django_db
def test_the_officers_answer_reaches_the_citizen_by_mail_and_on_tracking(  # type: ignore[no-untyped-def]
    officer_client, officer, complaint, smtp_inbox, django_capture_on_commit_callbacks
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            reverse("complaints:answer", args=[complaint.pk]), {"answer": "Паспортыңыз 20 желтоқсанда дайын."}
        )
    # then
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ANSWERED and complaint.answered_by == officer
    assert complaint.met_deadline is True and complaint.answer_sent_at is not None
    message = next(m for m in smtp_inbox.wait_for(1) if m["To"] == "citizen@example.kz")
    assert "Паспортыңыз 20 желтоқсанда дайын." in message.get_payload(decode=True).decode()
    # and the registry follows without mailing the citizen a second time
    assert complaint.appeal.status == "answered" and complaint.appeal.answer == "Паспортыңыз 20 желтоқсанда дайын."
    assert [m["To"] for m in smtp_inbox.messages].count("citizen@example.kz") == 1
    # and the portal's tracking finds it by number and IIN, phone or e-mail — not by someone else's
    for given in (CITIZEN_IIN, "+7 701 123 45 67", "Citizen@Example.kz"):
        found = find_for_citizen(number=complaint.number.lower(), iin_or_contact=given)
        assert found == complaint and found.answer == "Паспортыңыз 20 желтоқсанда дайын."
    assert find_for_citizen(number=complaint.number, iin_or_contact="900215400132") is None
    assert find_for_citizen(number=complaint.number, iin_or_contact="") is None


@pytest.mark.django_db
def test_passing_on_needs_a_reason(officer_client, complaint, other_organisation) -> None:  # type: ignore[no-untyped-def]
    url = reverse("complaints:pass_on", args=[complaint.pk])
    # when
    refused = officer_client.post(url, {"organisation": other_organisation.pk, "reason": "  "})
    passed = officer_client.post(url, {"organisation": other_organisation.pk, "reason": "МЗ құзыреті."})
    # then
    assert refused.status_code == 400
    assert passed.status_code == 302
    complaint.refresh_from_db()
    assert complaint.routed_to == other_organisation and complaint.status == ComplaintStatus.PASSED_ON
    assert complaint.events.get(kind="passed_on").note == "МЗ құзыреті."
    # and the first body no longer sees it
    assert officer_client.get(reverse("complaints:detail", args=[complaint.pk])).status_code == 404


@pytest.mark.django_db
def test_consultants_read_but_do_not_answer(consultant_client, complaint) -> None:  # type: ignore[no-untyped-def]
    assert consultant_client.get(reverse("complaints:detail", args=[complaint.pk])).status_code == 200
    answer = consultant_client.post(reverse("complaints:answer", args=[complaint.pk]), {"answer": "Иә."})
    assert answer.status_code == 403


@pytest.mark.django_db
def test_supervisors_route_triage_from_its_list(supervisor_client, file_signed, organisation) -> None:  # type: ignore[no-untyped-def]
    # given a complaint no rule could route
    stray = file_signed(territory="999999999")
    assert stray.status == ComplaintStatus.IN_TRIAGE
    # when
    listed = supervisor_client.get(reverse("complaints:triage"))
    assigned = supervisor_client.post(reverse("complaints:assign", args=[stray.pk]), {"organisation": organisation.pk})
    # then
    assert stray.number in listed.content.decode()
    assert assigned.status_code == 302
    stray.refresh_from_db()
    assert stray.routed_to == organisation and stray.status == ComplaintStatus.DELIVERED


@pytest.mark.django_db
def test_officers_have_no_triage(officer_client) -> None:  # type: ignore[no-untyped-def]
    assert officer_client.get(reverse("complaints:triage")).status_code == 403


@pytest.mark.django_db
def test_the_signed_document_can_be_downloaded_by_the_body(officer_client, complaint) -> None:  # type: ignore[no-untyped-def]
    response = officer_client.get(reverse("complaints:evidence", args=[complaint.pk, "signature"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == complaint.signature.open("rb").read()  # type: ignore[attr-defined]
