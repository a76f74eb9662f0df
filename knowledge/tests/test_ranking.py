"""How the engine ranks and matches: the bonus per distinct query word, edit distance only for words known
nowhere (also against the vocabulary), and the public build and query functions the benchmark uses."""

from __future__ import annotations

import pytest

from knowledge import services
from knowledge.search import compiler, search, search_articles
from knowledge.search.engine import IndexRow, build_index, query_index

from .conftest import publish

pytestmark = pytest.mark.django_db


def new_article(slug: str, texts: dict[str, tuple[str, str]]):  # type: ignore[no-untyped-def]
    article = services.create_article(slug=slug, actor=None)
    for language, (title, body) in texts.items():
        publish(article, language, title, body)
    return article


def slugs(query: str, language: str = "ru") -> list[str]:
    return [hit.slug for hit in search_articles(query=query, language=language)]


# --- Distinct query words ------------------------------------------------------------------------------------


@pytest.fixture
def certificates():  # type: ignore[no-untyped-def]
    """A short title made of one common word, and the article that meets both words of the query in its body."""
    new_article("any-certificate", {"ru": ("Справка", "Выдаётся в день обращения, бесплатно.")})
    new_article("no-record", {"ru": ("Сведения из базы данных", "Выдаётся справка о несудимости.")})
    for number in range(20):
        new_article(f"other-{number}", {"ru": (f"Услуга {number}", "Порядок оформления и сроки.")})


def test_an_article_meeting_more_query_words_outranks_a_short_title_with_one(certificates, monkeypatch):
    # given BM25 alone puts the short title "Справка" first
    bonus = compiler.COVERAGE_WEIGHT
    monkeypatch.setattr(compiler, "COVERAGE_WEIGHT", 0.0)
    assert slugs("справка о несудимости")[0] == "any-certificate"
    # when each distinct query word a text meets adds its bonus
    monkeypatch.setattr(compiler, "COVERAGE_WEIGHT", bonus)
    # then the article meeting both words comes first
    assert slugs("справка о несудимости")[:2] == ["no-record", "any-certificate"]


def test_a_word_in_every_text_adds_no_bonus(certificates):
    # given "порядок" is in most texts and "справка" in two
    found = compiler.QueryCompiler.__new__(compiler.QueryCompiler)
    found.texts, found._texts_using = {"ru": 8}, {("ru", "порядок"): 8, ("ru", "справк"): 2, ("ru", "редк"): 0}
    # then the common word weighs nothing, the rarer one something, an unused one nothing
    assert found.weight("ru", ["порядок"]) == 0.0
    assert 0.0 < found.weight("ru", ["справк"]) < 1.0
    assert found.weight("ru", ["редк"]) == 0.0


# --- Edit distance ------------------------------------------------------------------------------------------


@pytest.fixture
def tax_and_kazakh_pledge():  # type: ignore[no-untyped-def]
    new_article("tax", {"ru": ("Налог на имущество", "Налог уплачивается ежегодно.")})
    new_article("pledge-kk", {"kk": ("Кепілді тіркеу", "Залог тіркеледі.")})


def test_a_word_known_in_one_language_is_not_matched_approximately_in_the_other(tax_and_kazakh_pledge):
    # given "налог" is a Russian word of the index, and the Kazakh text has "залог", one edit away
    result = search(query="налог", language="kk")
    # then only the exact word is matched
    assert [hit.slug for hit in result.hits] == ["tax"] and result.used_fuzzy is False


def test_a_word_known_nowhere_is_matched_allowing_a_typo_and_marked_in_the_snippet(tax_and_kazakh_pledge):
    # given "налгоа" is in no text and no vocabulary
    result = search(query="уплачивается налгоа", language="ru")
    # then the closest word of the index is matched and marked as found
    assert result.hits[0].slug == "tax" and result.used_fuzzy is True
    assert "<mark>Налог</mark>" in result.hits[0].snippet


def test_a_mistyped_vocabulary_word_brings_its_synonyms(django_capture_on_commit_callbacks):
    # given "развод" is only in the vocabulary, as another name for "расторжение брака"
    new_article("divorce", {"ru": ("Расторжение брака", "Брак расторгается в органах регистрации.")})
    services.create_synonym_group(terms_kk="ажырасу", terms_ru="развод\nрасторжение брака", actor=None)
    # when the citizen mistypes it
    result = search(query="равзод", language="ru")
    # then the article is found through the group
    assert result.hits[0].slug == "divorce" and result.used_fuzzy is True and result.coverage == 1.0


def test_a_citizens_word_finds_the_official_wording_through_the_vocabulary():
    new_article("burial", {"ru": ("Выплата на погребение", "Назначается единовременная выплата.")})
    services.create_synonym_group(terms_kk="жерлеу", terms_ru="похороны\nпогребение", actor=None)
    assert slugs("деньги на похороны") == ["burial"]


# --- Public build and query functions ------------------------------------------------------------------------


def test_an_index_is_built_from_plain_rows_and_queried_without_database_texts(tmp_path):
    # given rows that exist in no database table, as tuples and as IndexRow
    rows = [
        (1, "ru", "Получение паспорта", "Документы подаются в центр обслуживания населения."),
        IndexRow(id=2, language="kk", title="Паспорт алу", body="Құжаттарды тапсырыңыз."),
        (3, "ru", "Налог на имущество", "Налог уплачивается ежегодно."),
    ]
    # when an index is built in a directory and queried
    backend = build_index(tmp_path / "plain", rows)
    # then every language's text is found by its own words, best first, one entry per article
    assert query_index(backend, "паспорт").article_ids[0] in {1, 2}
    assert query_index(backend, "кужаттарды").article_ids == [2]
    assert query_index(backend, "налоги", limit=1).article_ids == [3]
    assert query_index(backend, "").article_ids == []


def test_building_again_replaces_the_whole_index(tmp_path):
    build_index(tmp_path / "plain", [(1, "ru", "Паспорт", "Паспорт гражданина.")])
    backend = build_index(tmp_path / "plain", [(2, "ru", "Налог", "Налог на имущество.")])
    assert query_index(backend, "паспорт").article_ids == []
    assert query_index(backend, "налог").article_ids == [2]


def test_the_lexicon_offers_the_closest_words_most_used_first():
    from knowledge.search.lexicon import Lexicon

    # given the words of an index with the number of texts using each
    lexicon = Lexicon({"налог": 10, "залог": 3, "регистрац": 7, "паспорт": 5})
    # then one edit away wins, the most used first; two edits only for long words; nothing for short words
    assert lexicon.near("нолог") == (1, ["налог"])
    assert lexicon.near("алог") == (1, ["налог", "залог"])
    assert lexicon.near("рекистрцц") == (2, ["регистрац"])
    assert lexicon.near("паспрат") == (0, [])
    assert lexicon.near("нлг") == (0, []) and lexicon.near("2024") == (0, [])
