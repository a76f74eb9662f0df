"""The search vocabulary: services, the editors' page, and its effect on the next query."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from knowledge import services
from knowledge.models import SynonymGroup
from knowledge.search import search, search_articles

from .conftest import publish
from .test_views import logged_in

pytestmark = pytest.mark.django_db

KEEPERS = ["editor", "administrator"]
OTHERS = ["consultant", "supervisor", "officer", "regulator"]


@pytest.fixture
def service_center_article():  # type: ignore[no-untyped-def]
    """An article that says "халыққа қызмет көрсету орталығы" and "центр обслуживания населения", never ЦОН."""
    article = services.create_article(slug="id-card", actor=None)
    publish(article, "kk", "Жеке куәлік алу", "Өтінішті халыққа қызмет көрсету орталығына беріңіз.")
    publish(article, "ru", "Получение удостоверения личности", "Заявление подаётся в центр обслуживания населения.")
    return article


@pytest.fixture
def group():  # type: ignore[no-untyped-def]
    return services.create_synonym_group(
        terms_kk="ХҚКО\nхалыққа қызмет көрсету орталығы", terms_ru="ЦОН\nцентр обслуживания населения", actor=None
    )


# --- Services -------------------------------------------------------------------------------------------


def test_an_editor_adds_a_group_and_it_is_audited(editor):
    group = services.create_synonym_group(terms_kk="ЭЦҚ", terms_ru=" ЭЦП \n\nЭЦП\nэлектронная подпись", actor=editor)
    assert group.phrases("kk") == ["ЭЦҚ"] and group.phrases("ru") == ["ЭЦП", "электронная подпись"]
    assert AuditEvent.objects.filter(action="knowledge.synonyms_added", actor=editor).exists()


@pytest.mark.parametrize(
    ("terms_kk", "terms_ru", "field"),
    [
        ("ЭЦҚ", "", "terms_kk"),
        ("", "", "terms_kk"),
        ("ЭЦҚ", "и\nв", "terms_ru"),
        ("ЭЦ\x00Қ", "ЭЦП", "terms_kk"),
        ("ЭЦҚ", "а" * 101, "terms_ru"),
        ("ЭЦҚ", "\n".join(f"слово{n}" for n in range(21)), "terms_ru"),
    ],
)
def test_a_group_needs_two_searchable_phrases_of_sensible_size(editor, terms_kk, terms_ru, field):
    with pytest.raises(ValidationError) as error:
        services.create_synonym_group(terms_kk=terms_kk, terms_ru=terms_ru, actor=editor)
    assert field in error.value.message_dict


@pytest.mark.parametrize("name", ["consultant", "officer", "regulator", "supervisor"])
def test_only_editors_and_administrators_change_the_vocabulary(request, name, group):
    actor = request.getfixturevalue(name)
    with pytest.raises(PermissionDenied):
        services.create_synonym_group(terms_kk="ЭЦҚ", terms_ru="ЭЦП", actor=actor)
    with pytest.raises(PermissionDenied):
        services.delete_synonym_group(group=group, actor=actor)


# --- Effect on the search -----------------------------------------------------------------------------------


def test_an_abbreviation_finds_nothing_until_the_vocabulary_knows_it(service_center_article, editor_client):
    # given an abbreviation no text uses
    assert search_articles(query="ЦОН", language="ru") == []
    # when an editor adds it on the vocabulary page
    response = editor_client.post(
        reverse("knowledge:vocabulary"),
        {"terms_kk": "ХҚКО\nхалыққа қызмет көрсету орталығы", "terms_ru": "ЦОН\nцентр обслуживания населения"},
    )
    assert response.status_code == 302
    # then the very next query (same process, no restart) finds the article in both languages
    assert [hit.slug for hit in search_articles(query="ЦОН", language="ru")] == ["id-card"]
    kazakh = search_articles(query="хкко", language="kk")
    assert kazakh[0].slug == "id-card" and kazakh[0].language == "kk"


def test_a_removed_group_stops_working_at_once(service_center_article, group, editor_client):
    assert search_articles(query="ЦОН", language="ru")
    editor_client.post(reverse("knowledge:vocabulary_remove", args=[group.pk]))
    assert search_articles(query="ЦОН", language="ru") == []


def test_a_vocabulary_word_counts_as_understood(service_center_article, group):
    # "ЦОН" is in no text, but the vocabulary knows it: not a knowledge gap
    result = search(query="ЦОН", language="ru")
    assert result.hits and not result.is_gap


def test_a_one_word_phrase_from_another_language_is_marked_in_the_snippet(service_center_article):
    services.create_synonym_group(terms_kk="өтініш", terms_ru="заявление", actor=None)
    hit = search_articles(query="заявление", language="kk")[0]
    assert hit.language == "kk" and "<mark>Өтінішті</mark>" in hit.snippet


# --- The page ---------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, group):
    for url in [reverse("knowledge:vocabulary"), reverse("knowledge:gaps")]:
        assert client.get(url).status_code == 302
    response = client.post(reverse("knowledge:vocabulary_remove", args=[group.pk]))
    assert response.status_code == 302 and SynonymGroup.objects.filter(pk=group.pk).exists()


@pytest.mark.parametrize("name", OTHERS)
def test_other_roles_are_refused(request, name, group):
    client = logged_in(request, name)
    assert client.get(reverse("knowledge:vocabulary")).status_code == 403
    assert client.post(reverse("knowledge:vocabulary"), {"terms_kk": "а", "terms_ru": "б"}).status_code == 403
    assert client.post(reverse("knowledge:vocabulary_remove", args=[group.pk])).status_code == 403
    assert client.get(reverse("knowledge:gaps")).status_code == 403
    assert SynonymGroup.objects.count() == 1


@pytest.mark.parametrize("name", KEEPERS)
def test_editors_and_administrators_see_the_vocabulary(request, name, group):
    response = logged_in(request, name).get(reverse("knowledge:vocabulary"))
    assert response.status_code == 200 and "центр обслуживания населения" in response.content.decode()


def test_htmx_add_returns_the_list_with_the_new_group(editor_client):
    response = editor_client.post(
        reverse("knowledge:vocabulary"), {"terms_kk": "ЭЦҚ", "terms_ru": "ЭЦП"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and "ЭЦП" in html
    assert SynonymGroup.objects.count() == 1


def test_invalid_input_shows_the_error_and_keeps_the_text(editor_client):
    response = editor_client.post(reverse("knowledge:vocabulary"), {"terms_kk": "ЭЦҚ", "terms_ru": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "errorlist" in html and "ЭЦҚ" in html
    assert SynonymGroup.objects.count() == 0


def test_removing_an_unknown_group_is_404(editor_client):
    assert editor_client.post(reverse("knowledge:vocabulary_remove", args=[999])).status_code == 404


def test_removal_needs_post(editor_client, group):
    assert editor_client.get(reverse("knowledge:vocabulary_remove", args=[group.pk])).status_code == 405
