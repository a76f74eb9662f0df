"""/api/v1/appeals/ with files (multipart/form-data), the Idempotency-Key with files, and the limit per API account."""

from __future__ import annotations

from pathlib import Path

import pytest

from appeals.choices import AttachmentRefusal
from appeals.models import Appeal, AppealAttachment
from appeals.tests.files import EXE, PDF, PNG, upload
from appeals.tests.test_api import LIST, NEW, api_for

pytestmark = pytest.mark.django_db


def post_files(client, files, **headers):  # type: ignore[no-untyped-def]
    return client.post(LIST, {**NEW, "attachments": files}, format="multipart", **headers)


def stored_files(media_root: Path) -> list[str]:
    return sorted(path.name for path in media_root.rglob("*") if path.is_file())


def test_files_are_registered_with_the_appeal_and_refusals_explained(integration, media_root) -> None:
    # given
    files = [upload("анықтама.pdf", PDF, "application/pdf"), upload("setup.pdf", EXE, "application/pdf")]
    # when
    response = post_files(api_for(integration), files, HTTP_ACCEPT_LANGUAGE="ru")
    # then
    body = response.json()
    assert response.status_code == 201, body
    assert body["attachments"] == [
        {
            "filename": "анықтама.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "accepted": True,
            "refusal": "",
            "refusal_reason": "",
        },
        {
            "filename": "setup.pdf",
            "content_type": "",
            "size": len(EXE),
            "accepted": False,
            "refusal": AttachmentRefusal.TYPE,
            "refusal_reason": body["attachments"][1]["refusal_reason"],
        },
    ]
    assert "PDF" in body["attachments"][1]["refusal_reason"]
    appeal = Appeal.objects.get(number=body["number"])
    assert stored_files(media_root) == [appeal.attachments.get(filename="анықтама.pdf").sha256]


def test_a_retry_with_the_same_key_stores_the_files_once(integration, media_root) -> None:
    # given
    client = api_for(integration)
    files = [upload("a.pdf", PDF), upload("b.png", PNG)]
    # when
    first = post_files(client, files, HTTP_IDEMPOTENCY_KEY="egov-77")
    again = post_files(client, [upload("a.pdf", PDF), upload("b.png", PNG)], HTTP_IDEMPOTENCY_KEY="egov-77")
    # then
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert first.json()["attachments"] == again.json()["attachments"]
    assert Appeal.objects.count() == 1
    assert AppealAttachment.objects.count() == 2
    assert len(stored_files(media_root)) == 2


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([("empty.pdf", b"")], [AttachmentRefusal.EMPTY]),
        ([("invoice.pdf", EXE)], [AttachmentRefusal.TYPE]),
        ([("scan\x00.pdf", PDF)], [""]),
        ([(f"page-{n}.pdf", PDF + bytes([n])) for n in range(11)], [""] * 10 + [AttachmentRefusal.TOO_MANY]),
    ],
    ids=["empty", "pdf-name-on-a-program", "nul-in-name", "eleven-files"],
)
def test_bad_files_register_the_appeal_never_a_500(integration, files, expected) -> None:
    # when
    response = post_files(api_for(integration), [upload(name, content) for name, content in files])
    # then
    assert response.status_code == 201, response.content
    assert [item["refusal"] for item in response.json()["attachments"]] == expected
    assert all("\x00" not in item["filename"] for item in response.json()["attachments"])


def test_a_file_over_the_size_limit_is_refused(integration, settings, media_root) -> None:
    # given: a limit of 1 MB, and a 3 MB file (Django writes it to a temporary file)
    settings.POLICY = {**settings.POLICY, "ATTACHMENT_MAX_BYTES": 1024 * 1024}
    # when
    response = post_files(api_for(integration), [upload("big.pdf", PDF + b"0" * (3 * 1024 * 1024))])
    # then
    assert response.status_code == 201
    assert response.json()["attachments"][0]["refusal"] == AttachmentRefusal.TOO_LARGE
    assert stored_files(media_root) == []


def test_files_in_json_are_a_400(integration) -> None:
    # when
    response = api_for(integration).post(LIST, {**NEW, "attachments": ["JVBERi0xLjQK"]}, format="json")
    # then
    assert response.status_code == 400
    assert "attachments" in response.json()
    assert Appeal.objects.count() == 0


def test_the_detail_lists_the_files(integration, consultant) -> None:
    # given
    number = post_files(api_for(integration), [upload("a.pdf", PDF), upload("b.exe", EXE)]).json()["number"]
    # when
    detail = api_for(consultant).get(f"{LIST}{number}/").json()
    # then
    assert [(item["filename"], item["accepted"]) for item in detail["attachments"]] == [
        ("a.pdf", True),
        ("b.exe", False),
    ]


# --- Appeals per API account -------------------------------------------------------------------------------


def test_each_api_account_has_its_own_hourly_limit(integration, consultant, settings) -> None:
    # given
    settings.POLICY = {**settings.POLICY, "APPEALS_PER_CLIENT_PER_HOUR": 2}
    client = api_for(integration)
    assert client.post(LIST, NEW, format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    assert client.post(LIST, NEW, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201
    # when
    refused = post_files(client, [upload("a.pdf", PDF)], HTTP_IDEMPOTENCY_KEY="k-3", HTTP_ACCEPT_LANGUAGE="ru")
    retried = client.post(LIST, NEW, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    other_account = api_for(consultant).post(LIST, NEW, format="json")
    # then
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert refused.json()["detail"]
    assert retried.status_code == 200
    assert other_account.status_code == 201
    assert Appeal.objects.count() == 3
    assert AppealAttachment.objects.count() == 0


def test_refused_requests_do_not_use_up_the_limit(integration, settings) -> None:
    # given
    settings.POLICY = {**settings.POLICY, "APPEALS_PER_CLIENT_PER_HOUR": 1}
    client = api_for(integration)
    assert client.post(LIST, {"subject": ""}, format="json").status_code == 400
    # when
    first = client.post(LIST, NEW, format="json")
    second = client.post(LIST, NEW, format="json")
    # then
    assert (first.status_code, second.status_code) == (201, 429)


def test_schema_documents_files_as_multipart_and_the_429() -> None:
    from drf_spectacular.generators import SchemaGenerator

    # when
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # then
    operation = schema["paths"]["/api/v1/appeals/"]["post"]
    content = operation["requestBody"]["content"]
    multipart = content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    json_body = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    files = schema["components"]["schemas"][multipart]["properties"]["attachments"]
    assert files["type"] == "array" and files["items"]["format"] == "binary"
    assert "attachments" not in schema["components"]["schemas"][json_body]["properties"]
    assert "429" in operation["responses"]
