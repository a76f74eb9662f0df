"""/api/v1/appeals/: role matrix, idempotency key, 400s in the caller's language."""

import pytest
from rest_framework.test import APIClient

from accounts.choices import Role
from appeals.choices import AppealStatus, Channel
from appeals.models import Appeal
from appeals.services import register_appeal
from audit.models import AuditEvent
from conftest import client_for

LIST = "/api/v1/appeals/"
NEW = {"subject": "Жеке куәлік", "text": "Қалай ауыстыруға болады?", "phone": "8 701 123 45 67", "language": "kk"}


def api_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def users(consultant, supervisor, administrator, officer, editor, regulator, integration):  # type: ignore[no-untyped-def]
    return {
        "consultant": consultant,
        "supervisor": supervisor,
        "admin": administrator,
        "officer": officer,
        "editor": editor,
        "regulator": regulator,
        "integration": integration,
        "anonymous": None,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("consultant", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("officer", 200),
        ("editor", 403),
        ("regulator", 403),
        ("integration", 403),
        ("anonymous", 403),
    ],
)
def test_list_role_matrix(users, appeal, who, expected) -> None:  # type: ignore[no-untyped-def]
    response = api_for(users[who]).get(LIST)
    assert response.status_code == expected


@pytest.mark.django_db
def test_list_masks_contacts_and_officers_see_only_their_organisation(users, appeal, organisation) -> None:  # type: ignore[no-untyped-def]
    # given
    ours = register_appeal(channel=Channel.PHONE, subject="Ours", phone="87017778899", organisation=organisation).appeal
    # when
    staff_rows = api_for(users["consultant"]).get(LIST).json()["results"]
    officer_rows = api_for(users["officer"]).get(LIST).json()["results"]
    # then
    assert {row["number"] for row in staff_rows} == {appeal.number, ours.number}
    assert [row["number"] for row in officer_rows] == [ours.number]
    row = next(row for row in staff_rows if row["number"] == appeal.number)
    assert row["phone"] == "+7701*****67" and row["email"] == "a***@example.kz"
    assert "870101300128" not in str(staff_rows)


@pytest.mark.django_db
def test_list_filters_and_a_bad_filter_is_a_400(users, appeal) -> None:  # type: ignore[no-untyped-def]
    client = api_for(users["consultant"])
    assert client.get(LIST, {"phone": "87011234567"}).json()["count"] == 1
    assert client.get(LIST, {"phone": "87019999999"}).json()["count"] == 0
    response = client.get(LIST, {"phone": "abc", "status": "nonsense"})
    assert response.status_code == 400 and set(response.json()) == {"phone", "status"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"),
    [("consultant", 200), ("officer", 404), ("editor", 403), ("integration", 403), ("anonymous", 403)],
)
def test_detail_role_matrix(users, appeal, who, expected) -> None:  # type: ignore[no-untyped-def]
    response = api_for(users[who]).get(f"{LIST}{appeal.number}/")
    assert response.status_code == expected


@pytest.mark.django_db
def test_detail_shows_contacts_in_clear_and_audits_the_read(users, appeal) -> None:  # type: ignore[no-untyped-def]
    response = api_for(users["supervisor"]).get(f"{LIST}{appeal.number}/")
    body = response.json()
    assert (body["phone"], body["email"], body["iin"]) == ("+77011234567", "aigul@example.kz", "870101300128")
    assert body["events"][0]["kind"] == "registered"
    read = AuditEvent.objects.get(kind="read", object_id=str(appeal.pk))
    assert read.actor == users["supervisor"] and "iin" in read.details["fields"]


