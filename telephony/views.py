"""The phone line's pages: the consultant's phone bar and screen pop, transfers, the wallboard, lines."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.choices import Role
from accounts.permissions import role_required
from appeals.models import Appeal
from core.htmx import HtmxHttpRequest

from . import selectors, services, statistics
from .choices import STATE_COLOURS, ConsultantState
from .forms import INTERVAL_CHOICES, ConsultantLineForm, TransferForm, add_service_errors
from .models import Call, ConsultantLine

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
# The call whose appeal this browser session already opened by itself (a screen pop happens once per call).
POPPED_CALL_SESSION_KEY = "telephony_popped_call"
# Sent with the phone bar when the line's state or call changed; panels on the page reload on it.
STATE_CHANGED_EVENT = "phone-state-changed"


# --- The consultant's phone bar ----------------------------------------------------------------------------


def phone_bar_context(user: Any, *, error: str = "") -> dict[str, Any]:
    line = selectors.line_of(user)
    return {"status": selectors.line_status(line) if line else None, "error": error}


@role_required(Role.CONSULTANT)
@require_GET
def phone_bar(request: HttpRequest) -> HttpResponse:
    """htmx, every ~2 s: the line's state; opens the caller's appeal once when a call reaches the consultant."""
    line = selectors.line_of(request.user)
    if line is None:
        return HttpResponse("")  # no line (any more): the bar replaces itself with nothing and stops polling
    popped = _screen_pop(request, line)
    if popped is not None:
        return popped
    context = phone_bar_context(request.user)
    response = render(request, "telephony/_phone_bar.html", context)
    if request.GET.get("seen") != context["status"].key:
        response["HX-Trigger"] = STATE_CHANGED_EVENT
    return response


def _screen_pop(request: HttpRequest, line: ConsultantLine) -> HttpResponse | None:
    call = selectors.call_to_pop(line)
    if call is None or request.session.get(POPPED_CALL_SESSION_KEY) == call.pk:
        return None
    request.session[POPPED_CALL_SESSION_KEY] = call.pk
    target = reverse("workspace:appeal_detail", kwargs={"pk": call.appeal_id})
    if urlsplit(request.headers.get("HX-Current-URL", "")).path == target:
        return None  # the consultant already has the appeal open
    response = HttpResponse("")
    response["HX-Redirect"] = target
    return response


@role_required(Role.CONSULTANT)
@require_POST
def set_state(request: HtmxHttpRequest) -> HttpResponse:
    """Ready, break or offline, from the phone bar; a refusal is said in the bar (or as a message)."""
    line = selectors.line_of(request.user)
    if line is None:
        raise Http404
    error = ""
    try:
        services.set_consultant_state(line=line, state=request.POST.get("state", ""), actor=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return render(request, "telephony/_phone_bar.html", phone_bar_context(request.user, error=error))
    if error:
        messages.error(request, error)
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("workspace:desk")


# --- Transfers, on the appeal page while the consultant talks --------------------------------------------------


def transfer_panel_context(user: Any, appeal: Appeal) -> dict[str, Any]:
    call = selectors.talking_call_for_appeal(user, appeal.pk)
    form = None
    if call is not None:
        form = TransferForm(targets=selectors.transfer_targets(excluding=selectors.line_of(user)))
    return {"appeal": appeal, "call": call, "form": form, "for_consultant": user.role == Role.CONSULTANT}


@role_required(Role.CONSULTANT)
@require_GET
def transfer_panel(request: HttpRequest, appeal_pk: int) -> HttpResponse:
    """htmx: the transfer form of the appeal page, reloaded when the consultant's line changes state."""
    appeal = get_object_or_404(Appeal.objects.visible_to(request.user), pk=appeal_pk)
    return render(request, "telephony/_transfer_panel.html", transfer_panel_context(request.user, appeal))


