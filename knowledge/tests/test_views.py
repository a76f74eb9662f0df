"""Every knowledge page for every role: anonymous, wrong role, right role, other organisation's object."""

import pytest
from django.test import Client
from django.urls import reverse

from knowledge import services
from knowledge.choices import VersionState
from knowledge.models import ArticleTranslation, ArticleVersion

pytestmark = pytest.mark.django_db

READERS = ["consultant", "supervisor", "editor", "officer", "regulator", "administrator"]
AUTHORS = ["editor", "officer", "administrator"]
REVIEWERS = ["editor", "administrator"]
PANEL = ["consultant", "supervisor", "administrator", "officer", "editor"]


def logged_in(request, name):
    client = Client()
    client.force_login(request.getfixturevalue(name))
    return client


@pytest.fixture
def draft(article, officer):
    return services.save_draft(
        article=article,
        language="kk",
        title="Жеке куәлікті жоғалту",
        body="Жаңа мәтін: ХҚКО-ға барыңыз.",
        content_origin="written",
        actor=officer,
    )


@pytest.fixture
def other_draft(other_article, editor):
    return services.save_draft(
        article=other_article,
        language="ru",
        title="Прививки",
        body="Новый текст",
        content_origin="written",
        actor=editor,
    )


def reader_urls(article, draft):
    return [
        reverse("knowledge:article_list"),
        reverse("knowledge:article_detail", args=[article.slug]),
        reverse("knowledge:version_detail", args=[draft.pk]),
        reverse("knowledge:quality"),
    ]


