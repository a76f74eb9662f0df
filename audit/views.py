from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from accounts.choices import Role
from accounts.permissions import role_required
from audit.choices import AuditKind
from audit.models import AuditEvent
from audit.selectors import verify_chain
from core.htmx import HtmxHttpRequest

PAGE_SIZE = 50


@role_required(Role.ADMIN, Role.SUPERVISOR)
def event_list(request: HtmxHttpRequest) -> HttpResponse:
    """Administrators and supervisors: the audit trail, newest first, with the chain's state."""
    events = AuditEvent.objects.select_related("actor").order_by("-sequence")
    kind = request.GET.get("kind", "")
    if kind in AuditKind.values:
        events = events.filter(kind=kind)
    actor = request.GET.get("actor", "").strip()[:150]
    if actor:
        events = events.filter(actor_label__icontains=actor)
    action = request.GET.get("action", "").strip()[:100]
    if action:
        events = events.filter(action__icontains=action)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "kinds": AuditKind.choices,
        "filters": {"kind": kind, "actor": actor, "action": action},
        "verdict": verify_chain() if request.GET.get("verify") == "1" else None,
    }
    template = "audit/_event_table.html" if request.htmx else "audit/event_list.html"
    return render(request, template, context)
