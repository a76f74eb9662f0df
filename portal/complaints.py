"""Complaints on the portal (issue 7): what a complaint is, the form per type, signing with NCALayer, the number.

The citizen fills the form of one type (clauses 13-15); the server checks it and keeps the canonical document in the
browser session; the signing page shows that document as it will be signed, with the review period's due date
(clause 12), and NCALayer signs its bytes on the citizen's computer (static/js/ncalayer.js); the submit step accepts
that document only and hands it with the signature to `complaints.services.file_complaint`, which verifies, registers,
routes and acknowledges it. The same signature sent twice shows the same complaint.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import public_view
from complaints.choices import ComplaintKind
from complaints.deadlines import review_due
from complaints.documents import ComplaintDraft, draft_from_document
from directory.models import Territory
from portal.complaint_drafts import count_draft, count_submit, drafts_used, limit_reached, submits_used
from portal.complaint_forms import (
    ComplaintForm,
    KeptDraft,
    decode_base64,
    districts,
    filed_contact,
    keep_draft,
    kept_draft,
    mark_filed,
    organisation_choices,
    regions,
    service_choices,
)

KINDS = {kind.value: kind for kind in ComplaintKind}
DOCUMENT_DIFFERS = _(
    "The document sent for registration is not the complaint shown on this page. Sign the complaint shown here again."
)
SIGNATURE_UNREADABLE = _("The signature could not be read. Please sign the document again in NCALayer.")
SUBMITS_LIMITED = _(
    "Too many signatures have been sent from this device in the last hour. Please try again later or call us; "
    "your complaint is kept on this page."
)


def _language() -> str:
    return "ru" if get_language() == "ru" else "kk"


def _kind(kind: str) -> ComplaintKind:
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


@public_view
@require_safe
def complaint_about(request: HttpRequest) -> HttpResponse:
    """Clause 12: how to file, the two types, the review period (as dates if filed now) and what happens next."""
    now = timezone.now()
    kinds = [{"kind": kind, "due_at": review_due(filed_at=now, kind=kind)} for kind in ComplaintKind]
    return render(request, "portal/complaint_about.html", {"kinds": kinds, "expired": "expired" in request.GET})


@public_view
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest, kind: str) -> HttpResponse:
    chosen = _kind(kind)
    if request.method == "GET":
        return _form_again(request, chosen)
    form = ComplaintForm(request.POST, request.FILES, kind=chosen)
    if form.is_valid():
        draft = form.draft(_language())
        new_draft = not _is_kept(request, form.cleaned_data["form_token"])
        if draft is not None and new_draft and limit_reached(drafts_used(request)):
            # Everything typed is shown again; only the files must be chosen again (browsers do not keep them).
            files_dropped = bool(form.cleaned_data["attachments"])
            return _form_page(request, form, status=429, limited=True, files_dropped=files_dropped)
        if draft is not None:
            kept = keep_draft(request, form, draft)
            if new_draft:
                count_draft(request)
            return redirect("portal:complaint_sign", token=kept.token)
    elif "form_token" in form.errors:
        form.renew_token()
    return _form_page(request, form, status=400, files_dropped=bool(request.FILES))


def _form_again(request: HttpRequest, kind: ComplaintKind) -> HttpResponse:
    """The empty form, or the draft's values when the citizen goes back from the signing page (with a notice to
    choose the files again when the draft's files were removed as abandoned)."""
    kept = kept_draft(request, request.GET.get("draft", ""))
    if kept is None or kept.kind != kind or kept.number:
        return _form_page(request, ComplaintForm(kind=kind))
    return _form_page(request, ComplaintForm(initial=kept.values, kind=kind), files_dropped=kept.files_lost)


def _is_kept(request: HttpRequest, token: str) -> bool:
    """A draft of this form is kept and not filed yet: sending the form again corrects it (not counted)."""
    kept = kept_draft(request, token)
    return kept is not None and not kept.number


