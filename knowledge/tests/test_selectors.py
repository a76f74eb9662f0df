from datetime import timedelta

import pytest
from django.utils import timezone

from knowledge import selectors, services
from knowledge.models import Article, ArticleTranslation

from .conftest import publish, service_by_slug

pytestmark = pytest.mark.django_db


def test_translation_for_prefers_the_language_and_falls_back(article, other_article):
    # given an article in both languages and one in Russian only
    article = selectors.published_articles().get(pk=article.pk)
    other = selectors.published_articles().get(pk=other_article.pk)
    # then the requested language is returned, else the other one, flagged
    translation, fallback = selectors.translation_for(article, "ru")
    assert translation.language == "ru" and not fallback
    translation, fallback = selectors.translation_for(other, "kk")
    assert translation.language == "ru" and fallback


def test_published_articles_leave_out_empty_and_archived(article, other_article, editor):
    empty = services.create_article(slug="empty", actor=editor)
    services.archive_article(article=other_article, actor=editor)
    slugs = set(selectors.published_articles().values_list("slug", flat=True))
    assert slugs == {article.slug}
    assert empty.slug not in slugs


def test_article_for_service(real_services, editor):
    # given an article about the residence permit
    service = service_by_slug(real_services, "00203002_mvd")
    created = services.create_article(slug=service.slug, service=service, actor=editor)
    assert selectors.article_for_service(service) is None  # nothing published yet
    publish(created, "ru", service.name_ru, service.source_result_ru)
    # then it is the service's article
    assert selectors.article_for_service(service) == created
    assert selectors.article_for_service(service_by_slug(real_services, "037pass_mon")) is None


def test_overdue_list_uses_the_review_date(article, other_article):
    # given one article whose review date passed yesterday
    Article.objects.filter(pk=article.pk).update(review_due=timezone.localdate() - timedelta(days=1))
    # then only it is overdue
    assert list(selectors.overdue_articles()) == [article]
    other_article.refresh_from_db()
    assert other_article.review_due > timezone.localdate()


def test_missing_translation_list(article, other_article):
    assert list(selectors.articles_missing_translation(language="kk")) == [other_article]
    assert list(selectors.articles_missing_translation(language="ru")) == []


def test_older_translation_list_counts_calendar_days(article, settings):
    # given the Kazakh text published 3 days before the Russian one
    russian = ArticleTranslation.objects.get(article=article, language="ru")
    ArticleTranslation.objects.filter(article=article, language="kk").update(
        published_at=russian.published_at - timedelta(days=3)
    )
    # then with no tolerance the Kazakh text is older, the Russian one is not
    settings.POLICY = {**settings.POLICY, "TRANSLATION_LAG_DAYS": 0}
    lagging = selectors.articles_with_older_translation(language="kk")
    assert [(item.article, item.lag_days) for item in lagging] == [(article, 3)]
    assert selectors.articles_with_older_translation(language="ru") == []
    # and with a tolerance of 3 days it is in step
    settings.POLICY = {**settings.POLICY, "TRANSLATION_LAG_DAYS": 3}
    assert selectors.articles_with_older_translation(language="kk") == []


def test_same_day_publications_are_in_step(article):
    assert selectors.articles_with_older_translation(language="kk") == []
    assert selectors.articles_with_older_translation(language="ru") == []


def test_officer_sees_only_their_organisations_versions(article, other_article, officer, editor):
    visible = selectors.versions_visible_to(officer)
    assert set(visible.values_list("article__slug", flat=True)) == {article.slug}
    assert selectors.versions_visible_to(editor).filter(article=other_article).exists()
