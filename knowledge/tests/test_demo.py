from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from directory.services import import_services
from knowledge.choices import ContentOrigin, VersionState
from knowledge.demo import RESULT_HEADING_RU, build_demo_knowledge_base
from knowledge.models import Article, ArticleTranslation, ArticleVersion

from .conftest import register_row, service_by_slug

pytestmark = pytest.mark.django_db

PERMIT = "00203002_mvd"  # temporary residence permit for foreigners, MVD


def test_one_published_article_per_active_service_from_the_official_texts(real_services, organisation, settings):
    # given the real services of the register, the residence permit being the MVD's
    permit = service_by_slug(real_services, PERMIT)
    # when the demo knowledge base is built
    summary = build_demo_knowledge_base()
    # then every service has an article with both official texts published as version 1
    assert summary.articles_created == len(real_services) and summary.translations_published == 2 * len(real_services)
    article = Article.objects.get(slug=permit.slug)
    assert article.service == permit and list(article.organisations.all()) == [organisation]
    kazakh = article.translations.get(language="kk")
    russian = article.translations.get(language="ru")
    assert kazakh.title == permit.name_kk and permit.source_instructions_kk.strip() in kazakh.body
    assert russian.title == permit.name_ru
    assert russian.body == f"{RESULT_HEADING_RU}\n\n{permit.source_result_ru.strip()}"
    assert {kazakh.content_origin, russian.content_origin} == {ContentOrigin.SOURCE}
    assert kazakh.published_version.number == 1 and kazakh.published_version.state == VersionState.PUBLISHED
    interval = settings.POLICY["ARTICLE_REVIEW_INTERVAL_DAYS"]
    assert article.review_due == timezone.localdate() + timezone.timedelta(days=interval)


def test_services_without_a_responsible_body_get_no_organisation(real_services):
    build_demo_knowledge_base()
    orphan = next(service for service in real_services if service.responsible_organisation_id is None)
    assert not Article.objects.get(slug=orphan.slug).organisations.exists()


def test_second_run_changes_nothing(real_services):
    # given the demo built once
    build_demo_knowledge_base()
    before = list(ArticleVersion.objects.values_list("pk", "state").order_by("pk"))
    translations = list(ArticleTranslation.objects.values_list("pk", "published_at").order_by("pk"))
    # when it runs again
    summary = build_demo_knowledge_base()
    # then nothing is created or changed
    assert (summary.articles_created, summary.translations_published) == (0, 0)
    assert list(ArticleVersion.objects.values_list("pk", "state").order_by("pk")) == before
    assert list(ArticleTranslation.objects.values_list("pk", "published_at").order_by("pk")) == translations


def test_inactive_services_and_missing_texts_are_skipped(real_services):
    # given an inactive service, and a real service whose Russian "result" block is empty on egov.kz
    inactive = real_services[1]
    type(inactive).objects.filter(pk=inactive.pk).update(is_active=False)
    import_services(rows=[register_row("pass480_mnvo")])
    # when the demo is built
    summary = build_demo_knowledge_base()
    # then the inactive service has no article, and the missing text is reported, not invented
    assert not Article.objects.filter(slug=inactive.slug).exists()
    assert list(Article.objects.get(slug="pass480_mnvo").translations.values_list("language", flat=True)) == ["kk"]
    assert summary.missing_texts == ["pass480_mnvo [ru]"]


def test_command_reports_what_it_did(real_services):
    out = StringIO()
    call_command("build_demo_knowledge_base", stdout=out)
    count = len(real_services)
    assert f"{count} articles created, {2 * count} translations published" in out.getvalue()