def _form_page(request: HttpRequest, form: ComplaintForm, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = {"form": form, "kind": form.kind, "regions": regions(), "districts": districts(), **extra}
    return render(request, "portal/complaint_form.html", context, status=status)


@public_view
@require_safe
def complaint_sign(request: HttpRequest, token: UUID) -> HttpResponse:
    kept = kept_draft(request, str(token))
    if kept is None:
        return redirect(reverse("portal:complaint_about") + "?expired=1")
    if kept.number:
        return redirect("portal:complaint_done", number=kept.number)
    if kept.files_lost:
        return _back_to_form(kept)
    return _sign_page(request, kept)


def _back_to_form(kept: KeptDraft) -> HttpResponse:
    """The draft's files were removed (kept longer than POLICY COMPLAINT_DRAFT_KEEP_HOURS): the form again, filled
    in, asking for the files; nothing is filed without the files the citizen saw listed."""
    url = reverse("portal:complaint_new", kwargs={"kind": kept.kind})
    return redirect(f"{url}?draft={kept.token}")


def _sign_page(request: HttpRequest, kept: KeptDraft, *, error: str = "", status: int = 200) -> HttpResponse:
    draft = draft_from_document(kept.document)
    context = {
        "kept": kept,
        "draft": draft,
        "kind": ComplaintKind(draft.kind),
        "statement": _statement(draft),
        "due_at": review_due(filed_at=timezone.now(), kind=draft.kind),
        "files": [file["name"] for file in kept.files],
        "ncalayer_url": settings.NCALAYER_URL,
        "ncalayer_locale": _language(),
        "error": error,
    }
    return render(request, "portal/complaint_sign.html", context, status=status)


def _statement(draft: ComplaintDraft) -> list[tuple[Any, str]]:
    """The complaint as lines a citizen reads: (label, value), the regulation's fields of its type."""
    services = dict(service_choices()) if draft.service else {}
    organisations = dict(organisation_choices()) if draft.organisation else {}
    territory = Territory.objects.filter(kato=draft.territory).first() if draft.territory else None
    form = ComplaintForm(kind=draft.kind)
    lines: list[tuple[Any, str]] = [
        (_("Type of complaint"), str(ComplaintKind(draft.kind).label)),
        (form.fields["citizen_name"].label, draft.citizen_name),
        (form.fields["citizen_iin"].label, draft.citizen_iin),
        (form.fields["phone"].label, draft.phone),
        (form.fields["email"].label, draft.email),
        (_("Where the service was received"), territory.name if territory else ""),
    ]
    values = {
        "service": services.get(draft.service, draft.service),
        "organisation": organisations.get(draft.organisation, draft.organisation),
    }
    for bound in form.kind_fields():
        lines.append((bound.label, values.get(bound.name, getattr(draft, bound.name))))
    return [(label, value) for label, value in lines if value]


@public_view
@require_POST
def complaint_submit(request: HttpRequest) -> HttpResponse:
    from complaints.services import file_complaint

    kept = kept_draft(request, request.POST.get("form_token", ""))
    if kept is None:
        return redirect(reverse("portal:complaint_about") + "?expired=1")
    document = decode_base64(request.POST.get("document", ""))
    if document != kept.document:
        return _sign_page(request, kept, error=str(DOCUMENT_DIFFERS), status=400)
    signature = decode_base64(request.POST.get("signature", ""))
    if not signature:
        return _sign_page(request, kept, error=str(SIGNATURE_UNREADABLE), status=400)
    if not kept.number:  # the signature of a complaint filed already is answered with that complaint, always
        if limit_reached(submits_used(request)):
            return _sign_page(request, kept, error=str(SUBMITS_LIMITED), status=429)
        if kept.files_lost:
            return _back_to_form(kept)
        count_submit(request)
    try:
        filing = file_complaint(
            document=document, signature=signature, signature_format="cms", files=kept.incoming_files(), actor=None
        )
    except ValidationError as error:
        return _sign_page(request, kept, error=" ".join(str(message) for message in error.messages), status=400)
    complaint = filing.complaint
    if complaint is None:
        return _sign_page(request, kept, error=str(filing.verdict.message), status=400)
    mark_filed(request, kept, number=complaint.number, contact=complaint.citizen_iin)
    return redirect("portal:complaint_done", number=complaint.number)


@public_view
@require_safe
def complaint_done(request: HttpRequest, number: str) -> HttpResponse:
    """The number, where the complaint went and when the answer is due; only in the session that filed it."""
    from complaints.selectors import find_for_citizen

    contact = filed_contact(request, number)
    complaint = find_for_citizen(number=number, iin_or_contact=contact) if contact else None
    if complaint is None:
        raise Http404
    return render(request, "portal/complaint_done.html", {"complaint": complaint})