@role_required(Role.CONSULTANT)
@require_POST
def call_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """Pass the caller to a ready consultant or back to the queue; the caller hears the warning first."""
    call = get_object_or_404(Call.objects.visible_to(request.user), pk=pk)
    line = selectors.line_of(request.user)
    form = TransferForm(request.POST, targets=selectors.transfer_targets(excluding=line))
    if not form.is_valid():
        for message in form.errors.get("target", []):
            messages.error(request, str(message))
        return _after_transfer(call)
    target = form.cleaned_data["target"]
    try:
        services.request_transfer(call=call, actor=request.user, target=target)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _after_transfer(call)
    messages.success(request, _transfer_message(call, target))
    return _after_transfer(call)


def _transfer_message(call: Call, target: ConsultantLine | None) -> str:
    if target is None:
        return gettext("The caller hears the transfer warning and goes back to the queue.")
    if not ConsultantLine.objects.filter(pk=target.pk, current_call=call).exists():
        return gettext("The chosen consultant was no longer free: the caller goes back to the queue.")
    name = target.user.get_full_name() or target.user.get_username()
    return gettext("The caller hears the transfer warning, then %(name)s's phone rings.") % {"name": name}


def _after_transfer(call: Call) -> HttpResponse:
    if call.appeal_id is not None:
        return redirect("workspace:appeal_detail", pk=call.appeal_id)
    return redirect("workspace:desk")


# --- The supervisor's wallboard ----------------------------------------------------------------------------


@role_required(*SUPERVISORS)
@require_GET
def wallboard(request: HtmxHttpRequest) -> HttpResponse:
    """Live figures against the answer-wait target, today's intervals, consultants' lines; htmx every 5 s."""
    minutes = _interval_minutes(request.GET.get("minutes", ""))
    now = timezone.now()
    figures = statistics.live_figures(now=now)
    intervals = statistics.interval_figures(timezone.localdate(now), minutes=minutes, until=now)
    context = {
        "figures": figures,
        "alert_level": figures.alert_level,
        "consultant_states": _consultant_states(figures.consultants),
        "intervals": [interval for interval in reversed(intervals) if interval.offered],
        "minutes": minutes,
        "interval_choices": INTERVAL_CHOICES,
        "lines": selectors.board_lines(now=now),
        "window_minutes": settings.TELEPHONY_LIVE_WINDOW_MINUTES,
        "updated_at": now,
    }
    if request.htmx:
        return render(request, "telephony/_wallboard.html", context)
    return render(request, "telephony/wallboard.html", context)


def _interval_minutes(raw: str) -> int:
    return int(raw) if raw.isdigit() and int(raw) in statistics.ALLOWED_INTERVAL_MINUTES else 15


def _consultant_states(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(str(label), STATE_COLOURS[value], counts.get(value, 0)) for value, label in ConsultantState.choices]


# --- Consultants' lines ------------------------------------------------------------------------------------


@role_required(*SUPERVISORS)
@require_http_methods(["GET", "POST"])
def line_list(request: HttpRequest) -> HttpResponse:
    """Who is on the phone line with which extension, SIP phone and languages; open or change a line."""
    form = ConsultantLineForm(request.POST or None, initial=_initial_for(request.GET.get("user", "")))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            line = services.open_consultant_line(
                user=data["user"],
                extension=data["extension"],
                sip_uri=data["sip_uri"],
                speaks_kazakh=data["speaks_kazakh"],
                speaks_russian=data["speaks_russian"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("Line %(extension)s is saved.") % {"extension": line.extension})
            return redirect("telephony:line_list")
    context = {"form": form, "lines": selectors.board_lines()}
    return render(request, "telephony/line_list.html", context, status=400 if form.errors else 200)


def _initial_for(user_id: str) -> dict[str, Any]:
    """Editing: the form starts from the consultant's current line."""
    if not user_id.isdigit():
        return {}
    line = ConsultantLine.objects.filter(user_id=int(user_id)).first()
    if line is None:
        user = get_user_model().objects.filter(pk=int(user_id), role=Role.CONSULTANT).first()
        return {"user": user} if user else {}
    return {
        "user": line.user,
        "extension": line.extension,
        "sip_uri": line.sip_uri,
        "speaks_kazakh": line.speaks_kazakh,
        "speaks_russian": line.speaks_russian,
    }
