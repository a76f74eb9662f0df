"""Requests of authorized bodies for recordings (clause 18): filed, matched at once, confirmed, packaged, handed over.

The clock: `due_at = registered_at + RECORDING_REQUEST_HOURS` (policy, 4 by default). Matching happens inside the
registration's transaction and puts every match under legal hold; the matched files are checked against their
SHA-256 right after, so the supervisor confirms knowing what is intact. The package is built by a task after
confirmation, and reaches the regulator through a one-time, short-lived link issued after they re-enter their
password. Every step is audited.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.forms import LockoutAuthenticationForm
from accounts.services import register_login_failure
from audit.choices import AuditKind
from audit.services import record_event
from core.phone import normalise_phone
from core.policy import policy

from .choices import OPEN_REQUEST_STATUSES, RequestStatus, WithheldReason
from .export import Tampered, iso_local, package_sha256, write_package
from .models import PackageDownloadLink, Recording, RecordingRequest, RequestedRecording
from .selectors import request_matches
from .services import verify_recording
from .signing import center_key

logger = logging.getLogger(__name__)

LETTER_SIGNATURES = {
    b"%PDF-": "pdf",
    b"\xff\xd8\xff": "jpg",
    b"\x89PNG\r\n\x1a\n": "png",
    b"II*\x00": "tif",
    b"MM\x00*": "tif",
}


# --- Filing and matching -----------------------------------------------------------------------------


def file_request(
    *, regulator: Any, number: str, phone: str, day: date, letter: UploadedFile, now: datetime | None = None
) -> RecordingRequest:
    """Register a request of the regulator's body; the same number filed again returns the registered one."""
    now = now or timezone.now()
    body_id = _requesting_body(regulator)
    number = " ".join((number or "").split())
    if not number:
        raise ValidationError({"number": [_("Enter the number of the request letter.")]})
    existing = RecordingRequest.objects.filter(requesting_body_id=body_id, number=number).first()
    e164 = _clean_phone(phone)
    if existing is not None:
        return _same_request(existing, phone=e164, day=day)
    if day > timezone.localdate(now):
        raise ValidationError({"day": [_("The date of the calls cannot be in the future.")]})
    extension, letter_sha256 = _check_letter(letter)
    try:
        with transaction.atomic():
            request = RecordingRequest(
                number=number,
                requesting_body_id=body_id,
                filed_by=regulator,
                phone=e164,
                day=day,
                letter_sha256=letter_sha256,
                registered_at=now,
                due_at=now + timedelta(hours=float(policy("RECORDING_REQUEST_HOURS"))),
            )
            letter.seek(0)
            request.letter.save(f"{letter_sha256[:16]}.{extension}", letter, save=False)
            request.save()
            matched = _match(request, actor=regulator)
            record_event(
                action="recordings.request_registered",
                actor=regulator,
                target=request,
                details={
                    "number": number,
                    "day": day.isoformat(),
                    "matched": matched,
                    "due_at": request.due_at.isoformat(),
                },
            )
            transaction.on_commit(lambda: _after_registration(request.pk))
    except IntegrityError:
        # The same letter filed twice at once: the other filing won; this one's stored letter is dropped.
        if request.letter.name:
            request.letter.storage.delete(request.letter.name)
        existing = RecordingRequest.objects.get(requesting_body_id=body_id, number=number)
        return _same_request(existing, phone=e164, day=day)
    return request


def _same_request(existing: RecordingRequest, *, phone: str, day: date) -> RecordingRequest:
    """A number filed again is the same request, unless it names another phone or date (then it is a mistake)."""
    if (existing.phone, existing.day) != (phone, day):
        raise ValidationError(
            {"number": [_("A request with this number is already registered for another phone or date.")]}
        )
    return existing


def _after_registration(request_id: int) -> None:
    from . import tasks

    tasks.check_request_matches.delay(request_id)
    tasks.notify_request.delay(request_id, "registered")


def _requesting_body(regulator: Any) -> int:
    if not regulator.has_role(Role.REGULATOR):
        raise ValidationError(_("Only a regulator of an authorized body files requests for recordings."))
    if not regulator.organisation_id:
        raise ValidationError(_("Your account is not linked to an authorized body; ask an administrator to link it."))
    return int(regulator.organisation_id)


