"""The pages of the requests for recordings, through Django's test client: the regulator files and downloads, a
supervisor confirms, everyone else is refused (404, audited)."""

import csv
import hashlib
import io
import json
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from audit.choices import AuditKind
from audit.models import AuditEvent
from conftest import PASSWORD, client_for
from recordings import regulator_requests
from recordings.choices import RequestStatus
from recordings.models import PackageDownloadLink, RecordingRequest
from recordings.tests.conftest import letter
from recordings.tests.request_steps import ALMATY, PHONE, at, build, file_request


def yesterday_at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(timezone.localdate() - timedelta(days=1), time(hour, minute), tzinfo=ALMATY)


def filing(**changes: Any) -> dict[str, Any]:
    form = {
        "number": "01-12/777",
        "day": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "phone": "8 (701) 123-45-67",
        "letter": letter(),
    }
    return {**form, **changes}


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content)


# --- End to end -----------------------------------------------------------------------------------------------


def test_a_request_from_filing_to_a_downloaded_package(
    make_recording, body_regulator, supervisor, center_signing_key, tasks_in_process, django_capture_on_commit_callbacks
):
    # given yesterday's call of the citizen, and the regulator and a supervisor signed in
    recording = make_recording("+77011234567", yesterday_at(15), yesterday_at(15, 4))
    regulator, worker = client_for(body_regulator), client_for(supervisor)
    # when the regulator files the request with the scanned letter
    with django_capture_on_commit_callbacks(execute=True):
        filed = regulator.post("/recordings/requests/new/", filing())
    # then it is registered, matched and shown with its clock
    request = RecordingRequest.objects.get()
    assert (filed.status_code, filed["Location"]) == (302, f"/recordings/requests/{request.pk}/")
    assert [item.recording for item in request.items.all()] == [recording]
    listed = regulator.get("/recordings/requests/").content.decode()
    assert "01-12/777" in listed
    assert f'data-testid="due-at">{timezone.localtime(request.due_at):%d.%m.%Y %H:%M}</time>' in listed
    assert request.due_at - request.registered_at == timedelta(hours=4)
    page = regulator.get(f"/recordings/requests/{request.pk}/")
    assert page.status_code == 200
    assert 'data-testid="confirm-request"' not in page.content.decode()
    # when a supervisor confirms it (the package task runs on commit)
    assert 'data-testid="confirm-request"' in worker.get(f"/recordings/requests/{request.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = worker.post(f"/recordings/requests/{request.pk}/confirm/")
    assert confirmed.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.confirmed_by) == (RequestStatus.READY, supervisor)
    # when the regulator re-enters the password
    page = regulator.get(f"/recordings/requests/{request.pk}/").content.decode()
    assert 'data-testid="download-package"' in page
    sent_on = regulator.post(f"/recordings/requests/{request.pk}/download/", {"password": PASSWORD})
    # then a one-time link gives the package, once
    assert sent_on.status_code == 302 and sent_on["Location"].startswith("/recordings/packages/")
    downloaded = regulator.get(sent_on["Location"])
    assert downloaded.status_code == 200
    assert downloaded["Content-Type"] == "application/zip"
    assert downloaded["Content-Disposition"] == f'attachment; filename="recordings-{request.pk}.zip"'
    content = body_of(downloaded)
    assert hashlib.sha256(content).hexdigest() == downloaded["X-Package-SHA256"] == request.package_sha256
    assert content == Path(request.package.path).read_bytes()
    assert regulator.get(sent_on["Location"]).status_code == 404
    request.refresh_from_db()
    assert request.status == RequestStatus.DELIVERED
    assert [e.action for e in AuditEvent.objects.for_object(request).order_by("sequence")] == [
        "recordings.request_registered",
        "recordingrequest.personal_data_read",
        "recordingrequest.personal_data_read",
        "recordings.request_confirmed",
        "recordings.package_ready",
        "recordings.package_digest",
        "recordingrequest.personal_data_read",
        "recordings.download_link_issued",
        "recordings.package_downloaded",
        "recordings.download_refused",
    ]


