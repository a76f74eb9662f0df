"""Reads of the knowledge base: what is published, who may see or edit what, and the quality lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.choices import KNOWLEDGE_REVIEWERS, Role
from core.policy import policy
from knowledge.choices import Language, VersionState
from knowledge.models import Article, ArticleTranslation, ArticleVersion


def published_articles() -> QuerySet[Article]:
    """Articles that are not archived and have a published text in at least one language."""
    published = ArticleTranslation.objects.filter(article=OuterRef("pk"))
    return (
        Article.objects.filter(Exists(published), is_archived=False)
        .select_related("service")
        .prefetch_related(
            Prefetch(
                "translations",
                queryset=ArticleTranslation.objects.select_related("published_version").order_by("language"),
            )
        )
    )


def translation_for(article: Article, language: str) -> tuple[ArticleTranslation | None, bool]:
    """The published translation in `language`, else the other language's.

    Returns the translation (None when the article has none) and whether it is a fallback.
    """
    by_language = {translation.language: translation for translation in article.translations.all()}
    if language in by_language:
        return by_language[language], False
    for other in Language.values:
        if other in by_language:
            return by_language[other], True
    return None, False


def article_for_service(service: Any) -> Article | None:
    """The published article about a public service, if there is one."""
    return published_articles().filter(service=service).order_by("pk").first()


def may_review(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.role in KNOWLEDGE_REVIEWERS)


def authorable_articles(user: Any) -> QuerySet[Article]:
    """Articles the user may draft for: editors and admins all, officers their organisation's."""
    if may_review(user):
        return Article.objects.all()
    if user.is_authenticated and user.role == Role.ORG_OFFICER and user.organisation_id:
        return Article.objects.filter(organisations=user.organisation_id).distinct()
    return Article.objects.none()


def may_author(user: Any, article: Article) -> bool:
    return authorable_articles(user).filter(pk=article.pk).exists()


def readable_articles(user: Any) -> QuerySet[Article]:
    """Every reader sees every article; the archived ones only those who keep the base."""
    articles = Article.objects.select_related("service", "service__category")
    if may_review(user):
        return articles
    return articles.filter(is_archived=False)


def versions_visible_to(user: Any) -> QuerySet[ArticleVersion]:
    """Unpublished edits of an organisation's article are not shown to officers of other organisations."""
    versions = ArticleVersion.objects.select_related("article", "author", "reviewed_by", "based_on")
    if user.is_authenticated and user.role == Role.ORG_OFFICER:
        return versions.filter(article__in=authorable_articles(user))
    return versions


def get_version_or_404(user: Any, pk: int) -> ArticleVersion:
    try:
        return versions_visible_to(user).get(pk=pk)
    except ArticleVersion.DoesNotExist as exc:
        raise Http404 from exc


def review_queue() -> QuerySet[ArticleVersion]:
    return (
        ArticleVersion.objects.filter(state=VersionState.IN_REVIEW, article__is_archived=False)
        .select_related("article", "author")
        .order_by("submitted_at", "pk")
    )


def pending_review_exists() -> Exists:
    return Exists(ArticleVersion.objects.filter(article=OuterRef("pk"), state=VersionState.IN_REVIEW))


def translation_exists(language: str) -> Exists:
    return Exists(ArticleTranslation.objects.filter(article=OuterRef("pk"), language=language))


# --- Quality lists (clause 5: accurate, current, complete information) ------------------------------


def overdue_articles(*, today: date | None = None) -> QuerySet[Article]:
    """Live articles whose review date has passed."""
    today = today or timezone.localdate()
    return Article.objects.filter(is_archived=False, review_due__lt=today).order_by("review_due", "slug")


def articles_missing_translation(*, language: str) -> QuerySet[Article]:
    """Live articles published in the other language but not in this one."""
    others = [other for other in Language.values if other != language]
    return (
        Article.objects.filter(is_archived=False)
        .filter(~translation_exists(language), translations__language__in=others)
        .distinct()
        .order_by("slug")
    )


@dataclass(frozen=True)
class LaggingTranslation:
    article: Article
    published_on: date
    other_published_on: date

    @property
    def lag_days(self) -> int:
        return (self.other_published_on - self.published_on).days


def articles_with_older_translation(*, language: str, lag_days: int | None = None) -> list[LaggingTranslation]:
    """Articles whose text in `language` was published more than `lag_days` calendar days before the
    other language's latest publication (the other language was edited later and this one may be stale).

    Days are counted in local dates: publications of both languages on the same day count as in step.
    """
    lag_days = policy("TRANSLATION_LAG_DAYS") if lag_days is None else lag_days
    rows = ArticleTranslation.objects.filter(article__is_archived=False).values_list(
        "article_id", "language", "published_at"
    )
    dates: dict[int, dict[str, date]] = {}
    for article_id, row_language, published_at in rows:
        dates.setdefault(article_id, {})[row_language] = timezone.localdate(published_at)
    lagging: dict[int, tuple[date, date]] = {}
    for article_id, by_language in dates.items():
        mine = by_language.get(language)
        others = [day for other, day in by_language.items() if other != language]
        if mine and others and (max(others) - mine).days > lag_days:
            lagging[article_id] = (mine, max(others))
    articles = Article.objects.in_bulk(list(lagging))
    result = [LaggingTranslation(articles[pk], *lagging[pk]) for pk in lagging]
    return sorted(result, key=lambda item: (-item.lag_days, item.article.slug))