def _clean_phone(phone: str) -> str:
    try:
        return normalise_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc


def _check_letter(letter: UploadedFile) -> tuple[str, str]:
    """The scanned letter: a PDF or an image, checked by content, within the size limit."""
    if letter is None or not letter.size:
        raise ValidationError({"letter": [_("Attach the scanned request letter.")]})
    if letter.size > settings.RECORDINGS_LETTER_MAX_BYTES:
        raise ValidationError({"letter": [_("The scanned letter is larger than allowed.")]})
    letter.seek(0)
    head = letter.read(16)
    extension = next((ext for magic, ext in LETTER_SIGNATURES.items() if head.startswith(magic)), None)
    if extension is None:
        raise ValidationError({"letter": [_("The scanned letter must be a PDF, JPEG, PNG or TIFF file.")]})
    letter.seek(0)
    sha256 = hashlib.sha256()
    for chunk in letter.chunks():
        sha256.update(chunk)
    return extension, sha256.hexdigest()


def _match(request: RecordingRequest, *, actor: Any) -> int:
    """Link every recording of the phone on the day; each goes under legal hold (never deleted by retention)."""
    found = list(request_matches(request.phone, request.day))
    RequestedRecording.objects.bulk_create(
        [
            RequestedRecording(
                request=request,
                recording_id=recording_id,
                withheld_reason=WithheldReason.DELETED_BY_RETENTION if deleted_at else "",
            )
            for recording_id, deleted_at in found
        ]
    )
    held = Recording.objects.filter(pk__in=[recording_id for recording_id, _ in found], legal_hold=False).only("pk")
    for recording in held:
        record_event(
            action="recordings.legal_hold_set",
            actor=actor,
            target=recording,
            details={"reason": f"request {request.pk}", "request": request.number},
        )
    held.update(legal_hold=True)
    return len(found)


def check_request_matches(*, request_id: int) -> int:
    """Check every matched file against its SHA-256 now (alerts on the broken ones); returns how many broke."""
    items = RequestedRecording.objects.filter(request_id=request_id, recording__deleted_at__isnull=True)
    broken = 0
    for item in items.select_related("recording"):
        if not verify_recording(item.recording):
            broken += 1
    return broken


# --- Confirmation and the package ------------------------------------------------------------------------


def confirm_request(*, request: RecordingRequest, supervisor: Any) -> RecordingRequest:
    """A supervisor confirms the matches; the package is built right after the commit."""
    with transaction.atomic():
        locked = RecordingRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != RequestStatus.REGISTERED:
            raise ValidationError(_("This request has already been confirmed."))
        locked.status, locked.confirmed_by, locked.confirmed_at = RequestStatus.CONFIRMED, supervisor, timezone.now()
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        record_event(action="recordings.request_confirmed", actor=supervisor, target=locked)
        transaction.on_commit(lambda: _queue_package(locked.pk))
    return locked


def _queue_package(request_id: int) -> None:
    from . import tasks

    tasks.build_request_package.delay(request_id)


def build_package(*, request_id: int) -> RecordingRequest:
    """Write the request's package through the storage API and mark it ready; a ready one is left as it is.

    Any failure (the center's key not configured, storage full or unwritable, a recording that cannot be read, the
    database) marks the request failed with a reason a supervisor can read, logs the error with its traceback, and
    leaves no partial package behind; `retry_package` builds it again once the cause is mended.
    """
    request = RecordingRequest.objects.select_related("requesting_body").get(pk=request_id)
    if request.status != RequestStatus.CONFIRMED:
        return request
    try:
        key = center_key()
    except ImproperlyConfigured as exc:
        return _package_failed(request, str(exc))
    name = ""
    try:
        name, result, withheld = _write_withholding_tampered(request, key)
        request = _package_ready(request, name, result, withheld)
    except Exception as exc:
        reference = secrets.token_hex(4)
        failed = _package_failed(request, _failure_reason(exc, reference), error=exc)
        if name and failed.status == RequestStatus.FAILED:  # written, but never marked ready
            _delete_quietly(request.package.storage, name)
        return failed
    try:
        package_digest(request)
    except OSError:  # taken again on the first download
        logger.warning("Could not take the SHA-256 of package %s", request.package.name, exc_info=True)
    return request