def test_a_request_with_no_calls_is_handed_over_as_an_empty_answer(
    body_regulator, supervisor, center_signing_key, tasks_in_process, django_capture_on_commit_callbacks
):
    # given a request for a phone that did not call
    with django_capture_on_commit_callbacks(execute=True):
        client_for(body_regulator).post("/recordings/requests/new/", filing())
    request = RecordingRequest.objects.get()
    # then its page says so, plainly, and the package is still prepared on confirmation
    page = client_for(supervisor).get(f"/recordings/requests/{request.pk}/").content.decode()
    assert 'data-testid="no-matches"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client_for(supervisor).post(f"/recordings/requests/{request.pk}/confirm/")
    request.refresh_from_db()
    assert (request.status, request.exported_count) == (RequestStatus.READY, 0)


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("day", {"day": (timezone.localdate() + timedelta(days=1)).isoformat()}),
        ("day", {"day": "yesterday"}),
        ("phone", {"phone": "call me"}),
        ("phone", {"phone": "8 701 123"}),
        ("letter", {"letter": letter(b"<html>not a scan</html>", "letter.pdf")}),
        ("letter", {"letter": ""}),
        ("number", {"number": ""}),
    ],
)
def test_bad_input_gives_a_form_error_not_a_500(body_regulator, field, changes):
    response = client_for(body_regulator).post("/recordings/requests/new/", filing(**changes))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert 'class="field-error"' in response.content.decode()
    assert not RecordingRequest.objects.exists()


def test_a_number_already_filed_for_another_phone_is_a_form_error(body_regulator):
    # given the number registered for the citizen's phone
    regulator = client_for(body_regulator)
    assert regulator.post("/recordings/requests/new/", filing()).status_code == 302
    # when it is filed again for another phone
    response = regulator.post("/recordings/requests/new/", filing(phone="+7 702 000 00 00"))
    # then the form says the number is taken; the same phone again leads to the registered request
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["number"]
    again = regulator.post("/recordings/requests/new/", filing(phone="+77011234567"))
    assert again["Location"] == f"/recordings/requests/{RecordingRequest.objects.get().pk}/"


def test_a_wrong_password_gives_no_link(make_recording, body_regulator, supervisor, center_signing_key):
    make_recording(PHONE, at(20, 10), at(20, 10, 5))
    request = build(file_request(body_regulator), supervisor)
    response = client_for(body_regulator).post(f"/recordings/requests/{request.pk}/download/", {"password": "guess"})
    assert response.status_code == 400
    assert list(response.context["password_form"].errors) == ["password"]
    assert not PackageDownloadLink.objects.exists()
    assert AuditEvent.objects.filter(action="recordings.download_password_refused", kind=AuditKind.DENIED).exists()


def test_an_expired_link_is_a_404(make_recording, body_regulator, supervisor, center_signing_key, settings):
    make_recording(PHONE, at(20, 10), at(20, 10, 5))
    request = build(file_request(body_regulator), supervisor)
    settings.RECORDINGS_PACKAGE_LINK_MINUTES = 0
    regulator = client_for(body_regulator)
    sent_on = regulator.post(f"/recordings/requests/{request.pk}/download/", {"password": PASSWORD})
    assert regulator.get(sent_on["Location"]).status_code == 404
    assert AuditEvent.objects.get(action="recordings.download_refused").details == {"reason": "expired"}
    request.refresh_from_db()
    assert request.first_downloaded_at is None


# --- Who is refused ----------------------------------------------------------------------------------------


@pytest.fixture
def handed(make_recording, body_regulator, supervisor, center_signing_key) -> dict[str, Any]:
    """A ready request of the authorized body, its recording, and a link issued to its regulator."""
    recording = make_recording(PHONE, at(20, 10), at(20, 10, 5))
    request = build(file_request(body_regulator), supervisor)
    link = regulator_requests.issue_download_link(request=request, user=body_regulator, password=PASSWORD)
    return {"request": request, "recording": recording, "token": link.token}


PAGES = {
    # what: (method, url, the audited target's kind)
    "request page": ("get", "/recordings/requests/{request}/", "request"),
    "letter": ("get", "/recordings/requests/{request}/letter/", "request"),
    "recording": ("get", "/recordings/{recording}/listen/", "recording"),
    "recording player": ("get", "/recordings/{recording}/", "recording"),
    "package": ("post", "/recordings/requests/{request}/download/", "request"),
    "download": ("get", "/recordings/packages/{token}/", None),
}