@pytest.mark.django_db
def test_officer_reads_own_organisation_appeal_outsider_gets_404(users, outsider, organisation) -> None:  # type: ignore[no-untyped-def]
    ours = register_appeal(channel=Channel.PHONE, subject="Ours", organisation=organisation).appeal
    assert api_for(users["officer"]).get(f"{LIST}{ours.number}/").status_code == 200
    assert api_for(outsider).get(f"{LIST}{ours.number}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("integration", 201),
        ("consultant", 201),
        ("supervisor", 201),
        ("admin", 201),
        ("officer", 403),
        ("editor", 403),
        ("regulator", 403),
        ("anonymous", 403),
    ],
)
def test_register_role_matrix(users, who, expected) -> None:  # type: ignore[no-untyped-def]
    response = api_for(users[who]).post(LIST, NEW, format="json")
    assert response.status_code == expected


@pytest.mark.django_db
def test_integration_registers_on_the_api_channel_whatever_it_asks(users) -> None:  # type: ignore[no-untyped-def]
    response = api_for(users["integration"]).post(LIST, {**NEW, "channel": "phone"}, format="json")
    assert response.json()["channel"] == Channel.API
    assert response.json()["number"].split("-")[1] == "A"


@pytest.mark.django_db
def test_staff_may_choose_the_channel(users) -> None:  # type: ignore[no-untyped-def]
    response = api_for(users["consultant"]).post(LIST, {**NEW, "channel": "phone"}, format="json")
    assert response.json()["channel"] == Channel.PHONE


@pytest.mark.django_db
def test_the_same_idempotency_key_gives_the_same_appeal_with_200(users) -> None:  # type: ignore[no-untyped-def]
    # given
    client = api_for(users["integration"])
    # when
    first = client.post(LIST, NEW, format="json", HTTP_IDEMPOTENCY_KEY="egov-42")
    second = client.post(LIST, NEW, format="json", HTTP_IDEMPOTENCY_KEY="egov-42")
    third = client.post(LIST, NEW, format="json", HTTP_IDEMPOTENCY_KEY="egov-43")
    # then
    assert (first.status_code, second.status_code, third.status_code) == (201, 200, 201)
    assert first.json()["number"] == second.json()["number"] != third.json()["number"]
    assert (first.json()["created"], second.json()["created"]) == (True, False)
    assert Appeal.objects.count() == 2


@pytest.mark.django_db
def test_register_with_references(users, service, organisation) -> None:  # type: ignore[no-untyped-def]
    body = {**NEW, "service": service.slug, "organisation": organisation.code}
    response = api_for(users["integration"]).post(LIST, body, format="json")
    appeal = Appeal.objects.get(number=response.json()["number"])
    assert (appeal.service, appeal.organisation) == (service, organisation)


@pytest.mark.django_db
def test_validation_errors_are_400_with_field_messages_in_the_request_language(users) -> None:  # type: ignore[no-untyped-def]
    # when
    response = api_for(users["integration"]).post(
        LIST,
        {"subject": "", "text": "", "service": "no-such-service"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"service"}
    response = api_for(users["integration"]).post(
        LIST, {"subject": "", "text": ""}, format="json", HTTP_ACCEPT_LANGUAGE="ru"
    )
    body = response.json()
    assert response.status_code == 400 and {"subject", "text", "phone"} <= set(body)
    assert "телефон" in body["phone"][0].lower()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {**NEW, "text": "x" * 100_000},
        {**NEW, "iin": "123"},
        {**NEW, "phone": "<script>alert(1)</script>"},
        {**NEW, "subject": "a\x00b"},
        {**NEW, "received_at": "yesterday"},
        {**NEW, "language": "en"},
        {"subject": ["not", "a", "string"]},
    ],
)
def test_malformed_input_is_a_400_never_a_500(users, body) -> None:  # type: ignore[no-untyped-def]
    response = api_for(users["integration"]).post(LIST, body, format="json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_overlong_idempotency_key_is_a_400(users) -> None:  # type: ignore[no-untyped-def]
    response = api_for(users["integration"]).post(LIST, NEW, format="json", HTTP_IDEMPOTENCY_KEY="k" * 300)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()


@pytest.mark.django_db
def test_hostile_text_comes_back_as_data(users) -> None:  # type: ignore[no-untyped-def]
    hostile = "<script>alert(1)</script>'; DROP TABLE appeals_appeal; --"
    created = api_for(users["integration"]).post(LIST, {**NEW, "subject": hostile, "text": hostile}, format="json")
    detail = api_for(users["consultant"]).get(f"{LIST}{created.json()['number']}/").json()
    assert detail["subject"] == hostile and detail["text"] == hostile


# --- Actions -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("consultant", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("officer", 403),
        ("integration", 403),
        ("regulator", 403),
        ("anonymous", 403),
    ],
)
def test_answer_role_matrix(users, appeal, who, expected) -> None:  # type: ignore[no-untyped-def]
    response = api_for(users[who]).post(f"{LIST}{appeal.number}/answer/", {"answer": "Жауап"}, format="json")
    assert response.status_code == expected