def package_digest(request: RecordingRequest) -> str:
    """The ready package's SHA-256, taken once after it is ready (the export does not wait for it) and recorded."""
    if request.package_sha256 or not request.package:
        return request.package_sha256
    with request.package.open("rb") as opened:
        sha256 = package_sha256(opened)
    with transaction.atomic():
        RecordingRequest.objects.filter(pk=request.pk, package=request.package.name).update(package_sha256=sha256)
        record_event(action="recordings.package_digest", target=request, details={"sha256": sha256})
    request.package_sha256 = sha256
    return sha256


def _write_withholding_tampered(request: RecordingRequest, key: Any) -> tuple[str, Any, dict[int, str]]:
    """Write the package; a recording found tampered with (or gone) is withheld and the package written again."""
    withheld: dict[int, str] = dict(
        request.items.exclude(withheld_reason="").values_list("recording_id", "withheld_reason")
    )
    while True:
        items = list(request.items.select_related("recording", "recording__consultant", "recording__call"))
        good = [item.recording for item in items if item.recording_id not in withheld]
        try:
            name, result = _write_to_storage(request, good, items, withheld, key)
            return name, result, withheld
        except Tampered as tampered:
            verify_recording(tampered.recording)
            found_missing = not tampered.recording.file.storage.exists(tampered.recording.file.name or "")
            withheld[tampered.recording.pk] = (
                WithheldReason.FILE_MISSING if found_missing else WithheldReason.CHECKSUM_MISMATCH
            )


def _failure_reason(exc: Exception, reference: str) -> str:
    """Why the package failed, for the supervisor (shown after "The package could not be prepared:")."""
    if isinstance(exc, OSError):
        return _("storage error: %(error)s (reference %(reference)s in the server log); retry once it is mended.") % {
            "error": exc.strerror or type(exc).__name__,
            "reference": reference,
        }
    return _(
        "an internal error (reference %(reference)s in the server log); retry, and if it fails again, tell the "
        "administrator."
    ) % {"reference": reference}


def _write_to_storage(
    request: RecordingRequest,
    good: list[Recording],
    items: list[RequestedRecording],
    withheld: dict[int, str],
    key: Any,
) -> tuple[str, Any]:
    """Write the package under a new name; whatever goes wrong (Tampered included), no partial file is left."""
    storage = request.package.storage
    stamp = timezone.localtime(request.registered_at)
    name = storage.get_available_name(f"recording-requests/{stamp:%Y/%m}/package-{request.pk}.zip")
    if hasattr(storage, "path"):
        os.makedirs(os.path.dirname(storage.path(name)), exist_ok=True)
    document = request_document(request, items, withheld)
    try:
        with storage.open(name, "wb") as out:
            result = write_package(out, recordings=good, request_document=document, key=key)
    except BaseException:
        _delete_quietly(storage, name)
        raise
    return name, result


