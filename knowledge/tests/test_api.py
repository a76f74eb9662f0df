"""The public knowledge API: search and published articles, for everyone, with bad input refused cleanly."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from knowledge import services
from knowledge.demo import build_demo_knowledge_base

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/knowledge/search/"
ARTICLES = "/api/v1/knowledge/articles/"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def demo_kb(real_services):
    build_demo_knowledge_base()


def test_search_is_public_and_returns_hits(api, demo_kb):
    # when anyone searches in Kazakh typed without Kazakh letters
    response = api.get(SEARCH, {"q": "уакытша туруга", "lang": "kk"})
    # then the residence permit article comes first, with a highlighted snippet and its service
    assert response.status_code == 200
    data = response.json()
    assert data["language"] == "kk" and data["count"] >= 1
    first = data["results"][0]
    assert first["slug"] == "00203002_mvd" and first["service_slug"] == "00203002_mvd"
    assert first["language"] == "kk" and "<mark>" in first["snippet"]
    assert set(first) == {"title", "snippet", "slug", "language", "service_slug", "score"}


def test_search_in_russian_prefers_russian(api, demo_kb):
    data = api.get(SEARCH, {"q": "разрешение временное проживание", "lang": "ru"}).json()
    assert data["results"][0]["language"] == "ru"


def test_search_limit(api, article, other_article, editor):
    assert api.get(SEARCH, {"q": "удостоверения", "lang": "ru", "limit": "1"}).json()["count"] == 1


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 301},
        {"q": "\x00"},
        {"q": "паспорт", "lang": "en"},
        {"q": "паспорт", "limit": "0"},
        {"q": "паспорт", "limit": "51"},
        {"q": "паспорт", "limit": "many"},
    ],
)
def test_search_bad_input_is_a_clear_400(api, params):
    response = api.get(SEARCH, params)
    assert response.status_code == 400
    assert response.json()  # a message per field


def test_empty_query_message_is_translated(api):
    kazakh = api.get(SEARCH, {"q": ""}, HTTP_COOKIE="bailanys_language=kk").json()
    russian = api.get(SEARCH + "?q=&lang=ru").json()
    assert kazakh["q"] != russian["q"]


@pytest.mark.parametrize(
    "query", ["%", "*", "\"'", "😀", "' OR 1=1 --", "\u200fпаспорт", "<script>", "ку\x00әлік", "%00"]
)
def test_search_odd_queries_never_fail(api, article, query):
    response = api.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_nul_inside_a_word_is_dropped_and_the_word_found(api, article):
    # the platform drops control characters from query strings before the view (core middleware)
    assert api.get(SEARCH, {"q": "ку\x00әлік"}).json()["results"][0]["slug"] == article.slug


def test_articles_list_and_filters(api, demo_kb, real_services, other_article):
    data = api.get(ARTICLES).json()
    assert data["count"] == len(real_services) + 1
    data = api.get(ARTICLES, {"service": "037pass_mon", "lang": "ru"}).json()
    assert [item["slug"] for item in data["results"]] == ["037pass_mon"]
    assert data["results"][0]["language"] == "ru" and data["results"][0]["languages"] == ["kk", "ru"]
    data = api.get(ARTICLES, {"lang": "kk"}).json()
    assert "vaccination" not in [item["slug"] for item in data["results"]]


def test_articles_list_bad_filter(api):
    assert api.get(ARTICLES, {"lang": "de"}).status_code == 400
    assert api.get(ARTICLES, {"service": "x" * 101}).status_code == 400
    assert api.get(ARTICLES, {"service": "nope"}).json()["count"] == 0


def test_article_detail_has_both_languages_kazakh_first(api, demo_kb):
    data = api.get(ARTICLES + "00203002_mvd/").json()
    assert [item["language"] for item in data["translations"]] == ["kk", "ru"]
    assert data["service"]["slug"] == "00203002_mvd"
    assert data["translations"][0]["content_origin"] == "source" and data["translations"][0]["version"] == 1


def test_unpublished_and_archived_articles_are_not_found(api, editor, article):
    services.create_article(slug="draft-only", actor=editor)
    assert api.get(ARTICLES + "draft-only/").status_code == 404
    services.archive_article(article=article, actor=editor)
    assert api.get(ARTICLES + f"{article.slug}/").status_code == 404


@pytest.mark.parametrize("role", ["consultant", "integration", "officer"])
def test_logged_in_clients_may_read_too(request, role, article):
    client = APIClient()
    client.force_authenticate(request.getfixturevalue(role))
    assert client.get(ARTICLES + f"{article.slug}/").status_code == 200
    assert client.get(SEARCH, {"q": "куәлік"}).status_code == 200


def test_writes_are_not_allowed(api, article, editor):
    client = APIClient()
    client.force_authenticate(editor)
    assert client.post(ARTICLES, {"slug": "x"}).status_code == 405
    assert client.delete(ARTICLES + f"{article.slug}/").status_code == 405


def test_schema_describes_the_knowledge_endpoints():
    schema = Client().get("/api/v1/schema/", {"format": "json"}).json()
    search = schema["paths"]["/api/v1/knowledge/search/"]["get"]
    names = {parameter["name"] for parameter in search["parameters"]}
    assert {"q", "lang", "limit"} <= names
    assert "400" in search["responses"]
    assert "/api/v1/knowledge/articles/{slug}/" in schema["paths"]
