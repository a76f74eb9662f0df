"""Knowledge gaps: queries that found nothing good, logged without personal data, grouped for editors."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from knowledge.models import SearchGap
from knowledge.search import search
from knowledge.services import gap_query_without_personal_data, record_search_gap

from .test_views import logged_in

pytestmark = pytest.mark.django_db


def test_a_query_without_results_is_counted_per_normalised_query(article):
    # when the same unanswered question is typed twice, in different letters
    search(query="Космодром Байқоңыр", language="kk", channel="portal")
    search(query="космодром байконыр", language="kk", channel="portal")
    # then one gap counts both
    gap = SearchGap.objects.get()
    assert (gap.normalised_query, gap.count, gap.channel, gap.language) == ("космодром байконыр", 2, "portal", "kk")


def test_a_query_that_found_something_is_not_a_gap(article):
    result = search(query="куәлік", language="kk", channel="portal")
    assert result.hits and not SearchGap.objects.exists()


def test_without_a_channel_nothing_is_logged(article):
    search(query="космодром", language="kk")
    assert not SearchGap.objects.exists()


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("870101300128 справка", "справка"),
        ("справка +7 701 234 56 78", "справка"),
        ("справка 8 701 234 5678", "справка"),
        ("справка для aigerim@mail.kz", "справка для"),
        ("справка 701 234 56 78", "справка"),
        ("справка 2024 года", "справка 2024 года"),
    ],
)
def test_personal_data_never_reaches_the_log(typed, kept):
    assert gap_query_without_personal_data(typed) == kept


def test_a_gap_with_an_iin_is_stored_without_it(db):
    record_search_gap(query="870101300128 космодром", language="ru", channel="desk")
    gap = SearchGap.objects.get()
    assert "870101" not in gap.normalised_query + gap.example and gap.normalised_query == "космодром"


def test_a_query_of_only_personal_data_is_not_logged(db):
    assert record_search_gap(query="870101300128", language="ru", channel="api") is None
    assert not SearchGap.objects.exists()


def test_the_api_and_the_desk_log_their_channel(article, consultant_client):
    Client().get("/api/v1/knowledge/search/", {"q": "космодром", "lang": "ru"})
    consultant_client.get(reverse("knowledge:search_panel"), {"q": "космодром", "lang": "ru"})
    assert set(SearchGap.objects.values_list("channel", "count")) == {("api", 1), ("desk", 1)}


def test_the_gaps_page_groups_and_puts_the_most_frequent_first(editor_client):
    # given a rare gap and a frequent one seen on two channels
    record_search_gap(query="редкий вопрос", language="ru", channel="portal")
    for channel in ["portal", "portal", "desk"]:
        record_search_gap(query="Частый вопрос", language="ru", channel=channel)
    # when an editor opens the page
    html = editor_client.get(reverse("knowledge:gaps")).content.decode()
    # then the frequent one comes first, with its total and its channels
    assert html.index("частый вопрос") < html.index("редкий вопрос")
    assert "<td>3</td>" in html and html.count("частый вопрос") == 1


@pytest.mark.parametrize("name", ["editor", "administrator"])
def test_the_gaps_page_is_for_those_who_keep_the_base(request, name):
    assert logged_in(request, name).get(reverse("knowledge:gaps")).status_code == 200