def _delete_quietly(storage: Any, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.warning("Could not remove the unfinished package %s", name, exc_info=True)


def request_document(request: RecordingRequest, items: list[RequestedRecording], withheld: dict[int, str]) -> dict:
    """`request.json`: what was asked, by whom, when, and what was found (including what is withheld and why)."""
    from .export import package_path

    def describe(recording: Recording) -> dict[str, Any]:
        return {
            "id": recording.pk,
            "call": recording.call.call_id,
            "started_at": iso_local(recording.started_at),
            "ended_at": iso_local(recording.ended_at),
            "duration_seconds": recording.duration_seconds,
            "format": recording.audio_format,
            "sha256_at_ingest": recording.sha256,
            "size_bytes": recording.size_bytes,
            "consultant": recording.consultant.get_full_name() or recording.consultant.username
            if recording.consultant
            else None,
        }

    included = [item.recording for item in items if item.recording_id not in withheld]
    return {
        "request": {
            "number": request.number,
            "requesting_body": request.requesting_body.name_ru or request.requesting_body.name_kk,
            "requesting_body_code": request.requesting_body.code,
            "phone": request.phone,
            "date": request.day.isoformat(),
            "registered_at": iso_local(request.registered_at),
            "due_at": iso_local(request.due_at),
            "confirmed_at": iso_local(request.confirmed_at),
            "letter_sha256": request.letter_sha256,
        },
        "time_zone": settings.TIME_ZONE,
        "generated_at": iso_local(timezone.now()),
        "recordings": [dict(describe(r), path=package_path(r)) for r in included],
        "withheld": [
            dict(
                describe(item.recording),
                reason=withheld[item.recording_id],
                reason_text=str(WithheldReason(withheld[item.recording_id]).label),
            )
            for item in items
            if item.recording_id in withheld
        ],
        "matched": len(items),
    }


def _package_ready(request: RecordingRequest, name: str, result: Any, withheld: dict[int, str]) -> RecordingRequest:
    now = timezone.now()
    with transaction.atomic():
        for item in request.items.all():
            reason = withheld.get(item.recording_id, "")
            item.exported, item.withheld_reason = not reason, reason
            item.package_path = result.paths.get(item.recording_id, "")
            item.save(update_fields=["exported", "withheld_reason", "package_path"])
        RecordingRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.READY,
            package=name,
            package_sha256="",
            package_size=result.size,
            package_ready_at=now,
            failure="",
        )
        request.refresh_from_db()
        record_event(
            action="recordings.package_ready",
            target=request,
            details={
                "size": result.size,
                "recordings": len(result.paths),
                "withheld": len(withheld),
            },
        )
        transaction.on_commit(lambda: _notify(request.pk, "ready"))
    return request


def _package_failed(request: RecordingRequest, reason: str, *, error: Exception | None = None) -> RecordingRequest:
    """Mark a confirmed request's package failed (not one marked ready meanwhile, e.g. before a notice failed)."""
    reason = reason[:300]
    with transaction.atomic():
        failed = RecordingRequest.objects.filter(pk=request.pk, status=RequestStatus.CONFIRMED).update(
            status=RequestStatus.FAILED, failure=reason
        )
        if failed:
            record_event(action="recordings.package_failed", target=request, details={"reason": reason})
    state = "failed" if failed else "failed after it was marked ready"
    logger.error("Package of recording request %s %s: %s", request.pk, state, reason, exc_info=error)
    request.refresh_from_db()
    return request


def retry_package(*, request: RecordingRequest, supervisor: Any) -> RecordingRequest:
    """After a failure is mended (e.g. the center's key configured), build the package again."""
    with transaction.atomic():
        updated = RecordingRequest.objects.filter(pk=request.pk, status=RequestStatus.FAILED).update(
            status=RequestStatus.CONFIRMED
        )
        if not updated:
            raise ValidationError(_("Only a request whose package failed can be retried."))
        record_event(action="recordings.package_retried", actor=supervisor, target=request)
        transaction.on_commit(lambda: _queue_package(request.pk))
    request.refresh_from_db()
    return request


def _notify(request_id: int, event: str) -> None:
    from . import tasks

    tasks.notify_request.delay(request_id, event)


# --- Handing over: one-time links after the password ------------------------------------------------------


@dataclass(frozen=True)
class DownloadLink:
    token: str
    expires_at: datetime


