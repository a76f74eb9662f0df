"""Every write to the knowledge base: articles, drafts, review and publication.

Who may do what:
- editors and administrators draft, review, publish, archive anything;
- an organisation officer drafts and submits for articles of their organisation (others: 404), never publishes;
- everyone else reads only (PermissionDenied);
- `actor=None` is the system (commands, demo builder) and may do everything.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from audit.services import record_event
from core.masking import mask_text
from core.policy import policy
from knowledge import tasks
from knowledge.choices import ContentOrigin, Language, VersionState
from knowledge.models import Article, ArticleTranslation, ArticleVersion, SearchGap, SynonymGroup
from knowledge.search import fold_for_search
from knowledge.selectors import may_review

TITLE_MAX_CHARS = 500
BODY_MAX_CHARS = 100_000
NOTE_MAX_CHARS = 5_000
SLUG_MAX_CHARS = 120
# Path segments of the knowledge pages (knowledge/urls.py) that an article identifier cannot take.
RESERVED_SLUGS = frozenset({"new", "review", "quality", "search-panel", "versions", "vocabulary", "gaps"})


# --- Permissions -------------------------------------------------------------------------------------


def _is_officer_of(actor: Any, article: Article) -> bool:
    return (
        actor.role == Role.ORG_OFFICER
        and actor.organisation_id is not None
        and article.organisations.filter(pk=actor.organisation_id).exists()
    )


def _require_author(actor: Any, article: Article) -> None:
    if actor is None or may_review(actor):
        return
    if getattr(actor, "role", None) == Role.ORG_OFFICER:
        if not _is_officer_of(actor, article):
            raise Http404
        return
    raise PermissionDenied


def _require_reviewer(actor: Any, article: Article) -> None:
    if actor is None or may_review(actor):
        return
    if getattr(actor, "role", None) == Role.ORG_OFFICER and not _is_officer_of(actor, article):
        raise Http404
    raise PermissionDenied


def _user_or_none(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --- Validation ---------------------------------------------------------------------------------------


def _clean_text(value: Any, *, field: str, max_chars: int, required: bool = True) -> str:
    if not isinstance(value, str):
        raise ValidationError({field: _("Enter text.")})
    if "\x00" in value:
        raise ValidationError({field: _("The text contains a NUL character (\\0). Remove it and try again.")})
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if required and not text:
        raise ValidationError({field: _("This field cannot be empty.")})
    if len(text) > max_chars:
        raise ValidationError(
            {
                field: _("At most %(limit)d characters (this text has %(count)d).")
                % {"limit": max_chars, "count": len(text)}
            }
        )
    return text


def _clean_title(title: Any) -> str:
    text = _clean_text(title, field="title", max_chars=TITLE_MAX_CHARS)
    if "\n" in text:
        raise ValidationError({"title": _("The title must be a single line.")})
    return text


def _clean_choice(value: Any, *, field: str, choices: Iterable[str]) -> str:
    if value not in set(choices):
        raise ValidationError({field: _("Choose one of the offered values.")})
    return str(value)


def _clean_slug(slug: Any) -> str:
    if not isinstance(slug, str) or not slug.strip():
        raise ValidationError({"slug": _("Enter an identifier.")})
    slug = slug.strip()
    if len(slug) > SLUG_MAX_CHARS:
        raise ValidationError({"slug": _("At most %(limit)d characters.") % {"limit": SLUG_MAX_CHARS}})
    try:
        validate_slug(slug)
    except ValidationError as exc:
        raise ValidationError(
            {"slug": _("Use only Latin letters, digits, hyphens and underscores (for example: 00203002_mvd).")}
        ) from exc
    if slug.lower() in RESERVED_SLUGS:
        raise ValidationError({"slug": _("This identifier is reserved; choose another one.")})
    if Article.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("An article with this identifier already exists.")})
    return slug


def _require_live(article: Article) -> None:
    if article.is_archived:
        raise ValidationError({"article": _("This article is archived and cannot be changed.")})


def _require_state(version: ArticleVersion, *states: str) -> None:
    if version.state not in states:
        raise ValidationError(
            {
                "state": _("This version is “%(state)s”; the action is not possible.")
                % {"state": version.get_state_display()}
            }
        )


# --- Articles -----------------------------------------------------------------------------------------


def create_article(*, slug: str, service: Any = None, organisations: Iterable[Any] = (), actor: Any) -> Article:
    """A new, still empty article; its texts come as drafts. An officer's own organisation is always linked."""
    organisations = list(organisations)
    if actor is not None and not may_review(actor):
        if getattr(actor, "role", None) != Role.ORG_OFFICER or actor.organisation_id is None:
            raise PermissionDenied
        if actor.organisation_id not in {organisation.pk for organisation in organisations}:
            organisations.append(actor.organisation)
    with transaction.atomic():
        article = Article(slug=_clean_slug(slug), service=service, created_by=_user_or_none(actor))
        article.save()
        article.organisations.set(organisations)
        record_event(
            action="knowledge.article_created",
            actor=actor,
            target=article,
            details={
                "slug": article.slug,
                "service": getattr(service, "slug", None),
                "organisations": sorted(organisation.pk for organisation in organisations),
            },
        )
    return article


