"""A regulator's request for recordings: filed, matched at once under legal hold, on a 4-hour clock, handed over
through a one-time link after the password."""

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from accounts.choices import Role
from accounts.services import create_staff_user
from audit.choices import AuditKind
from audit.models import AuditEvent
from conftest import PASSWORD
from recordings import regulator_requests
from recordings.choices import RequestStatus
from recordings.models import PackageDownloadLink, Recording, RecordingAlert, RecordingRequest
from recordings.tests.conftest import PDF_LETTER
from recordings.tests.request_steps import (
    CALLS_DAY,
    OTHER_PHONE,
    PHONE,
    REGISTERED_AT,
    at,
    build,
    file_request,
    tamper,
)

# --- Filing and matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    ["+7 701 123 45 67", "8 701 123 45 67", "77011234567", "87011234567", "8-701-123-45-67", "+7 (701) 123-45-67"],
)
def test_any_spelling_of_the_phone_matches_the_same_recordings(make_recording, body_regulator, spelling):
    # given two calls of the number on the day, one of another number and one of the number the day before
    wanted = [
        make_recording("87011234567", at(20, 10), at(20, 10, 5)),
        make_recording("+77011234567", at(20, 18), at(20, 18, 2)),
    ]
    make_recording(OTHER_PHONE, at(20, 11), at(20, 11, 5))
    make_recording(PHONE, at(19, 11), at(19, 11, 5))
    # when a request names the number written that way
    request = file_request(body_regulator, phone=spelling)
    # then it is kept in E.164 and matches exactly those two, each put under legal hold
    assert request.phone == PHONE
    assert [item.recording for item in request.items.all()] == wanted
    assert list(Recording.objects.filter(legal_hold=True).order_by("pk")) == wanted


def test_a_call_crossing_midnight_almaty_time_is_matched_on_both_days(make_recording, body_regulator):
    # given a call from 23:55 on the 20th to 00:07 on the 21st, Almaty time (18:55-19:07 UTC on the 20th)
    recording = make_recording(PHONE, at(20, 23, 55), at(21, 0, 7))
    # when requests name either day, and the day after
    on_20 = file_request(body_regulator, number="A-20", day=date(2026, 11, 20))
    on_21 = file_request(body_regulator, number="A-21", day=date(2026, 11, 21), now=at(22, 9))
    on_22 = file_request(body_regulator, number="A-22", day=date(2026, 11, 22), now=at(23, 9))
    # then both days find it, the next does not, and it went under legal hold once
    assert [item.recording for item in on_20.items.all()] == [recording]
    assert [item.recording for item in on_21.items.all()] == [recording]
    assert not on_22.items.exists()
    assert Recording.objects.get(pk=recording.pk).legal_hold
    assert AuditEvent.objects.filter(action="recordings.legal_hold_set", object_id=str(recording.pk)).count() == 1


def test_no_match_is_an_honest_empty_result(make_recording, body_regulator):
    # given recordings of another number only
    make_recording(OTHER_PHONE, at(20, 10), at(20, 10, 5))
    # when a request names a number with no calls that day
    request = file_request(body_regulator)
    # then it is registered with nothing matched, and the registration says so
    assert request.status == RequestStatus.REGISTERED
    assert not request.items.exists()
    registered = AuditEvent.objects.get(action="recordings.request_registered")
    assert (registered.actor, registered.details["matched"]) == (body_regulator, 0)


def test_the_clock_is_the_registration_plus_the_policy_hours(body_regulator, settings):
    # given the regulation's 4 hours
    request = file_request(body_regulator, number="A-1")
    assert (request.registered_at, request.due_at) == (REGISTERED_AT, at(21, 13))
    # when the policy says otherwise, the clock follows it
    settings.POLICY = {**settings.POLICY, "RECORDING_REQUEST_HOURS": 2}
    assert file_request(body_regulator, number="A-2").due_at == at(21, 11)
    assert AuditEvent.objects.filter(action="recordings.request_registered").first().details["due_at"] == (
        at(21, 11).isoformat()
    )


