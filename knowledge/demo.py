"""The demo knowledge base, built from the real service texts published on egov.kz.

One article per active public service: the Kazakh text from the service's name, description and
instructions, the Russian text from its name and its "result" block. Both are official texts
(content origin SOURCE); the only words added are a heading. Everything goes through the services
with the system actor, as version 1, published. Running it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from directory.models import Service
from knowledge import services
from knowledge.choices import ContentOrigin, Language
from knowledge.models import Article, ArticleVersion
from knowledge.search import index_updates_batched
from knowledge.vocabulary_seed import seed_demo_vocabulary

RESULT_HEADING_RU = "Результат оказания услуги"


@dataclass
class DemoSummary:
    articles_created: int = 0
    translations_published: int = 0
    missing_texts: list[str] = field(default_factory=list)
    synonym_groups_added: int = 0


def kazakh_text(service: Service) -> tuple[str, str] | None:
    """Title and body in Kazakh, or None when the source has no Kazakh text."""
    title = service.name_kk.strip()
    parts = [service.source_description_kk.strip(), service.source_instructions_kk.strip()]
    if parts[0] == title:
        parts[0] = ""
    body = "\n\n".join(part for part in parts if part)
    return (title, body) if title and body else None


def russian_text(service: Service) -> tuple[str, str] | None:
    """Title and body in Russian (the result of the service under a heading), or None."""
    title, result = service.name_ru.strip(), service.source_result_ru.strip()
    return (title, f"{RESULT_HEADING_RU}\n\n{result}") if title and result else None


def _publish(article: Article, language: str, text: tuple[str, str]) -> None:
    title, body = text
    version = services.save_draft(
        article=article, language=language, title=title, body=body, content_origin=ContentOrigin.SOURCE, actor=None
    )
    services.publish_version(version=version, actor=None)


def _existing_languages() -> dict[str, tuple[Article, set[str]]]:
    """Every article by slug, with the languages it already has versions in (one pass, two queries)."""
    articles: dict[int, tuple[Article, set[str]]] = {article.pk: (article, set()) for article in Article.objects.all()}
    for article_id, language in ArticleVersion.objects.values_list("article_id", "language").distinct():
        articles[article_id][1].add(language)
    return {article.slug: (article, languages) for article, languages in articles.values()}


def build_article(service: Service, existing: dict[str, tuple[Article, set[str]]], summary: DemoSummary) -> None:
    if service.slug in existing:
        article, languages = existing[service.slug]
    else:
        organisations = [service.responsible_organisation] if service.responsible_organisation_id else []
        article = services.create_article(slug=service.slug, service=service, organisations=organisations, actor=None)
        languages = set()
        summary.articles_created += 1
    if article.is_archived:
        return
    for language, text in ((Language.KAZAKH, kazakh_text(service)), (Language.RUSSIAN, russian_text(service))):
        if language in languages:
            continue
        if text is None:
            summary.missing_texts.append(f"{service.slug} [{language}]")
            continue
        _publish(article, language, text)
        summary.translations_published += 1


def build_demo_knowledge_base() -> DemoSummary:
    """The articles and the demo search vocabulary; the search index is written once, after the commit."""
    summary = DemoSummary()
    active = Service.objects.filter(is_active=True).select_related("responsible_organisation").order_by("slug")
    with index_updates_batched(), transaction.atomic():
        existing = _existing_languages()
        for service in active:
            build_article(service, existing, summary)
        summary.synonym_groups_added = seed_demo_vocabulary()
    return summary