# --- Anonymous and integration -------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_everywhere(client, article, draft):
    urls = [
        *reader_urls(article, draft),
        reverse("knowledge:article_create"),
        reverse("knowledge:article_edit", args=[article.slug]),
        reverse("knowledge:review_queue"),
        reverse("knowledge:search_panel"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_integration_account_is_refused_every_page(request, article, draft):
    client = logged_in(request, "integration")
    for url in [*reader_urls(article, draft), reverse("knowledge:search_panel"), reverse("knowledge:review_queue")]:
        assert client.get(url).status_code == 403, url


# --- Reading -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_readers_see_list_detail_version_and_quality(request, role, article, draft):
    client = logged_in(request, role)
    for url in reader_urls(article, draft):
        assert client.get(url).status_code == 200, url


def test_detail_shows_both_languages_kazakh_first_with_the_origin(consultant_client, article):
    response = consultant_client.get(reverse("knowledge:article_detail", args=[article.slug]))
    html = response.content.decode()
    assert html.index('data-testid="translation-kk"') < html.index('data-testid="translation-ru"')
    assert "Жеке куәлік жоғалса" in html and "При утере удостоверения" in html
    assert 'data-testid="origin-written"' in html


def test_list_searches_and_filters(consultant_client, article, other_article):
    url = reverse("knowledge:article_list")
    # search, with the Kazakh letters typed plainly
    html = consultant_client.get(url, {"q": "куалик"}).content.decode()
    assert article.slug in html and other_article.slug not in html
    # missing Kazakh translation
    html = consultant_client.get(url, {"missing": "kk"}).content.decode()
    assert other_article.slug in html and article.slug not in html


def test_list_filter_pending_review_and_htmx_partial(consultant_client, officer, article, other_article, draft):
    services.submit_for_review(version=draft, actor=officer)
    url = reverse("knowledge:article_list")
    response = consultant_client.get(url, {"pending_review": "on"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and article.slug in html and other_article.slug not in html


def test_bad_list_input_is_not_an_error(consultant_client, article):
    url = reverse("knowledge:article_list")
    for params in (
        {"q": "\x00"},
        {"q": "x" * 5000},
        {"category": "abc"},
        {"missing": "en"},
        {"page": "-1"},
        {"q": "<script>alert(1)</script>"},
    ):
        response = consultant_client.get(url, params)
        assert response.status_code == 200, params
        assert b"<script>alert(1)" not in response.content


def test_archived_article_is_hidden_from_readers_but_not_from_editors(
    consultant_client, editor_client, editor, article
):
    services.archive_article(article=article, actor=editor)
    url = reverse("knowledge:article_detail", args=[article.slug])
    assert consultant_client.get(url).status_code == 404
    assert editor_client.get(url).status_code == 200


def test_versions_of_another_organisations_article_are_not_found_for_an_officer(
    outsider_client, officer_client, article, draft
):
    url = reverse("knowledge:version_detail", args=[draft.pk])
    assert outsider_client.get(url).status_code == 404
    assert officer_client.get(url).status_code == 200
    # the article itself is public knowledge, but its unpublished edits are not listed to the outsider
    html = outsider_client.get(reverse("knowledge:article_detail", args=[article.slug])).content.decode()
    assert reverse("knowledge:version_detail", args=[draft.pk]) not in html


def test_version_page_shows_the_diff(consultant_client, draft):
    html = consultant_client.get(reverse("knowledge:version_detail", args=[draft.pk])).content.decode()
    assert 'data-testid="diff"' in html and '<ins class="diff_add">' in html


# --- Creating and editing ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", AUTHORS)
def test_authors_open_the_create_page(request, role):
    assert logged_in(request, role).get(reverse("knowledge:article_create")).status_code == 200


@pytest.mark.parametrize("role", ["consultant", "supervisor", "regulator"])
def test_readers_cannot_create_or_edit(request, role, article):
    client = logged_in(request, role)
    assert client.get(reverse("knowledge:article_create")).status_code == 403
    assert client.get(reverse("knowledge:article_edit", args=[article.slug])).status_code == 403
    assert client.post(reverse("knowledge:article_edit", args=[article.slug]), {}).status_code == 403


def test_create_then_edit_saves_a_draft(editor_client, organisation):
    response = editor_client.post(
        reverse("knowledge:article_create"), {"slug": "new-service", "organisations": [organisation.pk]}
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "knowledge:article_edit", args=["new-service"]
    )
    response = editor_client.post(
        reverse("knowledge:article_edit", args=["new-service"]) + "?language=ru",
        {"language": "ru", "title": "Новая услуга", "body": "Текст", "content_origin": "written"},
    )
    version = ArticleVersion.objects.get(article__slug="new-service")
    assert response.status_code == 302 and response["Location"] == reverse(
        "knowledge:version_detail", args=[version.pk]
    )
    assert (version.language, version.number, version.state) == ("ru", 1, VersionState.DRAFT)


def test_create_with_a_taken_or_bad_slug_shows_the_error(editor_client, article):
    for slug in (article.slug, "with space", "new"):
        response = editor_client.post(reverse("knowledge:article_create"), {"slug": slug})
        assert response.status_code == 200 and b"errorlist" in response.content, slug


def test_officer_edits_own_organisations_article_and_not_others(officer_client, article, other_article):
    assert officer_client.get(reverse("knowledge:article_edit", args=[article.slug])).status_code == 200
    assert officer_client.get(reverse("knowledge:article_edit", args=[other_article.slug])).status_code == 404
    response = officer_client.post(
        reverse("knowledge:article_edit", args=[other_article.slug]),
        {"language": "ru", "title": "x", "body": "y", "content_origin": "written"},
    )
    assert response.status_code == 404


def test_edit_form_starts_from_the_latest_version(officer_client, article, draft):
    html = officer_client.get(reverse("knowledge:article_edit", args=[article.slug]) + "?language=kk").content
    assert "Жаңа мәтін: ХҚКО-ға барыңыз." in html.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "body": "Мәтін"}, "title"),
        ({"title": "Атау", "body": ""}, "body"),
        ({"title": "Атау", "body": "a\x00b"}, "body"),
        ({"title": "x" * 501, "body": "Мәтін"}, "title"),
        ({"title": "Атау", "body": "ы" * 100_001}, "body"),
    ],
)
def test_bad_drafts_show_field_errors(editor_client, article, data, field):
    response = editor_client.post(
        reverse("knowledge:article_edit", args=[article.slug]),
        {"language": "kk", "content_origin": "written", **data},
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert ArticleVersion.objects.filter(article=article).count() == 2


# --- Review actions -------------------------------------------------------------------------------------


def test_officer_submits_own_draft_outsider_gets_404_consultant_403(
    officer_client, outsider_client, consultant_client, draft
):
    url = reverse("knowledge:version_submit", args=[draft.pk])
    assert consultant_client.post(url).status_code == 403
    assert outsider_client.post(url).status_code == 404
    assert officer_client.post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.state == VersionState.IN_REVIEW


def test_officer_cannot_publish(officer_client, draft):
    assert officer_client.post(reverse("knowledge:version_publish", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.state == VersionState.DRAFT


def test_editor_publishes_with_htmx_and_readers_see_it(editor_client, draft, article):
    response = editor_client.post(
        reverse("knowledge:version_publish", args=[draft.pk]), {"note": "Дұрыс"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and b'data-testid="version-actions"' in response.content
    assert b"<html" not in response.content
    assert ArticleTranslation.objects.get(article=article, language="kk").body == draft.body


def test_return_needs_a_note(editor_client, officer, draft):
    services.submit_for_review(version=draft, actor=officer)
    url = reverse("knowledge:version_return", args=[draft.pk])
    response = editor_client.post(url, {"note": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"errorlist" in response.content
    draft.refresh_from_db()
    assert draft.state == VersionState.IN_REVIEW
    editor_client.post(url, {"note": "Мерзімін нақтылаңыз"})
    draft.refresh_from_db()
    assert draft.state == VersionState.REJECTED and draft.review_note == "Мерзімін нақтылаңыз"


def test_publishing_twice_gives_a_message_not_an_error(editor_client, draft):
    url = reverse("knowledge:version_publish", args=[draft.pk])
    editor_client.post(url)
    response = editor_client.post(url, follow=True)
    assert response.status_code == 200
    assert any("not possible" in str(message) or "мүмкін" in str(message) for message in response.context["messages"])


def test_review_actions_on_another_organisations_version_are_404_for_officers(outsider_client, draft):
    assert outsider_client.post(reverse("knowledge:version_submit", args=[draft.pk])).status_code == 404


def test_anonymous_actions_redirect(client, draft):
    for name in ("version_submit", "version_publish", "version_return"):
        response = client.post(reverse(f"knowledge:{name}", args=[draft.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_actions_refuse_get(editor_client, draft):
    assert editor_client.get(reverse("knowledge:version_publish", args=[draft.pk])).status_code == 405


@pytest.mark.parametrize("role", REVIEWERS)
def test_review_queue_lists_versions_in_review(request, role, officer, draft):
    services.submit_for_review(version=draft, actor=officer)
    html = logged_in(request, role).get(reverse("knowledge:review_queue")).content.decode()
    assert reverse("knowledge:version_detail", args=[draft.pk]) in html


@pytest.mark.parametrize("role", ["consultant", "supervisor", "officer", "regulator"])
def test_review_queue_is_for_reviewers(request, role):
    assert logged_in(request, role).get(reverse("knowledge:review_queue")).status_code == 403


def test_review_due_and_archive(editor_client, officer_client, article):
    due_url = reverse("knowledge:article_review_due", args=[article.slug])
    archive_url = reverse("knowledge:article_archive", args=[article.slug])
    assert officer_client.post(due_url, {"review_due": "2099-01-01"}).status_code == 403
    assert officer_client.post(archive_url).status_code == 403
    editor_client.post(due_url, {"review_due": "2099-01-01"})
    editor_client.post(due_url, {"review_due": "not a date"})
    article.refresh_from_db()
    assert article.review_due.isoformat() == "2099-01-01"
    editor_client.post(archive_url)
    article.refresh_from_db()
    assert article.is_archived


def test_unknown_objects_are_404(editor_client):
    assert editor_client.get(reverse("knowledge:article_detail", args=["nope"])).status_code == 404
    assert editor_client.get(reverse("knowledge:version_detail", args=[999999])).status_code == 404


# --- Quality page --------------------------------------------------------------------------------------


def test_quality_page_counts(regulator_client, article, other_article):
    html = regulator_client.get(reverse("knowledge:quality")).content.decode()
    assert 'data-testid="count-missing-1">1<' in html  # the vaccination article lacks Kazakh
    assert 'data-testid="count-overdue">0<' in html


# --- The consultant's search panel -----------------------------------------------------------------------


@pytest.mark.parametrize("role", PANEL)
def test_search_panel_returns_hits(request, role, article):
    response = logged_in(request, role).get(reverse("knowledge:search_panel"), {"q": "куәлік", "lang": "kk"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "<mark>куәлік</mark>" in html.lower() or "<mark>Куәлік</mark>" in html
    assert reverse("knowledge:article_detail", args=[article.slug]) in html
    assert "hx-post" not in html  # no appeal, no attach button


def test_search_panel_is_not_for_regulators(regulator_client):
    assert regulator_client.get(reverse("knowledge:search_panel"), {"q": "x"}).status_code == 403


def test_search_panel_bad_input(consultant_client, article):
    url = reverse("knowledge:search_panel")
    for params in ({"q": "x" * 1000}, {"q": "куәлік", "appeal": "abc"}, {"q": "\x00"}, {"lang": "en", "q": "a"}, {}):
        assert consultant_client.get(url, params).status_code == 200, params


def test_search_panel_offers_attach_when_an_appeal_is_given(consultant_client, article):
    attach_url = reverse("workspace:attach_article", args=[7, article.pk])
    html = consultant_client.get(reverse("knowledge:search_panel"), {"q": "куәлік", "appeal": "7"}).content.decode()
    assert f'hx-post="{attach_url}"' in html
