"""Knowledge fixtures: real public services (from the directory app) and published articles."""

from __future__ import annotations

from typing import Any

import pytest

from directory import reference
from directory.models import Organisation, Service
from directory.tests.fixtures import real_services  # noqa: F401 - 36 real services, the MVD's are `organisation`'s
from knowledge import services
from knowledge.choices import ContentOrigin
from knowledge.models import Article


def register_row(slug: str) -> dict[str, Any]:
    """One row of the real register (data/reference/egov_services_kk_ru.jsonl)."""
    return next(row for row in reference.read_services() if row["slug"] == slug)


def service_by_slug(candidates: list[Service], slug: str) -> Service:
    return next(service for service in candidates if service.slug == slug)


def publish(article: Article, language: str, title: str, body: str, actor: Any = None) -> Any:
    version = services.save_draft(
        article=article,
        language=language,
        title=title,
        body=body,
        content_origin=ContentOrigin.WRITTEN,
        actor=actor,
    )
    return services.publish_version(version=version, actor=actor)


@pytest.fixture
def article(organisation: Organisation) -> Article:
    """An article of the `organisation`, published in Kazakh and Russian."""
    created = services.create_article(slug="passport-loss", organisations=[organisation], actor=None)
    publish(created, "kk", "Жеке куәлікті жоғалту", "Жеке куәлік жоғалса, халыққа қызмет көрсету орталығына барыңыз.")
    publish(created, "ru", "Утеря удостоверения личности", "При утере удостоверения обратитесь в ЦОН.")
    return created


@pytest.fixture
def other_article(other_organisation: Organisation) -> Article:
    """An article of the other organisation, published in Russian only."""
    created = services.create_article(slug="vaccination", organisations=[other_organisation], actor=None)
    publish(created, "ru", "Прививки детям", "График прививок утверждён Министерством здравоохранения.")
    return created