def test_the_letter_is_kept_with_its_digest(body_regulator):
    request = file_request(body_regulator)
    assert request.letter_sha256 == hashlib.sha256(PDF_LETTER).hexdigest()
    assert request.letter.name.endswith(".pdf")
    with request.letter.open("rb") as stored:
        assert stored.read() == PDF_LETTER


def test_the_same_number_filed_again_is_the_same_request(body_regulator, other_body_regulator):
    # given a registered request
    first = file_request(body_regulator)
    # when the same letter is filed again (a double click), or another body uses the same number
    again = file_request(body_regulator, phone="8 701 123 45 67")
    elsewhere = file_request(other_body_regulator)
    # then the first stands once, and the other body has its own
    assert again.pk == first.pk
    assert elsewhere.pk != first.pk and elsewhere.requesting_body_id == other_body_regulator.organisation_id
    assert RecordingRequest.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("day", {"day": date(2026, 11, 22)}),
        ("phone", {"phone": "call me"}),
        ("phone", {"phone": "+7 701 123"}),
        ("letter", {"content": b"MZ\x90\x00 an executable", "name": "letter.pdf"}),
        ("letter", {"content": b"", "name": "letter.pdf"}),
        ("number", {"number": "   "}),
    ],
)
def test_bad_requests_are_refused_with_a_message_on_the_field(body_regulator, field, changes):
    # a date after today, a phone that is not one, a letter that is not a scan, no number
    with pytest.raises(ValidationError) as refused:
        file_request(body_regulator, **changes)
    assert list(refused.value.message_dict) == [field]
    assert not RecordingRequest.objects.exists()


def test_a_letter_over_the_size_limit_is_refused(body_regulator, settings):
    settings.RECORDINGS_LETTER_MAX_BYTES = 10
    with pytest.raises(ValidationError) as refused:
        file_request(body_regulator)
    assert list(refused.value.message_dict) == ["letter"]


def test_a_number_already_filed_for_another_phone_or_date_is_a_mistake(body_regulator):
    first = file_request(body_regulator)
    for changes in ({"phone": OTHER_PHONE}, {"day": date(2026, 11, 19)}):
        with pytest.raises(ValidationError) as refused:
            file_request(body_regulator, **changes)
        assert list(refused.value.message_dict) == ["number"]
    assert list(RecordingRequest.objects.all()) == [first]


def test_only_a_regulator_of_a_body_files(consultant, supervisor, regulator):
    # a consultant, a supervisor, and a regulator not linked to any authorized body
    for user in (consultant, supervisor, regulator):
        with pytest.raises(ValidationError):
            file_request(user)
    assert not RecordingRequest.objects.exists()


def test_checking_the_matches_alerts_on_a_broken_file(make_recording, body_regulator):
    # given a request matching two recordings, one changed on disk since
    broken = make_recording(PHONE, at(20, 10), at(20, 10, 5))
    make_recording(PHONE, at(20, 11), at(20, 11, 5))
    request = file_request(body_regulator)
    tamper(Path(broken.file.path))
    # then the check right after registration finds it and alerts
    assert regulator_requests.check_request_matches(request_id=request.pk) == 1
    assert RecordingAlert.objects.get().recording == broken


# --- The clock: reminders and the missed deadline ------------------------------------------------------


@pytest.fixture
def staff_with_email(db):
    return create_staff_user(
        username="saule", password=PASSWORD, role=Role.SUPERVISOR, first_name="Сәуле", email="saule@bailanys.example.kz"
    )


