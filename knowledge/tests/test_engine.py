"""The tantivy search engine: index lifecycle, cross-language answers, typos, did-you-mean, bad input."""

from __future__ import annotations

import logging
from io import StringIO

import pytest
from django.core.management import call_command

from knowledge import services
from knowledge.search import engine, get_backend, index_articles, index_updates_batched, search, search_articles
from knowledge.search.engine import TantivyBackend

from .conftest import publish

pytestmark = pytest.mark.django_db


def slugs(query: str, language: str = "ru") -> list[str]:
    return [hit.slug for hit in search_articles(query=query, language=language)]


def new_article(slug: str, texts: dict[str, tuple[str, str]]):  # type: ignore[no-untyped-def]
    article = services.create_article(slug=slug, actor=None)
    for language, (title, body) in texts.items():
        publish(article, language, title, body)
    return article


@pytest.fixture
def passport():  # type: ignore[no-untyped-def]
    return new_article(
        "passport",
        {
            "kk": ("Паспорт алу", "Құжаттарды халыққа қызмет көрсету орталығына тапсырыңыз."),
            "ru": ("Получение паспорта", "Документы подаются в центр обслуживания населения."),
        },
    )


@pytest.fixture
def tax_and_pledge():  # type: ignore[no-untyped-def]
    new_article("tax", {"ru": ("Налог на имущество", "Налог уплачивается ежегодно.")})
    new_article("pledge", {"ru": ("Залог имущества", "Залог регистрируется в реестре.")})


# --- Index lifecycle -------------------------------------------------------------------------------------


def test_a_missing_index_is_built_from_the_database_at_the_first_search(passport, caplog):
    # given published articles and no index directory yet
    assert not get_backend().is_built()
    # when someone searches
    with caplog.at_level(logging.WARNING, logger="knowledge.search.engine"):
        hits = search_articles(query="паспорт", language="ru")
    # then the index is built, the article found, and the build logged
    assert [hit.slug for hit in hits] == ["passport"]
    assert get_backend().is_built() and "building it from the database" in caplog.text


def test_rebuild_command_indexes_every_published_translation(passport, settings):
    # given an article in two languages
    out = StringIO()
    # when the command runs
    call_command("rebuild_search_index", stdout=out)
    # then both texts are indexed and found
    assert "2 texts indexed" in out.getvalue()
    assert slugs("паспорт") == ["passport"]


def test_a_publication_is_searchable_after_commit(passport, django_capture_on_commit_callbacks):
    # given a built index
    assert slugs("аттестат") == []
    # when a new article is published (the refresh task runs after the commit)
    with django_capture_on_commit_callbacks(execute=True):
        new_article("school", {"ru": ("Аттестат об окончании школы", "Дубликат аттестата выдаёт школа.")})
    # then it is found
    assert slugs("аттестат") == ["school"]


def test_a_new_version_replaces_the_old_text_in_the_index(passport, django_capture_on_commit_callbacks):
    # given the article found by a word of its text
    assert slugs("документы") == ["passport"]
    # when a new version without that word is published
    with django_capture_on_commit_callbacks(execute=True):
        publish(passport, "ru", "Получение паспорта", "Заявление подаётся через портал.")
    # then the old word no longer finds it and the new one does
    assert slugs("документы") == [] and slugs("заявление") == ["passport"]


def test_an_archived_article_leaves_the_index(passport, editor, django_capture_on_commit_callbacks):
    # given the article is found
    assert slugs("паспорт") == ["passport"]
    # when it is archived
    with django_capture_on_commit_callbacks(execute=True):
        services.archive_article(article=passport, actor=editor)
    # then it is not found, and it is gone from the index itself
    assert slugs("паспорт") == []
    assert get_backend().searcher().num_docs == 0


def test_another_process_sees_a_commit_without_restart(passport, settings):
    # given two processes' views of one index directory, the second one having searched already
    first, second = TantivyBackend(settings.SEARCH_INDEX_DIR), TantivyBackend(settings.SEARCH_INDEX_DIR)
    first.rebuild()
    assert second.search("аттестат", "ru", 10).hits == []
    # when the first writes a new article
    article = new_article("school", {"ru": ("Аттестат об окончании школы", "Дубликат аттестата.")})
    first.index_articles([article.pk])
    # then the second finds it at its next query
    assert [hit.slug for hit in second.search("аттестат", "ru", 10).hits] == ["school"]


