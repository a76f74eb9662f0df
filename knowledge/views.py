"""Knowledge pages for staff: read, draft, review, publish, and the quality lists."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import KNOWLEDGE_AUTHORS, KNOWLEDGE_REVIEWERS, Role
from accounts.permissions import role_required
from core.htmx import HtmxHttpRequest
from knowledge import selectors, services
from knowledge.choices import Language, VersionState
from knowledge.diff import version_diff
from knowledge.forms import (
    ArticleCreateForm,
    ArticleFilterForm,
    PublishForm,
    ReviewDueForm,
    ReviewNoteForm,
    SearchPanelForm,
    VersionForm,
)
from knowledge.models import Article, ArticleVersion
from knowledge.search import search, search_articles

READERS = (Role.CONSULTANT, Role.SUPERVISOR, Role.EDITOR, Role.ORG_OFFICER, Role.REGULATOR, Role.ADMIN)
AUTHORS = tuple(KNOWLEDGE_AUTHORS)
REVIEWERS = tuple(KNOWLEDGE_REVIEWERS)
PANEL_USERS = (Role.CONSULTANT, Role.SUPERVISOR, Role.ADMIN, Role.ORG_OFFICER, Role.EDITOR)
PAGE_SIZE = 50
SEARCH_LIMIT = 50


def _ui_language() -> str:
    return "ru" if get_language() == "ru" else "kk"


def _apply_form_errors(form: Any, error: ValidationError) -> None:
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


# --- Article list -------------------------------------------------------------------------------------


def _filtered_articles(user: Any, data: dict[str, Any]) -> tuple[list[Article], bool]:
    articles = selectors.readable_articles(user).prefetch_related("translations")
    if data.get("category"):
        articles = articles.filter(service__category=data["category"])
    if data.get("pending_review"):
        articles = articles.filter(selectors.pending_review_exists())
    if data.get("missing"):
        articles = articles.filter(~selectors.translation_exists(data["missing"]))
    if not data.get("q"):
        return list(articles), False
    hits = search_articles(query=data["q"], language=_ui_language(), limit=SEARCH_LIMIT)
    by_id = articles.in_bulk([hit.article_id for hit in hits])
    return [by_id[hit.article_id] for hit in hits if hit.article_id in by_id], True


def _article_rows(articles: list[Article], user: Any) -> list[dict[str, Any]]:
    pending = set(
        ArticleVersion.objects.filter(article__in=articles, state=VersionState.IN_REVIEW).values_list(
            "article_id", flat=True
        )
    )
    rows = []
    for article in articles:
        translation, is_fallback = selectors.translation_for(article, _ui_language())
        languages = {item.language for item in article.translations.all()}
        rows.append(
            {
                "article": article,
                "translation": translation,
                "is_fallback": is_fallback,
                "languages": [(code, code in languages) for code in Language.values],
                "pending_review": article.pk in pending,
            }
        )
    return rows


@role_required(*READERS)
def article_list(request: HtmxHttpRequest) -> HttpResponse:
    form = ArticleFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    articles, searched = _filtered_articles(request.user, data)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": _article_rows(list(page.object_list), request.user),
        "searched": searched,
        "total": len(articles),
        "may_create": getattr(request.user, "role", None) in KNOWLEDGE_AUTHORS,
        "query_string": _query_without_page(request),
    }
    template = "knowledge/_article_rows.html" if request.htmx else "knowledge/article_list.html"
    return render(request, template, context)


def _query_without_page(request: HtmxHttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Article detail, creation, drafts -------------------------------------------------------------------


def _readable_article_or_404(user: Any, slug: str) -> Article:
    return get_object_or_404(selectors.readable_articles(user).prefetch_related("organisations"), slug=slug)


@role_required(*READERS)
def article_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    article = _readable_article_or_404(request.user, slug)
    translations = {item.language: item for item in article.translations.select_related("published_version")}
    versions = selectors.versions_visible_to(request.user).filter(article=article)
    context = {
        "article": article,
        "columns": [(code, label, translations.get(code)) for code, label in Language.choices],
        "versions": versions.order_by("language", "-number"),
        "may_author": selectors.may_author(request.user, article),
        "may_review": selectors.may_review(request.user),
        "review_due_form": ReviewDueForm(initial={"review_due": article.review_due}),
        "is_overdue": bool(article.review_due and article.review_due < timezone.localdate()),
    }
    return render(request, "knowledge/article_detail.html", context)


@role_required(*AUTHORS)
def article_create(request: HtmxHttpRequest) -> HttpResponse:
    form = ArticleCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.create_article(
                slug=form.cleaned_data["slug"],
                service=form.cleaned_data["service"],
                organisations=form.cleaned_data["organisations"],
                actor=request.user,
            )
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("The article is created. Write its text in Kazakh and in Russian."))
            return redirect("knowledge:article_edit", slug=article.slug)
    return render(request, "knowledge/article_create.html", {"form": form})


def _starting_text(article: Article, language: str) -> dict[str, Any]:
    """The form starts from the latest version in that language (someone's last work), else empty."""
    latest = article.versions.filter(language=language).order_by("-number").first()
    if latest is None:
        return {"language": language}
    return {
        "language": language,
        "title": latest.title,
        "body": latest.body,
        "content_origin": latest.content_origin,
        "_version": latest,
    }


@role_required(*AUTHORS)
def article_edit(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(selectors.authorable_articles(request.user), slug=slug)
    requested = request.GET.get("language", "")
    language = requested if requested in Language.values else "kk"
    initial = _starting_text(article, language)
    form = VersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.save_draft(article=article, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_form_errors(form, error)
        else:
            messages.success(request, _("Draft saved as version %(number)d.") % {"number": version.number})
            return redirect("knowledge:version_detail", pk=version.pk)
    context = {
        "article": article,
        "form": form,
        "language": language,
        "started_from": initial.get("_version"),
        "languages": Language.choices,
    }
    return render(request, "knowledge/article_edit.html", context)


@require_POST
@role_required(*REVIEWERS)
def article_review_due(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article, slug=slug)
    form = ReviewDueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date."))
        return redirect("knowledge:article_detail", slug=article.slug)
    try:
        services.set_review_due(article=article, review_due=form.cleaned_data["review_due"], actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The review date is set."))
    return redirect("knowledge:article_detail", slug=article.slug)


@require_POST
@role_required(*REVIEWERS)
def article_archive(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article, slug=slug)
    services.archive_article(article=article, actor=request.user)
    messages.success(request, _("The article is archived: it is no longer shown to readers or found by search."))
    return redirect("knowledge:article_detail", slug=article.slug)


# --- Versions and their review --------------------------------------------------------------------------


def _version_context(request: HtmxHttpRequest, version: ArticleVersion, **forms: Any) -> dict[str, Any]:
    user = request.user
    reviewer = selectors.may_review(user)
    current = version.article.translations.filter(language=version.language).first()
    return {
        "version": version,
        "article": version.article,
        "diff": version_diff(version),
        "is_stale": bool(
            current
            and version.state in (VersionState.DRAFT, VersionState.IN_REVIEW)
            and version.based_on_id != current.published_version_id
        ),
        "may_submit": version.state == VersionState.DRAFT and selectors.may_author(user, version.article),
        "may_publish": reviewer and version.state in (VersionState.DRAFT, VersionState.IN_REVIEW),
        "may_return": reviewer and version.state == VersionState.IN_REVIEW,
        "publish_form": forms.get("publish_form") or PublishForm(),
        "return_form": forms.get("return_form") or ReviewNoteForm(),
    }


@role_required(*READERS)
def version_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    version = selectors.get_version_or_404(request.user, pk)
    return render(request, "knowledge/version_detail.html", _version_context(request, version))


def _after_action(request: HtmxHttpRequest, version: ArticleVersion, **forms: Any) -> HttpResponse:
    version = selectors.get_version_or_404(request.user, version.pk)
    if request.htmx:
        return render(request, "knowledge/_version_actions.html", _version_context(request, version, **forms))
    return redirect("knowledge:version_detail", pk=version.pk)


def _run_action(request: HtmxHttpRequest, version: ArticleVersion, action: Any, success: str) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return _after_action(request, version)


@require_POST
@role_required(*AUTHORS)
def version_submit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    version = selectors.get_version_or_404(request.user, pk)
    if not selectors.may_author(request.user, version.article):
        raise Http404
    return _run_action(
        request,
        version,
        lambda: services.submit_for_review(version=version, actor=request.user),
        _("Sent for review."),
    )


@require_POST
@role_required(*REVIEWERS)
def version_publish(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    version = selectors.get_version_or_404(request.user, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _after_action(request, version, publish_form=form)
    return _run_action(
        request,
        version,
        lambda: services.publish_version(version=version, actor=request.user, note=form.cleaned_data["note"]),
        _("Published: readers now see this text."),
    )


@require_POST
@role_required(*REVIEWERS)
def version_return(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    version = selectors.get_version_or_404(request.user, pk)
    form = ReviewNoteForm(request.POST)
    if not form.is_valid():
        if not request.htmx:
            messages.error(request, _("Write a note to the author: what should be changed."))
        return _after_action(request, version, return_form=form)
    return _run_action(
        request,
        version,
        lambda: services.return_to_author(version=version, actor=request.user, note=form.cleaned_data["note"]),
        _("Returned to the author with your note."),
    )


@role_required(*REVIEWERS)
def review_queue(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, "knowledge/review_queue.html", {"versions": selectors.review_queue()})


# --- Quality and the consultant's search panel -----------------------------------------------------------


@role_required(*READERS)
def quality(request: HtmxHttpRequest) -> HttpResponse:
    lists = {
        "overdue": list(selectors.overdue_articles()),
        "missing": [
            (label, list(selectors.articles_missing_translation(language=code))) for code, label in Language.choices
        ],
        "older": [
            (label, selectors.articles_with_older_translation(language=code)) for code, label in Language.choices
        ],
    }
    return render(request, "knowledge/quality.html", {"lists": lists})


@role_required(*PANEL_USERS)
def search_panel(request: HtmxHttpRequest) -> HttpResponse:
    data = SearchPanelForm(request.GET).cleaned_or_defaults(_ui_language())
    result = search(query=data["q"], language=data["lang"], channel="desk") if data["q"] else None
    context = {
        "hits": result.hits if result else [],
        "repaired": result.repaired if result else None,
        "query": data["q"],
        "appeal": data["appeal"],
        "errors": data["errors"],
    }
    return render(request, "knowledge/_search_results.html", context)
