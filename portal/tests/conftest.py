"""Portal fixtures: real services with their egov.kz texts published as articles (the browser is in conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest

from directory.models import Service
from directory.tests.fixtures import real_services  # noqa: F401 - 36 real services, 3 in each of 12 categories
from knowledge import services as knowledge_services
from knowledge.choices import ContentOrigin
from knowledge.demo import DemoSummary, build_article
from knowledge.models import Article

# A real bilingual service of the register (data/reference/egov_services_kk_ru.jsonl): a driving licence.
DRIVING_LICENCE_SLUG = "010pass_mvd"


# Services whose egov.kz texts are published as articles (a few, to keep the suite fast).
ARTICLE_SLUGS = (DRIVING_LICENCE_SLUG, "089pass_mvd", "00501020-pass_mvd", "e_004", "mtczn_00402014", "2f39_mf")


@pytest.fixture
def published_services(real_services: list[Service]) -> list[Service]:  # noqa: F811
    """The 36 real services; six of them with their article published in Kazakh and Russian from egov.kz texts."""
    existing: dict[str, Any] = {}
    summary = DemoSummary()
    for service in real_services:
        if service.slug in ARTICLE_SLUGS:
            build_article(service, existing, summary)
    assert summary.translations_published == 2 * len(ARTICLE_SLUGS)
    return real_services


def service_with_slug(services: list[Service], slug: str) -> Service:
    return next(service for service in services if service.slug == slug)


def publish(article: Article, language: str, title: str, body: str, origin: str = ContentOrigin.WRITTEN) -> None:
    version = knowledge_services.save_draft(
        article=article, language=language, title=title, body=body, content_origin=origin, actor=None
    )
    knowledge_services.publish_version(version=version, actor=None)