def test_a_busy_index_does_not_fail_the_publication(passport, monkeypatch, django_capture_on_commit_callbacks):
    # given another writer holding the index (one writer per directory)
    monkeypatch.setattr(engine, "WRITER_WAIT_SECONDS", 0.1)
    backend = get_backend()
    backend.rebuild()
    with backend._writer():
        # when an article is published meanwhile
        with django_capture_on_commit_callbacks(execute=True):
            school = new_article("school", {"ru": ("Аттестат об окончании школы", "Дубликат аттестата.")})
        # then the publication stands and searching still works (the database backend answers while busy)
        assert slugs("паспорт") == ["passport"]
    # and the deferred article is indexed with the next write
    backend.index_articles([passport.pk])
    assert slugs("аттестат") == [school.slug]


def test_bulk_updates_are_written_once_at_the_end(passport):
    # given a batch block
    backend = get_backend()
    with index_updates_batched():
        # when index updates are requested inside it
        index_articles([passport.pk])
        # then nothing is written yet
        assert not backend.is_built()
    # and the index is written once at the end
    assert backend.is_built() and slugs("паспорт") == ["passport"]


def test_the_database_backend_answers_when_the_index_cannot_be_opened(passport, settings, tmp_path, caplog):
    # given an index directory that is a file
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.SEARCH_INDEX_DIR = blocker
    # when someone searches
    with caplog.at_level(logging.ERROR, logger="knowledge.search"):
        result = search(query="паспорта", language="ru")
    # then the database backend answers and the failure is logged
    assert result.backend == "database" and [hit.slug for hit in result.hits] == ["passport"]
    assert "the database backend answers" in caplog.text


def test_the_database_backend_can_be_chosen(passport, settings):
    settings.SEARCH_BACKEND = "database"
    result = search(query="паспорта", language="ru")
    assert result.backend == "database" and result.hits[0].slug == "passport"


# --- What is found and how it is shown ------------------------------------------------------------------------


def test_a_russian_query_shows_the_kazakh_text_to_a_kazakh_reader(passport):
    # when a Russian query matches the Russian text, and the reader's language is Kazakh
    hits = search_articles(query="центр обслуживания населения", language="kk")
    # then the article is shown in Kazakh
    assert hits[0].slug == "passport" and hits[0].language == "kk" and hits[0].title == "Паспорт алу"


def test_a_kazakh_query_finds_an_article_written_only_in_russian(tax_and_pledge):
    # given "Налог" exists only in Russian; a Kazakh reader types it (a loanword in Kazakh too)
    hits = search_articles(query="налог", language="kk")
    # then the Russian text is shown (there is no Kazakh one)
    assert [(hit.slug, hit.language) for hit in hits] == [("tax", "ru")]


def test_kazakh_without_special_letters_finds_the_kazakh_text(passport):
    hits = search_articles(query="кужаттарды тапсыру", language="kk")
    assert hits[0].slug == "passport" and "<mark>Құжаттарды</mark>" in hits[0].snippet


def test_snippet_marks_the_analysed_matches_and_escapes_the_text():
    # given a text with markup and an inflected form of the query word
    article = new_article("markup", {"ru": ("Справки", "<b>Справку</b> о рождении выдают справочные службы.")})
    # when searched
    hit = search_articles(query="справка", language="ru")[0]
    # then the inflected word is marked, the markup escaped
    assert hit.slug == article.slug
    assert "&lt;b&gt;<mark>Справку</mark>&lt;/b&gt;" in hit.snippet and "<b>" not in hit.snippet


def test_an_exact_word_keeps_its_precision(tax_and_pledge):
    # "налог" (tax) is known: the one-letter-away "залог" (pledge) is not matched by edit distance
    result = search(query="налог", language="ru")
    assert [hit.slug for hit in result.hits] == ["tax"] and result.used_fuzzy is False


def test_an_unknown_word_is_matched_allowing_a_typo(tax_and_pledge):
    # "нплог" is in no text: edit distance 1 finds "налог"
    result = search(query="нплог", language="ru")
    assert [hit.slug for hit in result.hits] == ["tax"] and result.used_fuzzy is True


def test_did_you_mean_for_the_wrong_keyboard_layout(passport):
    # "gfcgjhn" is "паспорт" typed with the English layout
    result = search(query="gfcgjhn", language="ru")
    assert result.repaired == "паспорт" and result.hits[0].slug == "passport"


def test_did_you_mean_for_latin_kazakh(passport):
    result = search(query="qūjattardy", language="kk")
    assert result.repaired and result.repaired.startswith("құжат") and result.hits[0].slug == "passport"


def test_no_did_you_mean_when_the_query_was_typed_right(passport):
    assert search(query="паспорт", language="ru").repaired is None


