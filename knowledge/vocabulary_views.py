"""Pages that tune the search: the vocabulary (synonyms, abbreviations) and the knowledge gaps."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import KNOWLEDGE_REVIEWERS
from accounts.permissions import role_required
from core.htmx import HtmxHttpRequest
from knowledge import services
from knowledge.forms import SynonymGroupForm
from knowledge.models import SearchGap, SynonymGroup

KEEPERS = tuple(KNOWLEDGE_REVIEWERS)
GAPS_SHOWN = 200


def _vocabulary_context(form: SynonymGroupForm) -> dict[str, Any]:
    return {"form": form, "groups": SynonymGroup.objects.order_by("-pk")}


def _render_vocabulary(request: HtmxHttpRequest, form: SynonymGroupForm) -> HttpResponse:
    template = "knowledge/_vocabulary.html" if request.htmx else "knowledge/vocabulary.html"
    return render(request, template, _vocabulary_context(form))


@role_required(*KEEPERS)
def vocabulary(request: HtmxHttpRequest) -> HttpResponse:
    form = SynonymGroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_synonym_group(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_messages)
        else:
            messages.success(request, _("Added: the search uses these words from the next query."))
            if not request.htmx:
                return redirect("knowledge:vocabulary")
            form = SynonymGroupForm()
    return _render_vocabulary(request, form)


@require_POST
@role_required(*KEEPERS)
def vocabulary_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(SynonymGroup, pk=pk)
    services.delete_synonym_group(group=group, actor=request.user)
    messages.success(request, _("Removed from the vocabulary."))
    if request.htmx:
        return _render_vocabulary(request, SynonymGroupForm())
    return redirect("knowledge:vocabulary")


@role_required(*KEEPERS)
def gaps(request: HtmxHttpRequest) -> HttpResponse:
    """Queries that found nothing good, grouped by the normalised query, most frequent first."""
    grouped = (
        SearchGap.objects.values("normalised_query")
        .annotate(
            total=Sum("count"),
            channels=Count("channel", distinct=True),
            first=Min("first_seen"),
            last=Max("last_seen"),
            example=Max("example"),
        )
        .order_by("-total", "-last", "normalised_query")[:GAPS_SHOWN]
    )
    rows: list[dict[str, Any]] = [dict(row) for row in grouped]
    details: dict[str, list[SearchGap]] = {}
    for gap in SearchGap.objects.filter(normalised_query__in=[row["normalised_query"] for row in rows]):
        details.setdefault(gap.normalised_query, []).append(gap)
    for row in rows:
        row["parts"] = sorted(details.get(row["normalised_query"], []), key=lambda gap: -gap.count)
    return render(request, "knowledge/gaps.html", {"rows": rows})
