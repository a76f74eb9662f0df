import pytest

from knowledge import services
from knowledge.demo import build_demo_knowledge_base
from knowledge.search import fold_for_search, highlight, query_terms, search_articles

from .conftest import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_kb(real_services):
    build_demo_knowledge_base()


def test_fold_keeps_length_and_folds_kazakh_letters():
    text = "ҚАЗАҚСТАН Әже Ғылым Өнер Ұлы Үй Һ Іс ёлка ң"
    folded = fold_for_search(text)
    assert len(folded) == len(text)
    assert folded == "казакстан аже гылым онер улы уй х ис елка н"


def test_kazakh_query_without_special_letters_finds_the_article(demo_kb):
    # when a citizen types "уакытша туруга руксат" without Kazakh letters
    hits = search_articles(query="уакытша туруга руксат", language="kk")
    # then the residence permit article is found, in Kazakh
    assert hits[0].slug == "00203002_mvd" and hits[0].language == "kk"


def test_kazakh_and_russian_real_words_find_both_services(demo_kb):
    # Kazakh: "мектепке дейінгі" (preschool); Russian: "временное проживание" (temporary residence)
    assert [hit.slug for hit in search_articles(query="мектепке дейінгі", language="kk")][:1] == ["037pass_mon"]
    hits = search_articles(query="временное проживание", language="ru")
    assert hits[0].slug == "00203002_mvd" and hits[0].language == "ru"


def test_each_language_finds_its_own_text(article):
    kk_hits = search_articles(query="жеке куәлік", language="kk")
    ru_hits = search_articles(query="удостоверения", language="ru")
    assert kk_hits[0].language == "kk" and ru_hits[0].language == "ru"


def test_a_word_found_in_both_languages_is_shown_in_the_query_language(editor, organisation):
    created = services.create_article(slug="egov", organisations=[organisation], actor=editor)
    publish(created, "kk", "eGov порталы", "eGov арқылы өтініш беріңіз.")
    publish(created, "ru", "Портал eGov", "Подайте заявление через eGov.")
    assert search_articles(query="egov", language="ru")[0].language == "ru"
    assert search_articles(query="egov", language="kk")[0].language == "kk"


def test_snippet_is_escaped_and_marks_the_match_in_the_original_letters():
    snippet = highlight("<b>Қызмет</b> көрсету", query_terms("кызмет"))
    assert snippet == "&lt;b&gt;<mark>Қызмет</mark>&lt;/b&gt; көрсету"


@pytest.mark.parametrize("query", ["", "%", "*", "'\"", "😀😀", "\x00", "a", "' OR 1=1 --", "\u200f"])
def test_odd_queries_give_sensible_results(article, query):
    hits = search_articles(query=query, language="kk")
    assert all(hit.slug for hit in hits)


def test_percent_and_underscore_are_not_wildcards(article):
    assert search_articles(query="%%", language="kk") == []
    assert search_articles(query="__", language="kk") == []


def test_archived_articles_are_not_found(article, editor):
    services.archive_article(article=article, actor=editor)
    assert search_articles(query="куәлік", language="kk") == []
