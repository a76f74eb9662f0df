"""Pages of the requests for recordings (clause 18): the regulator files and downloads, supervisors confirm.

Every page is hidden from other roles (404, audited); a regulator sees only their own body's requests.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.choices import Role
from audit.choices import AuditKind
from audit.services import record_event, record_personal_data_read

from . import regulator_requests
from .access import REQUEST_ROLES, REQUEST_WORKERS, hidden_unless, refuse
from .choices import OPEN_REQUEST_STATUSES, RequestStatus
from .forms import PasswordConfirmForm, RecordingRequestForm, RequestReportForm
from .models import RecordingRequest, RecordingRequestQuerySet
from .reports import report_rows

REGULATORS = frozenset({Role.REGULATOR})


def _request_target(kwargs: dict[str, Any]) -> RecordingRequest | None:
    return RecordingRequest.objects.filter(pk=kwargs.get("pk", 0)).first()


def _visible_request(request: HttpRequest, pk: int) -> RecordingRequest:
    found = (
        RecordingRequest.objects.visible_to(request.user)
        .select_related("requesting_body", "filed_by", "confirmed_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise refuse(request, target=RecordingRequest.objects.filter(pk=pk).first(), reason="not_visible")
    return found


def _requests(request: HttpRequest) -> RecordingRequestQuerySet:
    return RecordingRequest.objects.visible_to(request.user).select_related("requesting_body")


@hidden_unless(REQUEST_ROLES)
@require_safe
def request_list(request: HttpRequest) -> HttpResponse:
    requests = _requests(request)
    context = {
        "open_requests": requests.open().order_by("due_at"),
        "closed_requests": requests.exclude(status__in=OPEN_REQUEST_STATUSES)[:50],
        "now": timezone.now(),
        "may_file": request.user.has_role(Role.REGULATOR),  # type: ignore[union-attr]
    }
    return render(request, "recordings/request_list.html", context)


@hidden_unless(REGULATORS)
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    form = RecordingRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            filed = regulator_requests.file_request(
                regulator=request.user,
                number=form.cleaned_data["number"],
                phone=form.cleaned_data["phone"],
                day=form.cleaned_data["day"],
                letter=form.cleaned_data["letter"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The request is registered; the clock has started."))
            return redirect("recordings:request_detail", pk=filed.pk)
    status = 400 if form.errors else 200
    return render(request, "recordings/request_new.html", {"form": form}, status=status)


def _add_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@hidden_unless(REQUEST_ROLES, target=_request_target)
@require_safe
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible_request(request, pk)
    record_personal_data_read(actor=request.user, target=found, fields=["phone"])
    return render(request, "recordings/request_detail.html", _detail_context(request, found))


def _detail_context(request: HttpRequest, found: RecordingRequest, **extra: Any) -> dict[str, Any]:
    user: Any = request.user
    is_worker = user.has_role(Role.SUPERVISOR, Role.ADMIN)
    return {
        "req": found,
        "items": found.items.select_related("recording", "recording__consultant"),
        "now": timezone.now(),
        "is_worker": is_worker,
        "may_confirm": is_worker and found.status == RequestStatus.REGISTERED,
        "may_retry": is_worker and found.status == RequestStatus.FAILED,
        "may_download": user.has_role(Role.REGULATOR)
        and found.status in (RequestStatus.READY, RequestStatus.DELIVERED),
        "password_form": extra.pop("password_form", None) or PasswordConfirmForm(),
        **extra,
    }


@hidden_unless(REQUEST_WORKERS, target=_request_target)
@require_POST
def request_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible_request(request, pk)
    try:
        regulator_requests.confirm_request(request=found, supervisor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Confirmed: the package is being prepared."))
    return redirect("recordings:request_detail", pk=pk)


@hidden_unless(REQUEST_WORKERS, target=_request_target)
@require_POST
def request_retry(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible_request(request, pk)
    try:
        regulator_requests.retry_package(request=found, supervisor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The package is being prepared again."))
    return redirect("recordings:request_detail", pk=pk)


@hidden_unless(REGULATORS, target=_request_target)
@require_POST
def request_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The regulator re-enters their password and is sent on to a one-time link to the package."""
    found = _visible_request(request, pk)
    form = PasswordConfirmForm(request.POST)
    if form.is_valid():
        try:
            link = regulator_requests.issue_download_link(
                request=found, user=request.user, password=form.cleaned_data["password"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect("recordings:package", token=link.token)
    context = _detail_context(request, found, password_form=form)
    return render(request, "recordings/request_detail.html", context, status=400)


@hidden_unless(REGULATORS, sign_in_first=False)
@require_safe
def package(request: HttpRequest, token: str) -> HttpResponseBase:
    """The package through a one-time link: a used, expired or someone else's link is a 404 (audited)."""
    redeemed = regulator_requests.redeem_download_link(token=token, user=request.user)
    if redeemed is None:
        raise refuse(request, target=None, reason="link_refused")
    response = FileResponse(
        redeemed.package.open("rb"),
        as_attachment=True,
        filename=f"recordings-{redeemed.pk}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Package-SHA256"] = redeemed.package_sha256
    return response


@hidden_unless(REQUEST_ROLES, target=_request_target)
@require_safe
def request_letter(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = _visible_request(request, pk)
    record_event(action="recordings.letter_viewed", kind=AuditKind.READ, actor=request.user, target=found)
    response = FileResponse(found.letter.open("rb"), filename=(found.letter.name or "letter").rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response


@hidden_unless(REQUEST_ROLES)
@require_safe
def request_report(request: HttpRequest) -> HttpResponse:
    """Requests with their times: registered, confirmed, ready, handed over, and whether the deadline held."""
    form = RequestReportForm(request.GET or None)
    since = until = None
    if form.is_valid():
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    rows = report_rows(_requests(request), since=since, until=until)
    if request.GET.get("format") == "csv" and not form.errors:
        return _report_csv(rows)
    return render(request, "recordings/request_report.html", {"form": form, "rows": rows})


def _report_csv(rows: list[dict[str, Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recording-requests.csv"'
    response.write("\ufeff")  # spreadsheet programs read UTF-8 with a byte-order mark
    columns = [
        ("number", _("Request number")),
        ("body", _("Requesting body")),
        ("registered", _("Registered")),
        ("due", _("Due")),
        ("confirmed", _("Confirmed")),
        ("ready", _("Package ready")),
        ("downloaded", _("First downloaded")),
        ("minutes_to_ready", _("Minutes to a ready package")),
        ("recordings", _("Recordings in the package")),
        ("withheld", _("Withheld")),
        ("met_deadline", _("Deadline met")),
    ]
    writer = csv.writer(response)
    writer.writerow([label for _key, label in columns])
    for row in rows:
        writer.writerow([row[key] for key, _label in columns])
    return response
