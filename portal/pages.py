"""Helpers of the portal views: what a page shows, kept out of the views to keep them short."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from appeals.attachments import refusal_text
from appeals.choices import AppealStatus, Channel
from appeals.models import Appeal, AppealAttachment
from directory.models import Service
from directory.selectors import active_services
from knowledge.models import Article
from knowledge.search import SearchHit
from knowledge.selectors import translation_for

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# A search query longer than this is not a search; the citizen is told so.
SEARCH_QUERY_MAX_CHARS = 300
SUBJECT_FROM_QUERY_MAX_CHARS = 300
# Confirmation pages this browser session may show again (the newest ones).
REMEMBERED_APPEALS = 10
SESSION_KEY = "portal_appeals"

FALLBACK_NOTES = {
    "ru": _("This page is not yet available in Russian; it is shown in Kazakh."),
    "kk": _("This page is not yet available in Kazakh; it is shown in Russian."),
}

STATUS_EXPLANATIONS: dict[str, StrPromise] = {
    AppealStatus.REGISTERED: _("Your appeal is registered and waiting for a consultant."),
    AppealStatus.IN_WORK: _("A consultant is working on your appeal."),
    AppealStatus.ANSWERED: _("Your appeal has been answered. The answer is below."),
    AppealStatus.REFERRED: _(
        "Your question is for another organisation. Below is where to turn and how to contact them."
    ),
    AppealStatus.CLOSED: _("Work on your appeal is finished."),
}


@dataclass(frozen=True)
class HitLink:
    title: str
    snippet: SafeString
    url: str
    language: str


def hit_links(hits: list[SearchHit]) -> list[HitLink]:
    """Search hits with the portal page each one opens: the service page, else the article page."""
    links = []
    for hit in hits:
        if hit.service_slug:
            url = reverse("portal:service", kwargs={"slug": hit.service_slug})
        else:
            url = reverse("portal:article", kwargs={"slug": hit.slug})
        links.append(HitLink(title=hit.title, snippet=hit.snippet, url=url, language=hit.language))
    return links


def article_context(article: Article | None, language: str) -> dict[str, Any]:
    """The article's text in the page language (or the other one, with a note saying so)."""
    if article is None:
        return {"article": None, "translation": None, "fallback_note": ""}
    translation, is_fallback = translation_for(article, language)
    return {
        "article": article,
        "translation": translation,
        "fallback_note": FALLBACK_NOTES[language] if translation is not None and is_fallback else "",
    }


def appeal_initial(query: QueryDict) -> dict[str, Any]:
    """Pre-filled values from the link that opened the form (a service page, a search that found nothing good)."""
    initial: dict[str, Any] = {}
    slug = query.get("service", "")
    service: Service | None = active_services().filter(slug=slug).first() if slug else None
    if service is not None:
        initial["service"] = service
        initial["subject"] = service.name
    subject = " ".join(query.get("subject", "").split())[:SUBJECT_FROM_QUERY_MAX_CHARS]
    if subject:
        initial["subject"] = subject
    # A search that found nothing good: the citizen's words start the question.
    text = " ".join(query.get("text", "").split())[:SUBJECT_FROM_QUERY_MAX_CHARS]
    if text:
        initial["text"] = text
    return initial


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put the service's errors next to their fields (on the form when it has no such field)."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


def remember_appeal(request: HttpRequest, appeal: Appeal) -> None:
    """Let this browser session (and only it) show the confirmation page of the appeal."""
    remembered: dict[str, dict[str, bool]] = request.session.get(SESSION_KEY, {})
    remembered.pop(appeal.number, None)
    remembered[appeal.number] = {"email": bool(appeal.email)}
    request.session[SESSION_KEY] = dict(list(remembered.items())[-REMEMBERED_APPEALS:])


def remembered_appeal(request: HttpRequest, number: str) -> dict[str, bool] | None:
    return request.session.get(SESSION_KEY, {}).get(number)


def already_registered(form_token: str) -> bool:
    """This form was sent before (a double submit): it is answered with its appeal whatever the limits."""
    return Appeal.objects.filter(channel=Channel.WEB, channel_ref=form_token).exists()


def sent_files(number: str) -> dict[str, list[Any]]:
    """The files sent with the appeal: those kept, and those refused with the reason in the page language."""
    files = list(AppealAttachment.objects.filter(appeal__number=number))
    return {
        "files_kept": [file.filename for file in files if file.accepted],
        "files_refused": [
            {"filename": file.filename, "reason": refusal_text(file.refusal)} for file in files if not file.accepted
        ],
    }


def status_explanation(appeal: Appeal) -> str:
    return str(STATUS_EXPLANATIONS.get(appeal.status, ""))