def archive_article(*, article: Article, actor: Any) -> Article:
    _require_reviewer(actor, article)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if not article.is_archived:
            article.is_archived = True
            article.save(update_fields=["is_archived"])
            record_event(action="knowledge.article_archived", actor=actor, target=article)
            transaction.on_commit(lambda: tasks.refresh_search_index.delay(article.pk))
    return article


def set_review_due(*, article: Article, review_due: date, actor: Any) -> Article:
    _require_reviewer(actor, article)
    if not isinstance(review_due, date):
        raise ValidationError({"review_due": _("Enter a valid date.")})
    if review_due < timezone.localdate():
        raise ValidationError({"review_due": _("The review date cannot be in the past.")})
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        previous = article.review_due
        article.review_due = review_due
        article.save(update_fields=["review_due"])
        record_event(
            action="knowledge.review_due_set",
            actor=actor,
            target=article,
            details={"from": previous.isoformat() if previous else None, "to": review_due.isoformat()},
        )
    return article


# --- Versions -----------------------------------------------------------------------------------------


def save_draft(
    *, article: Article, language: str, title: str, body: str, content_origin: str, actor: Any
) -> ArticleVersion:
    """Every save is a new version (DRAFT), numbered per article and language, based on the published one.

    The same author's earlier drafts of this article and language are superseded by it.
    """
    _require_author(actor, article)
    language = _clean_choice(language, field="language", choices=Language.values)
    content_origin = _clean_choice(content_origin, field="content_origin", choices=ContentOrigin.values)
    clean_title, clean_body = _clean_title(title), _clean_text(body, field="body", max_chars=BODY_MAX_CHARS)
    author = _user_or_none(actor)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        _require_live(article)
        versions = ArticleVersion.objects.filter(article=article, language=language)
        last_number = versions.aggregate(last=Max("number"))["last"] or 0
        published = ArticleTranslation.objects.filter(article=article, language=language).first()
        versions.filter(state=VersionState.DRAFT, author=author).update(state=VersionState.SUPERSEDED)
        version = ArticleVersion.objects.create(
            article=article,
            language=language,
            number=last_number + 1,
            title=clean_title,
            body=clean_body,
            content_origin=content_origin,
            state=VersionState.DRAFT,
            author=author,
            based_on=published.published_version if published else None,
        )
        record_event(
            action="knowledge.draft_saved",
            actor=actor,
            target=version,
            details={"article": article.slug, "language": language, "number": version.number},
        )
    return version


