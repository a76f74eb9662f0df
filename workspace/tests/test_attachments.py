"""What the citizen sent, on the appeal page: files (downloaded only by those who may see the appeal, audited, never
shown inline) and the citizen's later letters in the history."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from appeals.attachments import IncomingFile
from appeals.choices import AppealEventKind, AttachmentRefusal, Channel
from appeals.models import AppealAttachment
from appeals.services import add_attachments, add_citizen_message, register_appeal
from appeals.tests.files import EXE, PDF
from audit.models import AuditEvent
from workspace.tests.test_pages import ANONYMOUS, _assert_status

pytestmark = pytest.mark.django_db

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture
def with_files(organisation):  # type: ignore[no-untyped-def]
    """An appeal concerning the organisation, with a PDF kept, a program refused and an HTML page kept as text."""
    appeal = register_appeal(
        channel=Channel.WEB, subject="Анықтама", text="Қоса беремін.", phone="87011234567", organisation=organisation
    ).appeal
    add_attachments(
        appeal=appeal,
        files=[
            IncomingFile(filename="анықтама.pdf", content=PDF, declared_type="application/pdf"),
            IncomingFile(filename="setup.pdf", content=EXE, declared_type="application/pdf"),
            IncomingFile(filename="page.html", content=HTML, declared_type="text/html"),
        ],
    )
    return appeal


def download_url(appeal, filename: str) -> str:  # type: ignore[no-untyped-def]
    attachment = appeal.attachments.get(filename=filename)
    return reverse("workspace:attachment_download", args=[appeal.pk, attachment.pk])


# --- Role matrix ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("consultant", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("officer", 200),
        ("outsider", 404),
        ("editor", 403),
        ("regulator", 403),
        ("integration", 403),
        (ANONYMOUS, "login"),
    ],
)
def test_download_role_matrix(clients, with_files, who, expected) -> None:  # type: ignore[no-untyped-def]
    # when
    response = clients[who].get(download_url(with_files, "анықтама.pdf"))
    # then
    _assert_status(response, expected)
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF


# --- The page ------------------------------------------------------------------------------------------------


def test_the_page_lists_every_file_with_why_it_was_refused(clients, with_files) -> None:  # type: ignore[no-untyped-def]
    # when
    html = clients["consultant"].get(reverse("workspace:appeal_detail", args=[with_files.pk])).content.decode()
    # then
    assert html.count('data-testid="attachment"') == 3
    assert html.count('data-testid="attachment-download"') == 2
    assert download_url(with_files, "анықтама.pdf") in html
    assert download_url(with_files, "page.html") in html
    refused = with_files.attachments.get(filename="setup.pdf")
    assert refused.refusal == AttachmentRefusal.TYPE
    assert reverse("workspace:attachment_download", args=[with_files.pk, refused.pk]) not in html
    assert html.count('data-testid="attachment-refused"') == 1
    assert "PDF" in html.split('data-testid="attachment-refused"')[1].split("</tr>")[0]


def test_a_page_without_files_has_no_file_section(clients, appeal) -> None:  # type: ignore[no-untyped-def]
    html = clients["consultant"].get(reverse("workspace:appeal_detail", args=[appeal.pk])).content.decode()
    assert 'data-testid="attachments"' not in html


def test_the_citizens_later_letters_are_in_the_history(clients, appeal) -> None:  # type: ignore[no-untyped-def]
    # given: the citizen wrote again by e-mail
    add_citizen_message(appeal=appeal, text="Тағы бір сұрақ: <b>мерзімі</b> қанша?", source_ref="<reply-1@example.kz>")
    # when
    html = clients["consultant"].get(reverse("workspace:appeal_detail", args=[appeal.pk])).content.decode()
    # then
    assert appeal.events.filter(kind=AppealEventKind.CITIZEN_WROTE).count() == 1
    entry = html.split('data-testid="event-citizen_wrote"')[1].split("</li>")[0]
    assert "Тағы бір сұрақ: &lt;b&gt;мерзімі&lt;/b&gt; қанша?" in entry


# --- The download ---------------------------------------------------------------------------------------------


def test_a_download_is_an_attachment_with_the_sniffed_type_and_is_audited(  # type: ignore[no-untyped-def]
    clients, with_files, consultant
) -> None:
    # given
    attachment = with_files.attachments.get(filename="анықтама.pdf")
    # when
    response = clients["consultant"].get(download_url(with_files, "анықтама.pdf"))
    # then
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('анықтама.pdf')}"
    read = AuditEvent.objects.get(action="appeal.personal_data_read", details__attachment_id=attachment.pk)
    assert (read.kind, read.actor, read.object_id) == ("read", consultant, str(with_files.pk))


def test_html_sent_by_a_citizen_is_never_served_as_a_page(clients, with_files) -> None:  # type: ignore[no-untyped-def]
    # when
    response = clients["consultant"].get(download_url(with_files, "page.html"))
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_refused_file_a_file_of_another_appeal_or_a_lost_file_is_a_404(  # type: ignore[no-untyped-def]
    clients, with_files, appeal, media_root
) -> None:
    # given
    client = clients["consultant"]
    refused = with_files.attachments.get(filename="setup.pdf")
    theirs = with_files.attachments.get(filename="анықтама.pdf")
    # when / then
    assert client.get(reverse("workspace:attachment_download", args=[with_files.pk, refused.pk])).status_code == 404
    assert client.get(reverse("workspace:attachment_download", args=[appeal.pk, theirs.pk])).status_code == 404
    assert client.get(reverse("workspace:attachment_download", args=[with_files.pk, 10**9])).status_code == 404
    (media_root / theirs.file.name).unlink()
    assert client.get(download_url(with_files, "анықтама.pdf")).status_code == 404
    assert not AuditEvent.objects.filter(action="appeal.personal_data_read", details__has_key="attachment_id").exists()


def test_an_outsiders_refusal_does_not_tell_whether_the_file_exists(clients, with_files) -> None:  # type: ignore[no-untyped-def]
    # when
    existing = clients["outsider"].get(download_url(with_files, "анықтама.pdf"))
    missing = clients["outsider"].get(reverse("workspace:attachment_download", args=[with_files.pk, 10**9]))
    # then
    assert existing.status_code == missing.status_code == 404
    assert AppealAttachment.objects.filter(appeal=with_files).count() == 3