def test_reminders_go_out_before_the_deadline_once_each(
    body_regulator, staff_with_email, tasks_in_process, django_capture_on_commit_callbacks, mailoutbox
):
    # given a request registered at 09:00, due at 13:00, with reminders 60 and 15 minutes before
    request = file_request(body_regulator)
    mailoutbox.clear()

    def watch(now):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return regulator_requests.watch_deadlines(now=now)

    # then nothing at 11:59, one reminder at 12:00 and none when the watch runs again, the second at 12:45
    assert watch(at(21, 11, 59)) == {"reminders": 0, "missed": 0}
    assert watch(at(21, 12, 0)) == {"reminders": 1, "missed": 0}
    assert watch(at(21, 12, 1)) == {"reminders": 0, "missed": 0}
    assert watch(at(21, 12, 45)) == {"reminders": 1, "missed": 0}
    assert watch(at(21, 12, 50)) == {"reminders": 0, "missed": 0}
    request.refresh_from_db()
    assert (request.reminders_sent, request.deadline_missed_at) == (2, None)
    assert AuditEvent.objects.filter(action="recordings.request_reminder").count() == 2
    # and the staff had two e-mails about it
    assert [message.to for message in mailoutbox] == [[staff_with_email.email]] * 2
    assert all("01-12/345" in message.subject for message in mailoutbox)


def test_a_watch_that_wakes_late_sends_one_reminder_not_two(body_regulator):
    request = file_request(body_regulator)
    assert regulator_requests.watch_deadlines(now=at(21, 12, 50)) == {"reminders": 1, "missed": 0}
    assert regulator_requests.watch_deadlines(now=at(21, 12, 55)) == {"reminders": 0, "missed": 0}
    request.refresh_from_db()
    assert request.reminders_sent == 2


def test_a_missed_deadline_is_alerted_once(
    body_regulator, staff_with_email, tasks_in_process, django_capture_on_commit_callbacks, mailoutbox
):
    # given a request still unconfirmed at its deadline
    request = file_request(body_regulator)
    mailoutbox.clear()
    # when the watch runs at 13:00 and again later
    with django_capture_on_commit_callbacks(execute=True):
        first = regulator_requests.watch_deadlines(now=at(21, 13))
        second = regulator_requests.watch_deadlines(now=at(21, 14))
    # then one alert: the request is marked, audited, and both the staff and the regulator hear of it once
    assert (first, second) == ({"reminders": 0, "missed": 1}, {"reminders": 0, "missed": 0})
    request.refresh_from_db()
    assert request.deadline_missed_at == at(21, 13)
    assert request.met_deadline is False
    missed = AuditEvent.objects.get(action="recordings.request_deadline_missed")
    assert missed.object_id == str(request.pk)
    assert len(mailoutbox) == 1
    assert sorted(mailoutbox[0].to) == sorted([staff_with_email.email, body_regulator.email])


def test_a_package_ready_in_time_stops_the_clock(body_regulator, supervisor, center_signing_key):
    # given a request whose package is ready (the real clock is past its registration time)
    request = build(file_request(body_regulator, now=at(21, 9)), supervisor)
    assert request.status == RequestStatus.READY
    # then the watch leaves it alone, even after its deadline
    assert regulator_requests.watch_deadlines(now=request.due_at + timedelta(hours=1)) == {"reminders": 0, "missed": 0}
    request.refresh_from_db()
    assert (request.reminders_sent, request.deadline_missed_at) == (0, None)


# --- The one-time link -------------------------------------------------------------------------------------


@pytest.fixture
def ready_request(make_recording, body_regulator, supervisor, center_signing_key):
    make_recording(PHONE, at(20, 10), at(20, 10, 5))
    return build(file_request(body_regulator), supervisor)