def submit_for_review(*, version: ArticleVersion, actor: Any) -> ArticleVersion:
    _require_author(actor, version.article)
    with transaction.atomic():
        version = ArticleVersion.objects.select_for_update().select_related("article").get(pk=version.pk)
        _require_live(version.article)
        _require_state(version, VersionState.DRAFT)
        version.state = VersionState.IN_REVIEW
        version.submitted_at = timezone.now()
        version.save(update_fields=["state", "submitted_at"])
        record_event(
            action="knowledge.version_submitted",
            actor=actor,
            target=version,
            details={"article": version.article.slug, "language": version.language},
        )
    return version


def publish_version(*, version: ArticleVersion, actor: Any, note: str = "") -> ArticleVersion:
    """The version becomes the published text in its language; the review clock restarts."""
    _require_reviewer(actor, version.article)
    note = _clean_text(note, field="note", max_chars=NOTE_MAX_CHARS, required=False)
    with transaction.atomic():
        version = ArticleVersion.objects.select_for_update().select_related("article").get(pk=version.pk)
        _require_live(version.article)
        _require_state(version, VersionState.DRAFT, VersionState.IN_REVIEW)
        now = timezone.now()
        ArticleVersion.objects.filter(
            article=version.article, language=version.language, state=VersionState.PUBLISHED
        ).update(state=VersionState.SUPERSEDED)
        version.state = VersionState.PUBLISHED
        version.reviewed_by, version.reviewed_at, version.review_note = _user_or_none(actor), now, note
        version.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
        _copy_into_translation(version, published_at=now)
        article = version.article
        article.review_due = timezone.localdate() + timedelta(days=policy("ARTICLE_REVIEW_INTERVAL_DAYS"))
        article.save(update_fields=["review_due"])
        record_event(
            action="knowledge.version_published",
            actor=actor,
            target=version,
            details={"article": article.slug, "language": version.language, "number": version.number},
        )
        transaction.on_commit(lambda: tasks.refresh_search_index.delay(article.pk))
    return version


def _copy_into_translation(version: ArticleVersion, *, published_at: Any) -> None:
    fields = {
        "title": version.title,
        "body": version.body,
        "content_origin": version.content_origin,
        "published_version": version,
        "published_at": published_at,
        "search_text": fold_for_search(version.title + "\n" + version.body),
    }
    updated = ArticleTranslation.objects.filter(article=version.article, language=version.language).update(**fields)
    if not updated:
        ArticleTranslation.objects.create(article=version.article, language=version.language, **fields)


def return_to_author(*, version: ArticleVersion, actor: Any, note: str) -> ArticleVersion:
    """The reviewer sends the version back with a note saying what to change."""
    _require_reviewer(actor, version.article)
    note = _clean_text(note, field="note", max_chars=NOTE_MAX_CHARS)
    with transaction.atomic():
        version = ArticleVersion.objects.select_for_update().get(pk=version.pk)
        _require_state(version, VersionState.IN_REVIEW)
        version.state = VersionState.REJECTED
        version.reviewed_by, version.reviewed_at, version.review_note = _user_or_none(actor), timezone.now(), note
        version.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
        record_event(
            action="knowledge.version_returned",
            actor=actor,
            target=version,
            details={"article": version.article.slug, "language": version.language},
        )
    return version


# --- Vocabulary (synonyms and abbreviations used by the search) -------------------------------------------

PHRASE_MAX_CHARS = 100
PHRASES_MAX = 20


def _require_vocabulary_keeper(actor: Any) -> None:
    if actor is not None and not may_review(actor):
        raise PermissionDenied


def _clean_phrases(value: Any, *, field: str) -> list[str]:
    text = _clean_text(value, field=field, max_chars=PHRASES_MAX * (PHRASE_MAX_CHARS + 1), required=False)
    phrases = list(dict.fromkeys(" ".join(line.split()) for line in text.split("\n") if line.strip()))
    if len(phrases) > PHRASES_MAX:
        raise ValidationError({field: _("At most %(limit)d words or phrases.") % {"limit": PHRASES_MAX}})
    for phrase in phrases:
        if len(phrase) > PHRASE_MAX_CHARS:
            raise ValidationError(
                {field: _("A phrase has at most %(limit)d characters.") % {"limit": PHRASE_MAX_CHARS}}
            )
    return phrases