def issue_download_link(*, request: RecordingRequest, user: Any, password: str) -> DownloadLink:
    """A link that works once and for a few minutes, for the regulator who re-entered their password."""
    if request.status not in (RequestStatus.READY, RequestStatus.DELIVERED):
        raise ValidationError(_("The package is not ready yet."))
    if get_user_model().objects.get(pk=user.pk).is_locked:
        # Locked by failed passwords (here or at sign-in): no more guessing here either, as at the sign-in form.
        record_event(
            action="recordings.download_password_refused",
            kind=AuditKind.DENIED,
            actor=user,
            target=request,
            details={"reason": "locked"},
        )
        raise ValidationError({"password": [LockoutAuthenticationForm.error_messages["locked"]]})
    if authenticate(username=user.get_username(), password=password or "") is None:
        register_login_failure(username=user.get_username())
        record_event(action="recordings.download_password_refused", kind=AuditKind.DENIED, actor=user, target=request)
        raise ValidationError({"password": [_("The password is not correct.")]})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = PackageDownloadLink.objects.create(
        request=request,
        token_sha256=token_digest(token),
        issued_to=user,
        issued_at=now,
        expires_at=now + timedelta(minutes=settings.RECORDINGS_PACKAGE_LINK_MINUTES),
    )
    record_event(action="recordings.download_link_issued", actor=user, target=request, details={"link": link.pk})
    return DownloadLink(token=token, expires_at=link.expires_at)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def redeem_download_link(*, token: str, user: Any) -> RecordingRequest | None:
    """Use a link once: returns its request, or None (audited) when the link is unknown, used, expired or not
    the user's own."""
    now = timezone.now()
    with transaction.atomic():
        link = (
            PackageDownloadLink.objects.select_for_update()
            .select_related("request")
            .filter(token_sha256=token_digest(token or ""))
            .first()
        )
        refusal = _refusal(link, user, now)
        if refusal:
            record_event(
                action="recordings.download_refused",
                kind=AuditKind.DENIED,
                actor=user,
                target=link.request if link else None,
                details={"reason": refusal},
            )
            return None
        assert link is not None
        link.used_at = now
        link.save(update_fields=["used_at"])
        request = link.request
        package_digest(request)  # taken after the package was ready; here only if that failed
        if request.first_downloaded_at is None:
            request.first_downloaded_at = now
            request.status = RequestStatus.DELIVERED
            request.save(update_fields=["first_downloaded_at", "status"])
        record_event(
            action="recordings.package_downloaded",
            kind=AuditKind.READ,
            actor=user,
            target=request,
            details={"link": link.pk, "sha256": request.package_sha256},
        )
    return request


def _refusal(link: PackageDownloadLink | None, user: Any, now: datetime) -> str:
    if link is None:
        return "unknown"
    if link.issued_to_id != getattr(user, "pk", None):
        return "not_issued_to_user"
    if link.used_at is not None:
        return "replayed"
    if link.expires_at <= now:
        return "expired"
    if not RecordingRequest.objects.visible_to(user).filter(pk=link.request_id).exists():
        return "not_visible"
    return ""


# --- The clock: reminders before the deadline, an alert when it is missed ---------------------------------


def watch_deadlines(*, now: datetime | None = None) -> dict[str, int]:
    """Send the reminders that fell due and flag missed deadlines; safe to run as often as wanted."""
    now = now or timezone.now()
    thresholds = sorted((int(m) for m in policy("RECORDING_REQUEST_REMINDER_MINUTES")), reverse=True)
    sent = missed = 0
    for request in RecordingRequest.objects.open().filter(deadline_missed_at__isnull=True):
        if request.due_at <= now:
            missed += _flag_missed(request, now=now)
            continue
        due_reminders = sum(1 for minutes in thresholds if request.due_at - timedelta(minutes=minutes) <= now)
        if due_reminders > request.reminders_sent:
            updated = RecordingRequest.objects.filter(pk=request.pk, reminders_sent=request.reminders_sent).update(
                reminders_sent=due_reminders
            )
            if updated:
                record_event(
                    action="recordings.request_reminder", target=request, details={"due_at": request.due_at.isoformat()}
                )
                _notify(request.pk, "reminder")
                sent += 1
    return {"reminders": sent, "missed": missed}


def _flag_missed(request: RecordingRequest, *, now: datetime) -> int:
    updated = RecordingRequest.objects.filter(
        pk=request.pk, deadline_missed_at__isnull=True, status__in=OPEN_REQUEST_STATUSES
    ).update(deadline_missed_at=now)
    if not updated:
        return 0
    record_event(
        action="recordings.request_deadline_missed", target=request, details={"due_at": request.due_at.isoformat()}
    )
    logger.error("Recording request %s missed its deadline %s", request.pk, request.due_at.isoformat())
    _notify(request.pk, "missed")
    return 1
