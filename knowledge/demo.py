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
from knowledge.models import Article

RESULT_HEADING_RU = "Результат оказания услуги"


@dataclass
class DemoSummary:
    articles_created: int = 0
    translations_published: int = 0
    missing_texts: list[str] = field(default_factory=list)


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


def _article_for(service: Service, summary: DemoSummary) -> Article:
    article = Article.objects.filter(slug=service.slug).first()
    if article is not None:
        return article
    organisations = [service.responsible_organisation] if service.responsible_organisation_id else []
    summary.articles_created += 1
    return services.create_article(slug=service.slug, service=service, organisations=organisations, actor=None)


def build_article(service: Service, summary: DemoSummary) -> None:
    article = _article_for(service, summary)
    if article.is_archived:
        return
    existing = set(article.versions.values_list("language", flat=True))
    for language, text in ((Language.KAZAKH, kazakh_text(service)), (Language.RUSSIAN, russian_text(service))):
        if language in existing:
            continue
        if text is None:
            summary.missing_texts.append(f"{service.slug} [{language}]")
            continue
        _publish(article, language, text)
        summary.translations_published += 1


def build_demo_knowledge_base() -> DemoSummary:
    summary = DemoSummary()
    active = Service.objects.filter(is_active=True).select_related("responsible_organisation").order_by("slug")
    with transaction.atomic():
        for service in active:
            build_article(service, summary)
    return summary