BAD_QUERIES = [
    "",
    "   ",
    "а" * 10_000,
    "паспорт " * 2_000,
    "\x00",
    "пас\x00порт",
    "%",
    "_",
    "*",
    "%%__**",
    "'\"",
    '"паспорт',
    "title:x AND (y",
    "паспорт~2 OR body:*",
    "\u200f\u202eпаспорт\u200e",
    "😀😀😀",
    "паспорт 😀",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_bad_input_gives_sensible_results_never_an_error(passport, query):
    result = search(query=query, language="kk", channel="portal")
    assert result.backend == "tantivy"
    assert all(hit.slug == "passport" for hit in result.hits)


def test_rtl_marks_and_nul_do_not_hide_a_real_word(passport):
    assert slugs("\u200fпаспорт\u200e") == ["passport"]
    assert slugs("\x00паспорт\x00") == ["passport"]


def test_the_demo_knowledge_base_is_searchable_after_loading(real_services):
    # given the demo built (the index is written after the commit, or at the first search)
    from knowledge.demo import build_demo_knowledge_base

    summary = build_demo_knowledge_base()
    # then its vocabulary is there, and citizens' spellings find the articles
    assert summary.synonym_groups_added > 10
    assert slugs("уакытша туруга руксат", "kk")[0] == "00203002_mvd"
    assert slugs("временное проживание", "ru")[0] == "00203002_mvd"


# --- Related words, layout repair by what the index knows --------------------------------------------------------


def test_a_verb_finds_the_service_named_by_its_noun(tax_and_pledge):
    # given "Залог регистрируется в реестре" and no text with "зарегистрировать" or "регистрация"
    new_article("restore", {"ru": ("Восстановление записей актов", "Восстановление утраченной записи.")})
    # when citizens ask with the verb, or with the prefixed verb
    # then the service named by the noun is found (the same root, at a lower weight than the word itself)
    assert slugs("восстановить запись")[0] == "restore"
    assert slugs("как зарегистрировать залог")[0] == "pledge"


def test_an_abbreviation_typed_in_the_wrong_layout_is_repaired_because_the_index_knows_it():
    # given the abbreviation in a published text
    new_article("pension-fund", {"ru": ("Выписка из ЕНПФ", "Выписка о пенсионных накоплениях в ЕНПФ.")})
    # when "получить выписку из ЕНПФ" is typed on a Latin layout (ЕНПФ reads as the consonants "tyga")
    result = search(query="gjkexbnm dsgbcre bp tyga", language="ru")
    # then the whole query is repaired and the article found
    assert result.repaired == "получить выписку из енпф"
    assert [hit.slug for hit in result.hits] == ["pension-fund"]


# --- Nightly rebuild and old schema versions ---------------------------------------------------------------


def test_a_rebuild_removes_index_directories_of_older_schema_versions(passport, settings):
    # given the index of an older schema beside the current one, and a directory that is not an index
    root = get_backend().path.parent
    (root / "v1").mkdir(parents=True)
    (root / "v1" / "meta.json").write_text("{}", encoding="utf-8")
    (root / "backup").mkdir()
    # when the index is rebuilt
    count = get_backend().rebuild()
    # then the old schema's directory is gone, the current index and the other directory stay
    assert count == 2
    assert not (root / "v1").exists()
    assert (root / "backup").is_dir() and get_backend().is_built()
    assert slugs("паспорт") == ["passport"]


def test_the_search_index_is_rebuilt_every_night_at_the_configured_time(passport, settings):
    # given the schedule of Celery beat (SEARCH_REBUILD_AT, 03:30 unless configured)
    entry = settings.CELERY_BEAT_SCHEDULE["knowledge-rebuild-search-index"]
    # then it runs the rebuild task at that local time
    assert entry["task"] == "knowledge.tasks.rebuild_search_index"
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {30}
    from knowledge.tasks import rebuild_search_index

    # and the task rebuilds the index from the database
    assert rebuild_search_index.apply().get() == 2
    assert slugs("паспорт") == ["passport"]


def test_a_busy_index_skips_the_nightly_rebuild_without_failing(passport, monkeypatch, caplog):
    # given another writer holding the index (one writer per directory)
    from knowledge.tasks import rebuild_search_index

    monkeypatch.setattr(engine, "WRITER_WAIT_SECONDS", 0.1)
    backend = get_backend()
    backend.rebuild()
    # when the nightly task runs in-process (no retries there) meanwhile
    with backend._writer(), caplog.at_level(logging.WARNING, logger="knowledge.tasks"):
        assert rebuild_search_index.apply().get() == 0
    # then it says so, and the index is still there and searchable
    assert "nightly rebuild is skipped" in caplog.text
    assert slugs("паспорт") == ["passport"]