def _require_searchable(phrases: dict[str, list[str]]) -> None:
    from knowledge.analysis import analyze

    for language, field in (("kk", "terms_kk"), ("ru", "terms_ru")):
        for phrase in phrases[language]:
            if not analyze(phrase, language):
                raise ValidationError(
                    {
                        field: _("“%(phrase)s” has no word the search can use (only stop words or signs).")
                        % {"phrase": phrase}
                    }
                )
    if len(phrases["kk"]) + len(phrases["ru"]) < 2:
        raise ValidationError({"terms_kk": _("Enter at least two words or phrases that mean the same.")})


def create_synonym_group(*, terms_kk: str, terms_ru: str, note: str = "", actor: Any) -> SynonymGroup:
    """Words that mean the same for the search (one a line, per language); effective at the next query."""
    _require_vocabulary_keeper(actor)
    phrases = {"kk": _clean_phrases(terms_kk, field="terms_kk"), "ru": _clean_phrases(terms_ru, field="terms_ru")}
    _require_searchable(phrases)
    note = _clean_text(note, field="note", max_chars=200, required=False)
    with transaction.atomic():
        group = SynonymGroup.objects.create(
            terms_kk="\n".join(phrases["kk"]),
            terms_ru="\n".join(phrases["ru"]),
            note=note,
            created_by=_user_or_none(actor),
        )
        record_event(action="knowledge.synonyms_added", actor=actor, target=group, details=phrases)
    return group


def delete_synonym_group(*, group: SynonymGroup, actor: Any) -> None:
    _require_vocabulary_keeper(actor)
    with transaction.atomic():
        details = {"kk": group.phrases("kk"), "ru": group.phrases("ru")}
        record_event(action="knowledge.synonyms_removed", actor=actor, target=group, details=details)
        SynonymGroup.objects.filter(pk=group.pk).delete()


# --- Knowledge gaps (queries that found nothing good) ----------------------------------------------------

GAP_QUERY_MAX_CHARS = 200
_PERSONAL_TOKEN = re.compile(r"[*@]|\d{5,}")


def gap_query_without_personal_data(query: str) -> str:
    """The query masked (core.masking) and without IIN-, phone- or e-mail-looking words; digits of a number
    split by spaces (a phone typed in groups) go too."""
    words = [word for word in mask_text(query).split() if not _PERSONAL_TOKEN.search(word)]
    if sum(char.isdigit() for word in words for char in word) >= 7:
        words = [word for word in words if not any(char.isdigit() for char in word)]
    return " ".join(words)[:GAP_QUERY_MAX_CHARS]


def record_search_gap(*, query: str, language: str, channel: str) -> SearchGap | None:
    """Count a query that found nothing good, per normalised query, language and channel.

    Statistics without an actor (citizens' searches), so no audit record; nothing personal is stored.
    """
    example = gap_query_without_personal_data(query)
    normalised = " ".join(fold_for_search(example).split())
    if not normalised or language not in Language.values or channel not in SearchGap.Channel.values:
        return None
    key = {"normalised_query": normalised, "language": language, "channel": channel}
    now = timezone.now()
    with transaction.atomic():
        if SearchGap.objects.filter(**key).update(count=F("count") + 1, last_seen=now):
            return SearchGap.objects.get(**key)
        try:
            with transaction.atomic():
                return SearchGap.objects.create(**key, example=example, first_seen=now, last_seen=now)
        except IntegrityError:
            SearchGap.objects.filter(**key).update(count=F("count") + 1, last_seen=now)
            return SearchGap.objects.get(**key)
