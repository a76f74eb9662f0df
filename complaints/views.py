"""Staff pages of complaints: the body's officers answer or pass on; supervisors route what no rule could.

Every view declares its roles (a wrong role is a 403, anonymous goes to sign-in); a complaint outside the user's
reach (another body's) is a 404, audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.permissions import role_required
from appeals.attachments import refusal_text
from audit.choices import AuditKind
from audit.services import record_access_denied, record_event, record_personal_data_read
from complaints import selectors, services
from complaints.choices import ANSWERABLE_STATUSES, ComplaintStatus
from complaints.forms import AnswerForm, AssignForm, PassOnForm
from complaints.models import Complaint

READERS = (Role.ORG_OFFICER, Role.SUPERVISOR, Role.ADMIN, Role.CONSULTANT)
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
PERSONAL_FIELDS = ("citizen_iin", "citizen_name", "phone", "email")
LIST_LIMIT = 200


def visible_complaint(request: HttpRequest, pk: int) -> Complaint:
    """The complaint if the user may see it; otherwise a 404, audited (existence does not leak)."""
    complaint = selectors.complaints_for(request.user).filter(pk=pk).first()
    if complaint is None:
        record_access_denied(
            action="complaints.access_denied",
            actor=request.user,
            target=Complaint.objects.filter(pk=pk).first(),
            details={"path": request.path},
        )
        raise Http404
    return complaint


@role_required(*READERS)
def complaint_list(request: HttpRequest) -> HttpResponse:
    shown = request.GET.get("show", "open")
    complaints = selectors.complaints_for(request.user)
    if shown == "open":
        complaints = complaints.open().order_by("due_at", "filed_at")
    return render(
        request,
        "complaints/list.html",
        {"complaints": complaints[:LIST_LIMIT], "shown": shown, "now": timezone.now()},
    )


@role_required(*SUPERVISORS)
def triage_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "complaints/triage.html",
        {"complaints": selectors.triage_list(request.user)[:LIST_LIMIT], "now": timezone.now()},
    )


@role_required(*READERS)
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = visible_complaint(request, pk)
    return _detail(request, complaint)


def _detail(request: HttpRequest, complaint: Complaint, **forms: Any) -> HttpResponse:
    record_personal_data_read(actor=request.user, target=complaint, fields=list(PERSONAL_FIELDS))
    can_answer = (
        getattr(request.user, "role", None) == Role.ORG_OFFICER
        and request.user.organisation_id == complaint.routed_to_id  # type: ignore[union-attr]
        and complaint.status in ANSWERABLE_STATUSES
    )
    can_assign = getattr(request.user, "role", None) in SUPERVISORS and complaint.status == ComplaintStatus.IN_TRIAGE
    context = {
        "complaint": complaint,
        "events": complaint.events.select_related("actor", "organisation"),
        "attachments": _attachments(complaint),
        "can_answer": can_answer,
        "can_assign": can_assign,
        "answer_form": forms.get("answer_form") or AnswerForm(),
        "pass_on_form": forms.get("pass_on_form") or PassOnForm(),
        "assign_form": forms.get("assign_form") or AssignForm(),
        "now": timezone.now(),
    }
    return render(request, "complaints/detail.html", context, status=400 if forms else 200)


def _attachments(complaint: Complaint) -> list[dict[str, Any]]:
    if complaint.appeal is None:
        return []
    return [
        {"file": item, "reason": refusal_text(item.refusal) if item.refusal else ""}
        for item in complaint.appeal.attachments.all()
    ]


@role_required(Role.ORG_OFFICER)
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = visible_complaint(request, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_complaint(complaint=complaint, officer=request.user, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The answer is saved and sent to the citizen."))
            return redirect("complaints:detail", pk=complaint.pk)
    return _detail(request, complaint, answer_form=form)


@role_required(Role.ORG_OFFICER)
@require_POST
def pass_on(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = visible_complaint(request, pk)
    form = PassOnForm(request.POST)
    if form.is_valid():
        try:
            services.pass_on(
                complaint=complaint,
                officer=request.user,
                to_organisation=form.cleaned_data["organisation"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The complaint is passed on."))
            return redirect("complaints:list")
    return _detail(request, complaint, pass_on_form=form)


@role_required(*SUPERVISORS)
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = visible_complaint(request, pk)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            services.assign_from_triage(
                complaint=complaint, supervisor=request.user, organisation=form.cleaned_data["organisation"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The complaint is sent to the competent body."))
            return redirect("complaints:triage")
    return _detail(request, complaint, assign_form=form)


@role_required(*READERS)
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    complaint = visible_complaint(request, pk)
    item = complaint.appeal.attachments.filter(pk=attachment_pk, refusal="").first() if complaint.appeal else None
    if item is None or not item.file:
        raise Http404
    record_event(
        action="complaints.attachment_downloaded",
        kind=AuditKind.READ,
        actor=request.user,
        target=complaint,
        details={"attachment_id": item.pk},
    )
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.filename)


@role_required(*READERS)
def evidence(request: HttpRequest, pk: int, part: str) -> FileResponse:
    """The signed document, the signature or the certificate chain, for checking outside the platform."""
    complaint = visible_complaint(request, pk)
    stored = {"document": complaint.document, "signature": complaint.signature, "chain": complaint.chain}.get(part)
    if not stored:
        raise Http404
    record_event(
        action="complaints.evidence_downloaded",
        kind=AuditKind.READ,
        actor=request.user,
        target=complaint,
        details={"part": part},
    )
    name = str(stored.name).rsplit("/", 1)[-1]
    return FileResponse(stored.open("rb"), as_attachment=True, filename=f"{complaint.number}-{part}-{name}")
