"""Files sent with a portal appeal, and the limit on appeals per client: a refused file never loses the appeal."""

from __future__ import annotations

import uuid
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from appeals.choices import AttachmentRefusal
from appeals.models import Appeal, AppealAttachment
from appeals.tests.files import EXE, PDF, PNG, upload
from portal.tests.test_appeal import form_data, russian_client

pytestmark = pytest.mark.django_db


def send(client: Client, files: list[SimpleUploadedFile], **overrides: Any):  # type: ignore[no-untyped-def]
    return client.post(reverse("portal:appeal_new"), {**form_data(**overrides), "attachments": files})


def refusals(appeal: Appeal) -> dict[str, str]:
    return {item.filename: item.refusal for item in appeal.attachments.all()}


# --- Files --------------------------------------------------------------------------------------------------


def test_the_form_offers_several_files() -> None:
    # when
    body = Client().get(reverse("portal:appeal_new")).content.decode()
    # then
    assert 'enctype="multipart/form-data"' in body
    assert 'type="file" name="attachments"' in body
    assert " multiple" in body


def test_files_are_kept_with_the_appeal_and_named_on_the_confirmation(media_root: Path) -> None:
    # given
    client = Client()
    # when
    response = send(client, [upload("анықтама.pdf", PDF, "application/pdf"), upload("photo.png", PNG, "image/png")])
    # then
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    kept = list(appeal.attachments.order_by("filename"))
    assert [(a.filename, a.content_type, a.size, a.refusal) for a in kept] == [
        ("photo.png", "image/png", len(PNG), ""),
        ("анықтама.pdf", "application/pdf", len(PDF), ""),
    ]
    assert (media_root / kept[1].file.name).read_bytes() == PDF
    done = client.get(response["Location"]).content.decode()
    assert 'data-testid="files-kept"' in done
    assert "анықтама.pdf" in done and "photo.png" in done
    assert 'data-testid="files-refused"' not in done


def test_refused_files_are_listed_and_the_appeal_is_registered_all_the_same() -> None:
    # given: an empty file, an executable named .pdf, a NUL in a name
    client = russian_client()
    files = [
        upload("empty.pdf", b"", "application/pdf"),
        upload("invoice.pdf", EXE, "application/pdf"),
        upload("scan\x00.png", PNG, "image/png"),
    ]
    # when
    response = send(client, files, language="ru", text="Мой вопрос с файлами")
    # then
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert appeal.text == "Мой вопрос с файлами"
    assert refusals(appeal) == {
        "empty.pdf": AttachmentRefusal.EMPTY,
        "invoice.pdf": AttachmentRefusal.TYPE,
        "scan.png": "",
    }
    assert not appeal.attachments.get(filename="invoice.pdf").file
    done = client.get(response["Location"]).content.decode()
    assert done.count('data-testid="refused-file"') == 2
    assert '<li><span data-testid="refused-file">invoice.pdf</span>: ' in done
    assert 'data-testid="files-kept"' in done


def test_a_file_over_the_size_limit_is_refused_and_not_read_whole(media_root: Path) -> None:
    # given: 21 MB, past the regulation's 20 MB (written to a temporary file by Django, not kept in memory)
    big = PDF + b"0" * (21 * 1024 * 1024)
    # when
    response = send(Client(), [upload("big.pdf", big, "application/pdf"), upload("small.pdf", PDF, "application/pdf")])
    # then
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert refusals(appeal) == {"big.pdf": AttachmentRefusal.TOO_LARGE, "small.pdf": ""}
    refused = appeal.attachments.get(filename="big.pdf")
    assert not refused.file and not refused.sha256
    stored = [path.name for path in media_root.rglob("*") if path.is_file()]
    assert stored == [appeal.attachments.get(refusal="").sha256]


def test_more_files_than_allowed_refuses_the_rest() -> None:
    # given: 11 files, one over the regulation's 10
    files = [upload(f"page-{n:02d}.pdf", PDF + str(n).encode(), "application/pdf") for n in range(11)]
    # when
    response = send(Client(), files)
    # then
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert appeal.attachments.filter(refusal="").count() == 10
    assert list(appeal.attachments.exclude(refusal="").values_list("refusal", flat=True)) == [
        AttachmentRefusal.TOO_MANY
    ]


def test_a_double_submitted_form_with_files_stores_them_once() -> None:
    # given
    client = Client()
    data = form_data()
    # when
    first = client.post(reverse("portal:appeal_new"), {**data, "attachments": [upload("a.pdf", PDF)]})
    second = client.post(reverse("portal:appeal_new"), {**data, "attachments": [upload("a.pdf", PDF)]})
    # then
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Appeal.objects.count() == 1
    assert AppealAttachment.objects.count() == 1


def test_a_form_with_errors_keeps_the_text_and_asks_for_the_files_again() -> None:
    # when
    response = send(Client(), [upload("a.pdf", PDF)], phone="", email="", text="Менің сұрағым")
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert Appeal.objects.count() == 0
    assert AppealAttachment.objects.count() == 0
    assert 'data-testid="files-dropped"' in body
    assert "Менің сұрағым" in body


@pytest.mark.django_db(transaction=True)
def test_the_acknowledgement_lists_the_refused_files(smtp_inbox) -> None:
    # when
    send(Client(), [upload("virus.pdf", EXE), upload("ok.pdf", PDF)], email="aigul@example.kz")
    # then: the acknowledgement (sent after commit, by the worker in CI) already knows the files
    message: Message = smtp_inbox.wait_for(1)[0]
    part = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    body = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    assert "- virus.pdf: " in body
    assert "ok.pdf" not in body


# --- Appeals per client ---------------------------------------------------------------------------------------


def test_appeals_are_limited_per_browser_session(settings) -> None:
    # given
    settings.POLICY = {**settings.POLICY, "APPEALS_PER_CLIENT_PER_HOUR": 2}
    client = Client()
    assert send(client, []).status_code == 302
    assert send(client, []).status_code == 302
    # when
    refused = send(client, [upload("a.pdf", PDF)], text="Үшінші сұрақ")
    # then: nothing registered, everything typed shown again, the files asked for again
    body = refused.content.decode()
    assert refused.status_code == 429
    assert Appeal.objects.count() == 2
    assert 'data-testid="rate-limited"' in body
    assert 'data-testid="files-dropped"' in body
    assert "Үшінші сұрақ" in body


def test_appeals_are_limited_per_ip_address_too(settings) -> None:
    # given: a new session for each appeal, from one address
    settings.POLICY = {**settings.POLICY, "APPEALS_PER_CLIENT_PER_HOUR": 2}
    send(Client(), [])
    send(Client(), [])
    # when
    refused = send(russian_client(), [])
    elsewhere = send(Client(REMOTE_ADDR="10.1.2.3"), [])
    # then
    assert refused.status_code == 429
    assert elsewhere.status_code == 302
    assert Appeal.objects.count() == 3


def test_forms_refused_for_errors_and_double_submits_do_not_use_up_the_limit(settings) -> None:
    # given
    settings.POLICY = {**settings.POLICY, "APPEALS_PER_CLIENT_PER_HOUR": 1}
    client = Client()
    data = form_data()
    assert send(client, [], text="").status_code == 400
    # when
    first = client.post(reverse("portal:appeal_new"), data)
    again = client.post(reverse("portal:appeal_new"), data)
    another = send(client, [], form_token=str(uuid.uuid4()))
    # then: the same form sent twice is still answered with its appeal; a new one is over the limit
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert another.status_code == 429
    assert Appeal.objects.count() == 1