def test_the_right_password_gets_a_link_that_works_once(ready_request, body_regulator):
    # when the regulator re-enters the password
    link = regulator_requests.issue_download_link(request=ready_request, user=body_regulator, password=PASSWORD)
    # then only the token's digest is stored, and the link works once
    stored = PackageDownloadLink.objects.get()
    assert stored.token_sha256 == regulator_requests.token_digest(link.token) != link.token
    assert regulator_requests.redeem_download_link(token=link.token, user=body_regulator) == ready_request
    ready_request.refresh_from_db()
    assert ready_request.status == RequestStatus.DELIVERED and ready_request.first_downloaded_at is not None
    assert AuditEvent.objects.get(action="recordings.package_downloaded").kind == AuditKind.READ
    # and a second use is refused and audited as a replay
    assert regulator_requests.redeem_download_link(token=link.token, user=body_regulator) is None
    refused = AuditEvent.objects.get(action="recordings.download_refused")
    assert (refused.kind, refused.actor, refused.details) == (AuditKind.DENIED, body_regulator, {"reason": "replayed"})
    assert AuditEvent.objects.filter(action="recordings.package_downloaded").count() == 1


def test_an_expired_link_is_refused(ready_request, body_regulator, settings):
    # given links that expire at once
    settings.RECORDINGS_PACKAGE_LINK_MINUTES = 0
    link = regulator_requests.issue_download_link(request=ready_request, user=body_regulator, password=PASSWORD)
    # then it is refused and audited, and the package stays undelivered
    assert regulator_requests.redeem_download_link(token=link.token, user=body_regulator) is None
    assert AuditEvent.objects.get(action="recordings.download_refused").details == {"reason": "expired"}
    ready_request.refresh_from_db()
    assert (ready_request.status, ready_request.first_downloaded_at) == (RequestStatus.READY, None)


def test_someone_elses_or_an_unknown_link_is_refused(ready_request, body_regulator, other_body_regulator):
    link = regulator_requests.issue_download_link(request=ready_request, user=body_regulator, password=PASSWORD)
    assert regulator_requests.redeem_download_link(token=link.token, user=other_body_regulator) is None
    assert regulator_requests.redeem_download_link(token="made-up", user=body_regulator) is None
    reasons = [event.details["reason"] for event in AuditEvent.objects.filter(action="recordings.download_refused")]
    assert sorted(reasons) == ["not_issued_to_user", "unknown"]
    # the rightful regulator's link is still unused
    assert regulator_requests.redeem_download_link(token=link.token, user=body_regulator) == ready_request


def test_a_wrong_password_issues_no_link_and_counts_as_a_failed_sign_in(ready_request, body_regulator):
    with pytest.raises(ValidationError) as refused:
        regulator_requests.issue_download_link(request=ready_request, user=body_regulator, password="guess")
    assert list(refused.value.message_dict) == ["password"]
    assert not PackageDownloadLink.objects.exists()
    denied = AuditEvent.objects.get(action="recordings.download_password_refused")
    assert (denied.kind, denied.actor) == (AuditKind.DENIED, body_regulator)
    body_regulator.refresh_from_db()
    assert body_regulator.failed_login_count == 1


def test_an_account_locked_by_wrong_passwords_gets_no_link_even_with_the_right_one(
    ready_request, body_regulator, settings
):
    # given as many wrong passwords in a row as lock an account
    for _attempt in range(settings.LOGIN_MAX_FAILURES):
        with pytest.raises(ValidationError):
            regulator_requests.issue_download_link(request=ready_request, user=body_regulator, password="guess")
    # when the right password comes next (guessing must not go on behind the lock)
    with pytest.raises(ValidationError):
        regulator_requests.issue_download_link(request=ready_request, user=body_regulator, password=PASSWORD)
    # then no link, and the refusal says why
    assert not PackageDownloadLink.objects.exists()
    assert AuditEvent.objects.filter(action="recordings.download_password_refused").first().details == {
        "reason": "locked"
    }


def test_no_link_before_the_package_is_ready(make_recording, body_regulator):
    request = file_request(body_regulator)
    with pytest.raises(ValidationError):
        regulator_requests.issue_download_link(request=request, user=body_regulator, password=PASSWORD)
    assert not PackageDownloadLink.objects.exists()


def test_the_day_must_not_be_after_the_registration_day(body_regulator):
    # the day of registration itself is allowed (calls of this morning)
    assert file_request(body_regulator, day=CALLS_DAY, now=at(20, 23, 59)).day == CALLS_DAY
