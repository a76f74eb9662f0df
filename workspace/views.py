"""The consultant's desk: register a call in seconds, find the answer, work the appeal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_POST

from accounts.choices import CONTACT_CENTER_STAFF, Role
from accounts.permissions import role_required
from appeals import selectors, services
from appeals.attachments import refusal_text
from appeals.choices import ALLOWED_TRANSITIONS, AppealStatus, Channel
from appeals.forms import AppealFilterForm
from appeals.models import Appeal, AppealAttachment
from appeals.notifications import reply_address
from audit.choices import AuditKind
from audit.services import record_event, record_personal_data_read
from core.htmx import HtmxHttpRequest
from core.policy import policy
from directory.models import Organisation
from knowledge.models import Article
from workspace.forms import AnswerForm, DeskForm, ReferForm, add_service_errors

STAFF = tuple(CONTACT_CENTER_STAFF)
READERS = (*STAFF, Role.ORG_OFFICER)
PAGE_SIZE = 25
PERSONAL_FIELDS = ("citizen_name", "phone", "email", "iin")


def knowledge_search_url() -> str:
    """The knowledge side panel's endpoint ("" while the knowledge pages are not installed)."""
    try:
        return reverse("knowledge:search_panel")
    except NoReverseMatch:
        return ""


# --- Desk ----------------------------------------------------------------------------------------------


@role_required(*STAFF)
def desk(request: HttpRequest) -> HttpResponse:
    form = DeskForm(request.POST or None, initial={"language": get_language()})
    if request.method == "POST" and form.is_valid():
        appeal = _register_from_desk(request, form)
        if appeal is not None:
            return redirect("workspace:appeal_detail", pk=appeal.pk)
    context = {
        "form": form,
        "open_appeals": selectors.open_appeals_of(request.user)[:20],
        "knowledge_search_url": knowledge_search_url(),
    }
    return render(request, "workspace/desk.html", context, status=400 if form.errors else 200)


