"""Citizen pages: find a service, read about it, ask a question, follow the appeal. Kazakh first.

Citizens never sign in; every page is public (staff may use it too).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from accounts.permissions import public_view
from appeals import selectors as appeal_selectors
from appeals.attachments import uploaded_file
from appeals.choices import Channel
from appeals.services import Registration, register_appeal
from audit.choices import AuditKind
from audit.services import record_event
from directory.models import Service, ServiceCategory
from directory.selectors import active_services, service_categories
from knowledge.search import search as search_knowledge
from knowledge.search import search_articles
from knowledge.selectors import article_for_service, published_articles
from portal.forms import AppealForm, TrackForm
from portal.pages import (
    SEARCH_QUERY_MAX_CHARS,
    add_service_errors,
    already_registered,
    appeal_initial,
    article_context,
    hit_links,
    remember_appeal,
    remembered_appeal,
    sent_files,
    status_explanation,
)
from portal.ratelimit import appeal_allowed, count_appeal, tracking_attempt_allowed

SEARCH_RESULTS = 20
SUGGESTIONS = 6


def _language() -> str:
    return "ru" if get_language() == "ru" else "kk"


# --- Finding a service ------------------------------------------------------------------------------


@public_view
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"categories": service_categories()})


@public_view
@require_safe
def suggest(request: HttpRequest) -> HttpResponse:
    """The htmx partial under the search box: up to six titles while the citizen types."""
    query = request.GET.get("q", "").strip()
    hits = []
    if query and len(query) <= SEARCH_QUERY_MAX_CHARS:
        hits = search_articles(query=query, language=_language(), limit=SUGGESTIONS)
    return render(request, "portal/_suggestions.html", {"suggestions": hit_links(hits), "query": query})


@public_view
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context: dict[str, Any] = {"query": query, "results": []}
    if not query:
        context["problem"] = "empty"
    elif len(query) > SEARCH_QUERY_MAX_CHARS:
        context["problem"] = "too_long"
        context["query"] = query[:SEARCH_QUERY_MAX_CHARS]
    else:
        # The portal channel: a query that finds nothing good is recorded as a knowledge gap for the editors.
        result = search_knowledge(query=query, language=_language(), limit=SEARCH_RESULTS, channel="portal")
        context["results"] = hit_links(result.hits)
        context["repaired"] = result.repaired
        context["problem"] = "" if result.hits else "nothing_found"
        # Hits that do not answer the question well (a knowledge gap): offer to ask a consultant before them.
        context["is_gap"] = result.is_gap
    context["max_chars"] = SEARCH_QUERY_MAX_CHARS
    return render(request, "portal/search.html", context)


@public_view
@require_safe
def category(request: HttpRequest, code: str) -> HttpResponse:
    chosen = get_object_or_404(ServiceCategory, code=code)
    services = active_services().filter(category=chosen)
    return render(request, "portal/category.html", {"category": chosen, "services": services})


@public_view
@require_safe
def service(request: HttpRequest, slug: str) -> HttpResponse:
    chosen: Service = get_object_or_404(active_services(), slug=slug)
    context = article_context(article_for_service(chosen), _language())
    context.update(service=chosen, egov_url=_egov_url(chosen))
    return render(request, "portal/service.html", context)


@public_view
@require_safe
def article(request: HttpRequest, slug: str) -> HttpResponse:
    """An article that is not about one public service (a service's article lives on the service page)."""
    found = get_object_or_404(published_articles(), slug=slug)
    if found.service is not None and found.service.is_active:
        return redirect("portal:service", slug=found.service.slug)
    context = article_context(found, _language())
    context.update(service=None, egov_url="")
    return render(request, "portal/service.html", context)


def _egov_url(service: Service) -> str:
    if _language() == "ru":
        return service.url_ru or service.url_kk
    return service.url_kk or service.url_ru


# --- Asking a question ------------------------------------------------------------------------------


@public_view
@require_http_methods(["GET", "POST"])
def appeal_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = AppealForm(initial=appeal_initial(request.GET), language=_language())
        return render(request, "portal/appeal_form.html", {"form": form})
    form = AppealForm(request.POST, request.FILES, language=_language())
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        if not appeal_allowed(request) and not already_registered(form.cleaned_data["form_token"]):
            # Everything typed is shown again; only the files must be chosen again (browsers do not keep them).
            context.update(limited=True, files_dropped=bool(form.cleaned_data["attachments"]))
            return render(request, "portal/appeal_form.html", context, status=429)
        registration = _register(form)
        if registration is not None:
            if registration.created:
                count_appeal(request)
            remember_appeal(request, registration.appeal)
            return redirect("portal:appeal_done", number=registration.appeal.number)
    elif "form_token" in form.errors:
        form.renew_token()
    context["files_dropped"] = bool(request.FILES)
    return render(request, "portal/appeal_form.html", context, status=400)


def _register(form: AppealForm) -> Registration | None:
    """Register the appeal with its files (the same token twice gives the same appeal, its files stored once);
    errors go onto the form. Files over the limits are kept as refused and listed on the confirmation page."""
    data = form.cleaned_data
    files = [uploaded_file(upload) for upload in data["attachments"]]
    try:
        registration = register_appeal(
            channel=Channel.WEB,
            channel_ref=data["form_token"],
            subject=data["subject"],
            text=data["text"],
            language=data["language"],
            citizen_name=data["citizen_name"],
            phone=data["phone"],
            email=data["email"],
            iin=data["iin"],
            service=data["service"],
            files=files,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    return registration


@public_view
@require_safe
def appeal_done(request: HttpRequest, number: str) -> HttpResponse:
    """The confirmation: shown only in the browser session that sent the appeal, with the files it kept or refused."""
    remembered = remembered_appeal(request, number)
    if remembered is None:
        raise Http404
    context = {"number": number, "email_given": remembered["email"], **sent_files(number)}
    return render(request, "portal/appeal_done.html", context)


# --- Following an appeal ----------------------------------------------------------------------------


@public_view
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = TrackForm(initial={"number": request.GET.get("number", "")[:40]})
        return render(request, "portal/track.html", {"form": form})
    form = TrackForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/track.html", {"form": form}, status=400)
    if not tracking_attempt_allowed(request):
        return render(request, "portal/track.html", {"form": form, "limited": True}, status=429)
    appeal = appeal_selectors.find_for_tracking(form.cleaned_data["number"], form.cleaned_data["contact"])
    if appeal is None:
        return _track_complaint(request, form)
    record_event(action="appeal.tracked", kind=AuditKind.READ, actor=request.user, target=appeal)
    context = {"form": TrackForm(), "appeal": appeal, "explanation": status_explanation(appeal)}
    return render(request, "portal/track.html", context)


def _track_complaint(request: HttpRequest, form: TrackForm) -> HttpResponse:
    """A complaint (issue 7) found by its number and the IIN, phone or e-mail the citizen signed with it."""
    from complaints.selectors import find_for_citizen

    complaint = find_for_citizen(number=form.cleaned_data["number"], iin_or_contact=form.cleaned_data["contact"])
    if complaint is None:
        return render(request, "portal/track.html", {"form": form, "not_found": True})
    record_event(action="complaint.tracked", kind=AuditKind.READ, actor=request.user, target=complaint)
    return render(request, "portal/track.html", {"form": TrackForm(), "complaint": complaint})
