"""Citizen pages in Kazakh (the default) and Russian: finding a service and reading about it."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from accounts.permissions import PUBLIC
from directory.choices import DataOrigin
from directory.models import Service, ServiceCategory
from directory.services import set_service_responsible_body
from knowledge import services as knowledge_services
from knowledge.models import SearchGap
from portal import urls as portal_urls
from portal.tests.conftest import DRIVING_LICENCE_SLUG, publish, service_with_slug

pytestmark = pytest.mark.django_db

KAZAKH_ASK = "Сұрақ қою"
RUSSIAN_ASK = "Задать вопрос"


def russian_client() -> Client:
    client = Client()
    client.cookies["bailanys_language"] = "ru"
    return client


def page(client: Client, name: str, **kwargs: str) -> str:
    response = client.get(reverse(name, kwargs=kwargs or None))
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


# --- Access: every page is public -------------------------------------------------------------------


def test_every_portal_view_is_declared_public() -> None:
    for pattern in portal_urls.urlpatterns:
        # then
        assert pattern.callback.allowed_roles == frozenset({PUBLIC}), pattern.name


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_page_opens_for_an_anonymous_citizen_in_both_languages(published_services, language) -> None:
    # given
    client = Client()
    client.cookies["bailanys_language"] = language
    category = published_services[0].category
    urls = [
        reverse("portal:home"),
        reverse("portal:search") + "?q=test",
        reverse("portal:suggest") + "?q=test",
        reverse("portal:category", kwargs={"code": category.code}),
        reverse("portal:service", kwargs={"slug": DRIVING_LICENCE_SLUG}),
        reverse("portal:appeal_new"),
        reverse("portal:track"),
    ]
    for url in urls:
        # when
        response = client.get(url)
        # then
        assert response.status_code == 200, url
        assert response["Content-Language"] == language


def test_staff_may_use_the_portal_too(consultant_client, published_services) -> None:
    # when
    body = page(consultant_client, "portal:home")
    # then
    assert "Мемлекеттік қызметтер санаттар бойынша" in body


# --- Language ---------------------------------------------------------------------------------------


def test_home_is_in_kazakh_by_default_even_when_the_browser_asks_for_russian(published_services) -> None:
    # when
    response = Client(headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get(reverse("portal:home"))
    # then
    body = response.content.decode()
    assert '<html lang="kk">' in body
    assert KAZAKH_ASK in body
    assert "Сізге қалай көмектесе аламыз?" in body
    assert RUSSIAN_ASK not in body


def test_the_language_switch_makes_every_following_page_russian(published_services) -> None:
    # given
    client = Client()
    # when
    response = client.post(reverse("set_language"), {"language": "ru", "next": reverse("portal:track")})
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:track")
    body = page(client, "portal:home")
    assert '<html lang="ru">' in body
    assert "Чем мы можем помочь?" in body
    assert RUSSIAN_ASK in body
    assert "Гражданство, миграция и иммиграция" in body


def test_lang_parameter_shows_the_page_in_russian(published_services) -> None:
    # when
    body = Client().get(reverse("portal:home") + "?lang=ru").content.decode()
    # then
    assert "Чем мы можем помочь?" in body


def test_every_page_has_the_language_switch(published_services) -> None:
    # when
    body = page(Client(), "portal:appeal_new")
    # then
    assert 'data-testid="lang-kk"' in body
    assert 'data-testid="lang-ru"' in body


# --- Home -------------------------------------------------------------------------------------------


def test_home_lists_the_twelve_categories_with_their_service_counts(published_services) -> None:
    # when
    body = page(Client(), "portal:home")
    # then
    assert ServiceCategory.objects.count() == 12
    for category in ServiceCategory.objects.all():
        assert category.name_kk in body
        assert reverse("portal:category", kwargs={"code": category.code}) in body
    assert body.count("3 қызмет") == 12


def test_home_shows_the_search_box_and_the_centers_contacts(published_services) -> None:
    # when
    body = page(Client(), "portal:home")
    # then
    assert 'name="q"' in body
    assert "data-search-box" in body
    assert f'hx-get="{reverse("portal:suggest")}"' in body
    assert "1414" in body and "8 800 080 7777" in body
    assert "egov@nitec.kz" in body and "support@pki.gov.kz" in body and "sd@nitec.kz" in body
    assert reverse("portal:appeal_new") in body
    assert reverse("portal:track") in body


def test_home_works_before_any_service_is_loaded(db) -> None:
    # when
    body = page(Client(), "portal:home")
    # then
    assert "Қызметтер тізімі дайындалуда" in body


# --- Search -----------------------------------------------------------------------------------------


def test_suggestions_give_at_most_six_titles_as_the_citizen_types(published_services) -> None:
    # when
    response = Client().get(reverse("portal:suggest"), {"q": "қызмет"}, headers={"HX-Request": "true"})
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 1 <= body.count("<li>") <= 6


def test_suggestions_find_kazakh_typed_without_its_special_letters(published_services) -> None:
    # when
    body = Client().get(reverse("portal:suggest"), {"q": "жургизуши"}).content.decode()
    # then
    assert "Жүргізуші күәлігін алу" in body
    assert reverse("portal:service", kwargs={"slug": DRIVING_LICENCE_SLUG}) in body


def test_search_shows_results_with_highlighted_snippets(published_services) -> None:
    # when
    body = Client().get(reverse("portal:search"), {"q": "жүргізуші куәлігі"}).content.decode()
    # then
    assert "Жүргізуші күәлігін алу" in body
    assert "<mark>" in body
    assert reverse("portal:service", kwargs={"slug": DRIVING_LICENCE_SLUG}) in body


def test_search_in_russian_finds_the_russian_text(published_services) -> None:
    # when
    body = russian_client().get(reverse("portal:search"), {"q": "водительское удостоверение"}).content.decode()
    # then
    assert "Получение водительских прав" in body
    assert "<mark>" in body


def test_an_empty_search_asks_what_to_look_for(published_services) -> None:
    # when
    body = Client().get(reverse("portal:search"), {"q": "   "}).content.decode()
    # then
    assert "Не іздейтініңізді жазыңыз" in body


def test_a_search_with_no_results_offers_to_ask_a_question(published_services) -> None:
    # when
    body = Client().get(reverse("portal:search"), {"q": "космодром марсоход"}).content.decode()
    # then
    assert "«космодром марсоход» бойынша ештеңе табылмады." in body
    assert reverse("portal:appeal_new") + "?text=%D0%BA%D0%BE%D1%81%D0%BC%D0%BE%D0%B4%D1%80%D0%BE%D0%BC" in body


def test_a_knowledge_gap_offers_to_ask_with_the_query_as_the_question(published_services) -> None:
    # given a query half of whose words the knowledge base does not know (hits, but a knowledge gap)
    query = "водительское удостоверение космодром марсоход"
    # when the citizen searches
    response = russian_client().get(reverse("portal:search"), {"q": query})
    body = response.content.decode()
    # then the results come with an offer to ask a consultant, the query carried into the question
    assert response.context["results"] and response.context["is_gap"]
    assert 'data-testid="search-gap"' in body
    assert "Эти результаты могут не отвечать на ваш вопрос." in body
    link = reverse("portal:appeal_new") + "?text=" + quote(query)
    assert link in body
    # and the appeal form it opens starts the question with the citizen's words
    form = russian_client().get(link).context["form"]
    assert form["text"].value() == query


def test_a_good_search_has_no_knowledge_gap_notice(published_services) -> None:
    # when
    response = russian_client().get(reverse("portal:search"), {"q": "водительское удостоверение"})
    # then
    assert response.context["results"] and not response.context["is_gap"]
    assert 'data-testid="search-gap"' not in response.content.decode()


def test_a_search_with_no_results_is_recorded_as_a_knowledge_gap_of_the_portal(published_services) -> None:
    # when
    Client().get(reverse("portal:search"), {"q": "космодром байқоңыр"})
    # then
    gap = SearchGap.objects.get()
    assert (gap.channel, gap.language, gap.count) == ("portal", "kk", 1)


def test_suggestions_while_typing_are_not_recorded_as_gaps(published_services) -> None:
    # when
    Client().get(reverse("portal:suggest"), {"q": "космодром"})
    # then
    assert not SearchGap.objects.exists()


def test_a_too_long_query_gets_a_clear_message(published_services) -> None:
    # when
    response = russian_client().get(reverse("portal:search"), {"q": "паспорт " * 60})
    # then
    assert response.status_code == 200
    assert "Запрос слишком длинный" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE knowledge_article; --",
        "1' OR '1'='1",
        "паспорт\x00",
        "\x00\x00",
        "🙂 ‏test‎",
        "\u200f\u202eжүргізуші\u200e",
        "😀😀😀",
        "%",
        "_",
        "*",
        '"',
        "title_ru:паспорт AND (body_ru:* OR",
        "водительское~2 +удостоверение -права",
        "а" * 10_000,
    ],
)
def test_hostile_queries_are_escaped_and_harmless(published_services, query) -> None:
    # when
    responses = [
        Client().get(reverse("portal:search"), {"q": query}),
        Client().get(reverse("portal:suggest"), {"q": query}),
    ]
    # then
    for response in responses:
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()
    assert Service.objects.count() == len(published_services)


# --- Category and service pages ---------------------------------------------------------------------


def test_category_page_lists_its_services(published_services) -> None:
    # given
    service = service_with_slug(published_services, DRIVING_LICENCE_SLUG)
    # when
    body = page(Client(), "portal:category", code=service.category.code)
    # then
    assert "Көлік және коммуникациялар" in body
    assert "Жүргізуші күәлігін алу" in body
    assert body.count('href="/services/') == 3


def test_unknown_category_is_404(published_services) -> None:
    # when
    response = Client().get(reverse("portal:category", kwargs={"code": "no-such-category"}))
    # then
    assert response.status_code == 404


def test_service_page_in_kazakh(published_services) -> None:
    # given
    service = service_with_slug(published_services, DRIVING_LICENCE_SLUG)
    # when
    body = page(Client(), "portal:service", slug=DRIVING_LICENCE_SLUG)
    # then
    assert "Жүргізуші күәлігін алу" in body
    assert "Ресми мәтін (egov.kz)" in body
    assert f'href="{service.url_kk}"' in body
    assert service.responsible_organisation.name_kk in body
    assert reverse("portal:appeal_new") + f"?service={DRIVING_LICENCE_SLUG}" in body
    assert "Осы қызмет туралы сұрау" in body
    assert 'data-testid="fallback-note"' not in body


def test_service_page_in_russian(published_services) -> None:
    # given
    service = service_with_slug(published_services, DRIVING_LICENCE_SLUG)
    # when
    body = page(russian_client(), "portal:service", slug=DRIVING_LICENCE_SLUG)
    # then
    assert "Получение водительских прав" in body
    assert "Результат оказания услуги" in body
    assert f'href="{service.url_ru}"' in body
    assert "Спросить об этой услуге" in body


def test_inferred_responsible_body_is_marked(published_services) -> None:
    # given
    service = service_with_slug(published_services, DRIVING_LICENCE_SLUG)
    assert service.responsible_origin == DataOrigin.INFERRED and service.responsible_organisation is not None
    # when
    body = page(Client(), "portal:service", slug=DRIVING_LICENCE_SLUG)
    # then
    assert 'data-testid="inferred"' in body


def test_confirmed_responsible_body_is_not_marked_inferred(published_services, editor) -> None:
    # given
    service = service_with_slug(published_services, DRIVING_LICENCE_SLUG)
    set_service_responsible_body(service=service, organisation=service.responsible_organisation, actor=editor)
    # when
    body = page(Client(), "portal:service", slug=DRIVING_LICENCE_SLUG)
    # then
    assert 'data-testid="inferred"' not in body


def test_a_page_missing_in_russian_is_shown_in_kazakh_with_a_note(real_services) -> None:
    # given: an article published in Kazakh only
    service = service_with_slug(real_services, DRIVING_LICENCE_SLUG)
    article = knowledge_services.create_article(slug="driving-licence", service=service, actor=None)
    publish(article, "kk", "Жүргізуші куәлігі", "Куәлікті ХҚКО-дан алуға болады.")
    # when
    body = page(russian_client(), "portal:service", slug=DRIVING_LICENCE_SLUG)
    # then
    assert "Эта страница пока недоступна на русском языке, она показана на казахском." in body
    assert "Жүргізуші куәлігі" in body
    assert "Текст написан центром" in body


def test_a_service_without_an_article_still_has_a_page(real_services) -> None:
    # when
    body = page(Client(), "portal:service", slug=DRIVING_LICENCE_SLUG)
    # then
    assert "Жүргізуші күәлігін алу" in body
    assert "Осы қызмет туралы сұрау" in body


def test_an_inactive_or_unknown_service_is_404(published_services) -> None:
    # given
    Service.objects.filter(slug=DRIVING_LICENCE_SLUG).update(is_active=False)
    # when
    responses = [
        Client().get(reverse("portal:service", kwargs={"slug": DRIVING_LICENCE_SLUG})),
        Client().get(reverse("portal:service", kwargs={"slug": "no-such-service"})),
    ]
    # then
    assert [response.status_code for response in responses] == [404, 404]


def test_an_article_without_a_service_has_its_own_page(db) -> None:
    # given
    article = knowledge_services.create_article(slug="call-center-hours", actor=None)
    publish(article, "kk", "Байланыс орталығының жұмыс уақыты", "Тәулік бойы жұмыс істейміз.")
    publish(article, "ru", "Режим работы контакт-центра", "Работаем круглосуточно.")
    # when
    kazakh = page(Client(), "portal:article", slug="call-center-hours")
    russian = page(russian_client(), "portal:article", slug="call-center-hours")
    # then
    assert "Тәулік бойы жұмыс істейміз." in kazakh
    assert "Работаем круглосуточно." in russian


def test_the_article_page_of_a_service_article_leads_to_the_service_page(published_services) -> None:
    # when
    response = Client().get(reverse("portal:article", kwargs={"slug": DRIVING_LICENCE_SLUG}))
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:service", kwargs={"slug": DRIVING_LICENCE_SLUG})