@pytest.mark.django_db
def test_answer_with_articles(users, appeal, article) -> None:  # type: ignore[no-untyped-def]
    response = api_for(users["consultant"]).post(
        f"{LIST}{appeal.number}/answer/", {"answer": "Жауап", "articles": [article.slug]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == AppealStatus.ANSWERED and response.json()["articles"] == [article.slug]


@pytest.mark.django_db
def test_answer_errors(users, appeal) -> None:  # type: ignore[no-untyped-def]
    client = api_for(users["consultant"])
    assert client.post(f"{LIST}{appeal.number}/answer/", {"answer": ""}, format="json").status_code == 400
    response = client.post(f"{LIST}{appeal.number}/answer/", {"answer": "A", "articles": ["nope"]}, format="json")
    assert response.status_code == 400 and "articles" in response.json()
    assert client.post(f"{LIST}2000-X-1/answer/", {"answer": "A"}, format="json").status_code == 404


@pytest.mark.django_db
def test_refer_stores_the_organisation_contacts(users, appeal, organisation) -> None:  # type: ignore[no-untyped-def]
    response = api_for(users["consultant"]).post(
        f"{LIST}{appeal.number}/refer/", {"organisation": organisation.code, "note": "МВД"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == AppealStatus.REFERRED and body["referral_organisation"] == organisation.code
    assert "+7 7172 72 24 24" in body["referral_contacts"]


@pytest.mark.django_db
def test_refer_to_an_unknown_organisation_is_a_400(users, appeal) -> None:  # type: ignore[no-untyped-def]
    response = api_for(users["consultant"]).post(f"{LIST}{appeal.number}/refer/", {"organisation": "x"}, format="json")
    assert response.status_code == 400 and "organisation" in response.json()


@pytest.mark.django_db
def test_refer_is_refused_to_officers(users, appeal, organisation) -> None:  # type: ignore[no-untyped-def]
    response = api_for(users["officer"]).post(
        f"{LIST}{appeal.number}/refer/", {"organisation": organisation.code}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_close_follows_the_lifecycle(users, appeal) -> None:  # type: ignore[no-untyped-def]
    client = api_for(users["consultant"])
    refused = client.post(f"{LIST}{appeal.number}/close/", HTTP_ACCEPT_LANGUAGE="kk")
    assert refused.status_code == 400 and "status" in refused.json()
    client.post(f"{LIST}{appeal.number}/answer/", {"answer": "A"}, format="json")
    closed = client.post(f"{LIST}{appeal.number}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == AppealStatus.CLOSED
    assert api_for(users["officer"]).post(f"{LIST}{appeal.number}/close/").status_code == 403


@pytest.mark.django_db
def test_session_clients_need_csrf_like_any_page(consultant) -> None:  # type: ignore[no-untyped-def]
    client = client_for(consultant)
    client.handler.enforce_csrf_checks = True
    response = client.post(LIST, NEW, content_type="application/json")
    assert response.status_code == 403
    assert consultant.role == Role.CONSULTANT


def test_schema_declares_the_idempotency_key_and_every_response() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/appeals/"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation["parameters"])
    assert {"200", "201", "400"} <= set(operation["responses"])
    assert "/api/v1/appeals/{number}/refer/" in schema["paths"]
