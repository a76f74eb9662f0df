"""Rows the appeals and workspace tests share: a service, an article, and a ready-made appeal."""

import pytest

from appeals.choices import Channel
from appeals.services import register_appeal
from directory.models import Organisation, Service, ServiceCategory
from knowledge.models import Article, ArticleTranslation


@pytest.fixture
def service(organisation: Organisation) -> Service:
    category = ServiceCategory.objects.create(code="passports", name_kk="Құжаттандыру", name_ru="Документирование")
    return Service.objects.create(
        slug="passport-issue",
        category=category,
        responsible_organisation=organisation,
        name_kk="Жеке куәлік беру",
        name_ru="Выдача удостоверения личности",
    )


@pytest.fixture
def article(db: None) -> Article:
    article = Article.objects.create(slug="id-card-replacement")
    ArticleTranslation.objects.create(article=article, language="kk", title="Жеке куәлікті ауыстыру", body="Мәтін")
    ArticleTranslation.objects.create(article=article, language="ru", title="Замена удостоверения", body="Текст")
    return article


@pytest.fixture
def appeal(consultant):  # type: ignore[no-untyped-def]
    return register_appeal(
        channel=Channel.WEB,
        subject="Жеке куәлік",
        text="Куәлікті қалай ауыстыруға болады?",
        phone="8 701 123 45 67",
        email="Aigul@Example.kz",
        citizen_name="Айгүл Серікова",
        iin="870101300128",
    ).appeal
