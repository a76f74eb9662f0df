"""The report of requests for recordings with their times (clause 18's 4 hours, request by request)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import RecordingRequestQuerySet
from .selectors import local_day_bounds


def report_rows(
    requests: RecordingRequestQuerySet, *, since: date | None = None, until: date | None = None
) -> list[dict[str, Any]]:
    """One row per request registered between `since` and `until` (Almaty days, both included)."""
    if since:
        requests = requests.filter(registered_at__gte=local_day_bounds(since)[0])
    if until:
        requests = requests.filter(registered_at__lt=local_day_bounds(until)[1])
    annotated = requests.select_related("requesting_body").annotate(
        exported_total=Count("items", filter=Q(items__exported=True)),
        withheld_total=Count("items", filter=~Q(items__withheld_reason="")),
    )
    return [_row(request) for request in annotated.order_by("registered_at", "pk")]


def _row(request: Any) -> dict[str, Any]:
    minutes = None
    if request.package_ready_at:
        minutes = round((request.package_ready_at - request.registered_at).total_seconds() / 60, 1)
    return {
        "pk": request.pk,
        "number": request.number,
        "body": str(request.requesting_body),
        "status": request.get_status_display(),
        "registered": _local(request.registered_at),
        "due": _local(request.due_at),
        "confirmed": _local(request.confirmed_at),
        "ready": _local(request.package_ready_at),
        "downloaded": _local(request.first_downloaded_at),
        "minutes_to_ready": "" if minutes is None else minutes,
        "recordings": request.exported_total,
        "withheld": request.withheld_total,
        "met_deadline": {True: _("yes"), False: _("no"), None: ""}[request.met_deadline],
    }


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M") if moment else ""