@pytest.mark.parametrize("who", ["consultant", "officer", "other_body_regulator", "anonymous"])
@pytest.mark.parametrize("what", list(PAGES))
def test_everyone_else_is_refused_and_the_refusal_is_audited(request, handed, who, what):
    # given someone who is not the body's regulator nor the center's supervisor
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = Client() if user is None else client_for(user)
    method, url, target = PAGES[what]
    url = url.format(request=handed["request"].pk, recording=handed["recording"].pk, token=handed["token"])
    # when they try it (with their own password, for the package)
    response = getattr(client, method)(url, {"password": PASSWORD} if method == "post" else None)
    # then a 404 for a signed-in user; a page sends the anonymous to sign in, the bytes are a 404 to them too
    if user is None and what in ("request page", "letter", "package", "recording player"):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == 404
    # and the refusal is in the audit log, naming them (and what they tried, where it exists)
    denied = AuditEvent.objects.filter(kind=AuditKind.DENIED)
    assert denied.exists()
    assert {(event.actor, event.actor_label) for event in denied} == {
        (user, "anonymous" if user is None else user.username)
    }
    if target is not None:
        expected = handed[target].pk
        assert {event.object_id for event in denied.filter(action="recordings.access_denied")} == {str(expected)}
    # (a link's token is a secret: the log names the link by the start of its SHA-256 instead)
    assert all(handed["token"] not in json.dumps(event.details) for event in AuditEvent.objects.all())
    if what == "download":
        digest = regulator_requests.token_digest(handed["token"])[:16]
        paths = {event.details["path"] for event in denied.filter(action="recordings.access_denied")}
        assert paths == {f"/recordings/packages/sha256:{digest}/"}
    # and nothing was handed over: the regulator's link still works
    assert not AuditEvent.objects.filter(action="recordings.package_downloaded").exists()
    assert not PackageDownloadLink.objects.filter(used_at__isnull=False).exists()
    assert not PackageDownloadLink.objects.exclude(issued_to__username="gulnar").exists()


def test_another_bodys_regulator_sees_neither_its_requests_nor_its_report_rows(
    handed, other_body_regulator, body_regulator
):
    other = client_for(other_body_regulator)
    assert "01-12/345" not in other.get("/recordings/requests/").content.decode()
    assert "01-12/345" not in other.get("/recordings/requests/report/").content.decode()
    assert "01-12/345" not in other.get("/recordings/requests/report/?format=csv").content.decode()
    assert "01-12/345" in client_for(body_regulator).get("/recordings/requests/").content.decode()


@pytest.mark.parametrize("who", ["consultant", "officer", "editor"])
def test_the_list_and_the_report_are_hidden_from_other_roles(request, who, handed):
    client = client_for(request.getfixturevalue(who))
    assert client.get("/recordings/requests/").status_code == 404
    assert client.get("/recordings/requests/report/").status_code == 404
    assert client.get("/recordings/requests/new/").status_code == 404
    assert AuditEvent.objects.filter(action="recordings.access_denied").count() == 3


def test_only_a_regulator_files_and_only_the_center_confirms(handed, supervisor, body_regulator):
    # a supervisor cannot file; the regulator cannot confirm or retry
    assert client_for(supervisor).get("/recordings/requests/new/").status_code == 404
    regulator = client_for(body_regulator)
    pk = handed["request"].pk
    assert regulator.post(f"/recordings/requests/{pk}/confirm/").status_code == 404
    assert regulator.post(f"/recordings/requests/{pk}/retry/").status_code == 404
    assert AuditEvent.objects.filter(action="recordings.access_denied").count() == 3


# --- The report ---------------------------------------------------------------------------------------------


@pytest.fixture
def reported(make_recording, body_regulator, supervisor, center_signing_key) -> RecordingRequest:
    """A request filed at 09:00 on 21 November, handed over; and one still waiting, filed on the 23rd."""
    make_recording(PHONE, at(20, 10), at(20, 10, 5))
    file_request(body_regulator, number="02-01/9", day=at(22, 0).date(), now=at(23, 10, 30))
    return build(file_request(body_regulator), supervisor)


def test_the_report_lists_requests_with_their_times(reported, supervisor):
    page = client_for(supervisor).get("/recordings/requests/report/")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [row["number"] for row in rows] == ["01-12/345", "02-01/9"]
    first = rows[0]
    assert (first["registered"], first["due"]) == ("21.11.2026 09:00", "21.11.2026 13:00")
    assert first["confirmed"] and first["ready"] and first["recordings"] == 1
    assert (rows[1]["registered"], rows[1]["due"], rows[1]["ready"]) == ("23.11.2026 10:30", "23.11.2026 14:30", "")
    html = page.content.decode()
    assert "21.11.2026 09:00" in html and "23.11.2026 14:30" in html


def test_the_report_as_csv_and_for_a_period(reported, supervisor):
    client = client_for(supervisor)
    response = client.get("/recordings/requests/report/", {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="recording-requests.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(header) == 11
    assert [row[:4] for row in rows] == [
        ["01-12/345", str(reported.requesting_body), "21.11.2026 09:00", "21.11.2026 13:00"],
        ["02-01/9", str(reported.requesting_body), "23.11.2026 10:30", "23.11.2026 14:30"],
    ]
    assert rows[0][8] == "1"
    # a period keeps the requests registered in it (Almaty days, both ends included)
    period = client.get("/recordings/requests/report/", {"since": "2026-11-22", "until": "2026-11-23"})
    assert [row["number"] for row in period.context["rows"]] == ["02-01/9"]