def _register_from_desk(request: HttpRequest, form: DeskForm) -> Appeal | None:
    data = form.cleaned_data
    try:
        registration = services.register_appeal(
            channel=Channel.PHONE,
            channel_ref=f"desk-{data['form_token']}",
            subject=data["subject"],
            text=data["text"],
            language=data["language"],
            phone=data["phone"],
            citizen_name=data["citizen_name"],
            service=data["service"],
            actor=request.user,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    appeal = registration.appeal
    if registration.created:
        # The consultant who registers the call is the one answering it.
        appeal = services.take_appeal(appeal=appeal, actor=request.user)
        messages.success(request, _registered_message(appeal))
    return appeal


def _registered_message(appeal: Appeal) -> str:
    return gettext("Appeal %(number)s is registered.") % {"number": appeal.number}


# --- Registry --------------------------------------------------------------------------------------------


@role_required(*READERS)
@require_GET
def appeal_list(request: HtmxHttpRequest) -> HttpResponse:
    form = AppealFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    appeals = selectors.appeals_for(request.user, filters) if not form.errors else Appeal.objects.none()
    page = Paginator(appeals, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "appeals": page.object_list}
    if request.htmx:
        return render(request, "workspace/_appeal_table.html", context)
    return render(request, "workspace/appeal_list.html", context)


@role_required(*READERS)
@require_GET
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = get_object_or_404(Appeal.objects.visible_to(request.user), pk=pk)
    return _render_detail(request, appeal)


def _render_detail(
    request: HttpRequest,
    appeal: Appeal,
    *,
    answer_form: AnswerForm | None = None,
    refer_form: ReferForm | None = None,
    status: int = 200,
) -> HttpResponse:
    shown = [name for name in PERSONAL_FIELDS if getattr(appeal, name)]
    if shown:
        record_personal_data_read(actor=request.user, target=appeal, fields=shown)
    can_act = getattr(request.user, "role", "") in CONTACT_CENTER_STAFF
    context: dict[str, Any] = {
        "appeal": appeal,
        "mailbox": reply_address(appeal) if appeal.channel == Channel.EMAIL else "",
        "attachments": _attachments(appeal),
        "events": appeal.events.select_related("actor"),
        "articles_used": selectors.articles_used(appeal),
        "history": selectors.citizen_history(appeal, user=request.user),
        "can_act": can_act,
        "actions": _available_actions(appeal) if can_act else set(),
        "knowledge_search_url": knowledge_search_url() if can_act else "",
    }
    if can_act:
        context["answer_form"] = answer_form or AnswerForm(initial={"answer": appeal.answer})
        context["refer_form"] = refer_form or ReferForm()
    return render(request, "workspace/appeal_detail.html", context, status=status)


def _attachments(appeal: Appeal) -> list[dict[str, Any]]:
    """The files the citizen sent (with the appeal or a later letter), each with why it was refused, if it was."""
    return [
        {"file": item, "reason": refusal_text(item.refusal) if item.refusal else ""}
        for item in appeal.attachments.all()
    ]


def _available_actions(appeal: Appeal) -> set[str]:
    allowed = ALLOWED_TRANSITIONS.get(appeal.status, frozenset())
    actions = {name for name, target in _ACTION_TARGETS.items() if target in allowed}
    if appeal.status == AppealStatus.REGISTERED:
        actions.discard("reopen")
    else:
        actions.discard("take")
    if appeal.status != AppealStatus.CLOSED:
        actions.add("attach")
    return actions


_ACTION_TARGETS = {
    "take": AppealStatus.IN_WORK,
    "reopen": AppealStatus.IN_WORK,
    "answer": AppealStatus.ANSWERED,
    "refer": AppealStatus.REFERRED,
    "close": AppealStatus.CLOSED,
}


# --- Actions ---------------------------------------------------------------------------------------------


def _staff_appeal(request: HttpRequest, pk: int) -> Appeal:
    return get_object_or_404(Appeal.objects.visible_to(request.user), pk=pk)


@role_required(*STAFF)
@require_POST
def appeal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _staff_appeal(request, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_appeal(appeal=appeal, answer=form.cleaned_data["answer"], actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("workspace:appeal_detail", pk=appeal.pk)
    return _render_detail(request, appeal, answer_form=form, status=400)


@role_required(*STAFF)
@require_POST
def appeal_refer(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _staff_appeal(request, pk)
    form = ReferForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.refer_appeal(
                appeal=appeal,
                organisation=data["organisation"],
                contacts=data["contacts"],
                note=data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("workspace:appeal_detail", pk=appeal.pk)
    return _render_detail(request, appeal, refer_form=form, status=400)


def _simple_action(service):  # type: ignore[no-untyped-def]
    """A POST that moves the appeal with no input (take, close, reopen); refusals come back as messages."""

    @role_required(*STAFF)
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        appeal = _staff_appeal(request, pk)
        try:
            service(appeal=appeal, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("workspace:appeal_detail", pk=appeal.pk)

    return view


appeal_take = _simple_action(services.take_appeal)
appeal_close = _simple_action(services.close_appeal)
appeal_reopen = _simple_action(services.reopen_appeal)


@role_required(*STAFF)
@require_GET
def referral_contacts(request: HttpRequest) -> HttpResponse:
    """htmx: the chosen organisation's contacts, pre-filled for the referral form."""
    organisation_id = request.GET.get("organisation", "")
    organisation = Organisation.objects.filter(pk=organisation_id).first() if organisation_id.isdigit() else None
    contacts = services.organisation_contacts(organisation) if organisation else ""
    return render(request, "workspace/_referral_contacts.html", {"contacts": contacts, "organisation": organisation})


@role_required(*STAFF)
@require_POST
def attach_article(request: HttpRequest, appeal_id: int, article_id: int) -> HttpResponse:
    """htmx (from the knowledge side panel): link the article; returns the updated "articles used" list."""
    appeal = _staff_appeal(request, appeal_id)
    article = get_object_or_404(Article, pk=article_id)
    error = ""
    try:
        services.attach_article(appeal=appeal, article=article, actor=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    context = {"appeal": appeal, "articles_used": selectors.articles_used(appeal), "attach_error": error}
    response = render(request, "workspace/_articles_used.html", context)
    # Whatever the button targeted, the list replaces itself (a refusal is shown inside it, so it is a 200).
    response["HX-Retarget"] = "#articles-used"
    response["HX-Reswap"] = "outerHTML"
    return response


# --- Files the citizen sent ---------------------------------------------------------------------------------


@role_required(*READERS)
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """An accepted file, for whoever may see the appeal (404 otherwise); always a download, never shown inline, with
    the type read from its content. The read is audited like any other personal data of the appeal."""
    appeal = get_object_or_404(Appeal.objects.visible_to(request.user), pk=pk)
    attachment = get_object_or_404(appeal.attachments.filter(refusal=""), pk=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:  # no file kept, or it is gone from the storage
        raise Http404 from exc
    record_event(
        action="appeal.personal_data_read",
        kind=AuditKind.READ,
        actor=request.user,
        target=appeal,
        details={"fields": ["attachment"], "attachment_id": attachment.pk},
    )
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.filename, content_type=_download_type(attachment)
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _download_type(attachment: AppealAttachment) -> str:
    """The sniffed type when it is one we accept (none of them is HTML or script); anything else as bytes."""
    if attachment.content_type in policy("ATTACHMENT_TYPES") and "html" not in attachment.content_type:
        return attachment.content_type
    return "application/octet-stream"
