from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEvent
from knowledge import services
from knowledge.choices import ContentOrigin, VersionState
from knowledge.models import ArticleTranslation, ArticleVersion
from knowledge.search import fold_for_search

pytestmark = pytest.mark.django_db


def draft(article, actor, *, language="kk", title="Жеке куәлік", body="Мәтін"):
    return services.save_draft(
        article=article, language=language, title=title, body=body, content_origin=ContentOrigin.WRITTEN, actor=actor
    )


# --- Versioning ----------------------------------------------------------------------------------------


def test_versions_are_numbered_per_language_and_based_on_the_published_one(article, editor):
    # given the article published as version 1 in each language
    published_kk = article.translations.get(language="kk").published_version
    # when the editor saves two drafts in Kazakh and one in Russian
    first = draft(article, editor)
    second = draft(article, editor, body="Екінші мәтін")
    russian = draft(article, editor, language="ru", title="Удостоверение", body="Текст")
    # then numbers continue per language and each is based on the published version
    assert (first.number, second.number, russian.number) == (2, 3, 2)
    assert first.based_on == published_kk and second.based_on == published_kk
    assert russian.based_on == article.translations.get(language="ru").published_version


def test_a_new_draft_supersedes_the_same_authors_earlier_draft_only(article, editor, officer):
    # given a draft by the officer and one by the editor
    officers_draft = draft(article, officer)
    editors_draft = draft(article, editor)
    # when the editor saves again
    draft(article, editor, body="Түзетілген мәтін")
    # then only the editor's earlier draft is superseded
    editors_draft.refresh_from_db()
    officers_draft.refresh_from_db()
    assert editors_draft.state == VersionState.SUPERSEDED
    assert officers_draft.state == VersionState.DRAFT


def test_the_first_version_of_a_language_has_no_base(editor, organisation):
    # given a new article
    article = services.create_article(slug="new-article", organisations=[organisation], actor=editor)
    # when the first draft is saved
    version = draft(article, editor)
    # then it is version 1 without a base
    assert version.number == 1 and version.based_on is None and version.state == VersionState.DRAFT


def test_publishing_supersedes_the_previous_published_version(article, editor):
    # given a new draft
    previous = article.translations.get(language="kk").published_version
    version = draft(article, editor, title="Жаңа атау", body="Жаңа мәтін")
    # when it is published
    services.publish_version(version=version, actor=editor, note="OK")
    # then it is the published one and the previous one is superseded
    previous.refresh_from_db()
    version.refresh_from_db()
    assert previous.state == VersionState.SUPERSEDED
    assert version.state == VersionState.PUBLISHED and version.reviewed_by == editor and version.review_note == "OK"
    assert ArticleVersion.objects.filter(article=article, language="kk", state=VersionState.PUBLISHED).count() == 1


def test_publishing_updates_translation_search_text_and_review_due(article, editor, settings):
    # given a review interval of 30 days and a new draft
    settings.POLICY = {**settings.POLICY, "ARTICLE_REVIEW_INTERVAL_DAYS": 30}
    version = draft(article, editor, title="Жеке куәлікті ауыстыру", body="ХҚКО-ға өтініш беріңіз.")
    # when it is published
    services.publish_version(version=version, actor=editor)
    # then readers see the new text, search finds it folded, and the review is due in 30 days
    translation = ArticleTranslation.objects.get(article=article, language="kk")
    assert translation.title == "Жеке куәлікті ауыстыру"
    assert translation.published_version == version
    assert translation.content_origin == ContentOrigin.WRITTEN
    assert translation.search_text == fold_for_search("Жеке куәлікті ауыстыру\nХҚКО-ға өтініш беріңіз.")
    assert "куаликти" in translation.search_text
    article.refresh_from_db()
    assert article.review_due == timezone.localdate() + timedelta(days=30)


def test_publishing_queues_the_search_index_refresh(article, editor, django_capture_on_commit_callbacks):
    # given a draft
    version = draft(article, editor)
    # when it is published
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.publish_version(version=version, actor=editor)
    # then one follow-up is queued after commit
    assert len(callbacks) == 1


# --- Workflow and who may do what ----------------------------------------------------------------------


def test_officer_of_the_articles_organisation_drafts_and_submits(article, officer):
    # given the officer of the article's organisation
    # when they draft and submit
    version = services.submit_for_review(version=draft(article, officer), actor=officer)
    # then the version waits for review
    assert version.state == VersionState.IN_REVIEW and version.submitted_at is not None
    assert version.author == officer


def test_officer_may_not_publish(article, officer):
    # given the officer's draft in review
    version = services.submit_for_review(version=draft(article, officer), actor=officer)
    # when the officer tries to publish it
    # then it is refused
    with pytest.raises(PermissionDenied):
        services.publish_version(version=version, actor=officer)


def test_officer_of_another_organisation_gets_not_found(article, outsider):
    # given an officer of another organisation
    # when they try to draft for this article
    # then the article does not exist for them
    with pytest.raises(Http404):
        draft(article, outsider)


def test_outsider_cannot_submit_or_publish_others_versions(article, editor, outsider):
    version = draft(article, editor)
    with pytest.raises(Http404):
        services.submit_for_review(version=version, actor=outsider)
    with pytest.raises(Http404):
        services.publish_version(version=version, actor=outsider)


@pytest.mark.parametrize("reader", ["consultant", "supervisor", "regulator", "integration"])
def test_readers_cannot_edit(article, reader, request):
    # given a member of staff who only reads
    user = request.getfixturevalue(reader)
    # when they try to draft
    # then it is refused
    with pytest.raises(PermissionDenied):
        draft(article, user)


def test_return_to_author_needs_a_note(article, editor, officer):
    # given a version in review
    version = services.submit_for_review(version=draft(article, officer), actor=officer)
    # when the editor returns it without a note
    # then it is refused
    with pytest.raises(ValidationError) as error:
        services.return_to_author(version=version, actor=editor, note="   ")
    assert "note" in error.value.message_dict
    # and with a note it is returned
    returned = services.return_to_author(version=version, actor=editor, note="Мерзімді көрсетіңіз.")
    assert returned.state == VersionState.REJECTED and returned.review_note == "Мерзімді көрсетіңіз."


def test_a_returned_version_cannot_be_published_or_resubmitted(article, editor, officer):
    version = services.submit_for_review(version=draft(article, officer), actor=officer)
    services.return_to_author(version=version, actor=editor, note="Толықтырыңыз")
    with pytest.raises(ValidationError):
        services.publish_version(version=version, actor=editor)
    with pytest.raises(ValidationError):
        services.submit_for_review(version=version, actor=officer)


def test_officer_creating_an_article_gets_their_organisation_linked(officer, organisation):
    # when an officer creates an article without naming organisations
    article = services.create_article(slug="akimat-info", organisations=[], actor=officer)
    # then their organisation is linked, so they can keep it current
    assert list(article.organisations.all()) == [organisation]


def test_consultant_cannot_create_articles(consultant):
    with pytest.raises(PermissionDenied):
        services.create_article(slug="x-article", actor=consultant)


def test_archived_article_refuses_drafts(article, editor):
    # given an archived article
    services.archive_article(article=article, actor=editor)
    # when a draft is saved
    # then it is refused with a clear message
    with pytest.raises(ValidationError) as error:
        draft(article, editor)
    assert "article" in error.value.message_dict


def test_officer_cannot_archive_or_set_review_due(article, officer):
    with pytest.raises(PermissionDenied):
        services.archive_article(article=article, actor=officer)
    with pytest.raises(PermissionDenied):
        services.set_review_due(article=article, review_due=timezone.localdate(), actor=officer)


def test_set_review_due(article, editor):
    due = timezone.localdate() + timedelta(days=10)
    services.set_review_due(article=article, review_due=due, actor=editor)
    article.refresh_from_db()
    assert article.review_due == due
    with pytest.raises(ValidationError):
        services.set_review_due(article=article, review_due=timezone.localdate() - timedelta(days=1), actor=editor)


def test_every_write_is_audited(editor, organisation):
    # when an article goes through its life
    article = services.create_article(slug="audited", organisations=[organisation], actor=editor)
    version = services.submit_for_review(version=draft(article, editor), actor=editor)
    services.publish_version(version=version, actor=editor)
    services.set_review_due(article=article, review_due=timezone.localdate(), actor=editor)
    services.archive_article(article=article, actor=editor)
    # then each step is in the audit log under the editor's name
    actions = list(AuditEvent.objects.filter(actor=editor).values_list("action", flat=True))
    for action in (
        "article_created",
        "draft_saved",
        "version_submitted",
        "version_published",
        "review_due_set",
        "article_archived",
    ):
        assert f"knowledge.{action}" in actions


# --- Validation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("", "Мәтін", "title"),
        ("x" * 501, "Мәтін", "title"),
        ("Атау", "   ", "body"),
        ("Атау", "x" * 100_001, "body"),
        ("Ата\x00у", "Мәтін", "title"),
        ("Атау", "Мә\x00тін", "body"),
        ("Бір\nекі", "Мәтін", "title"),
    ],
)
def test_bad_text_is_refused_with_a_field_message(article, editor, title, body, field):
    with pytest.raises(ValidationError) as error:
        draft(article, editor, title=title, body=body)
    assert field in error.value.message_dict


def test_nul_message_is_clear(article, editor):
    with pytest.raises(ValidationError) as error:
        draft(article, editor, body="a\x00b")
    assert "NUL" in error.value.message_dict["body"][0]


def test_limits_are_inclusive_and_odd_text_is_kept(article, editor):
    # given text at the limits, with markup, SQL, emoji and an RTL mark
    prefix = "<script>alert(1)</script> ' OR 1=1; -- 😀 \u200f"
    body = prefix + "ы" * (100_000 - len(prefix))
    version = draft(article, editor, title="x" * 500, body=body)
    # then it is stored as written
    assert version.title == "x" * 500 and version.body == body.strip()


@pytest.mark.parametrize("bad", [{"language": "en"}, {"content_origin": "copied"}])
def test_unknown_language_or_origin_is_refused(article, editor, bad):
    arguments = {"language": "kk", "title": "Атау", "body": "Мәтін", "content_origin": "written", **bad}
    with pytest.raises(ValidationError) as error:
        services.save_draft(article=article, actor=editor, **arguments)
    assert next(iter(bad)) in error.value.message_dict


@pytest.mark.parametrize("slug", ["", "with space", "қазақ", "x" * 121, "new", "passport-loss"])
def test_bad_or_taken_slugs_are_refused(article, editor, slug):
    with pytest.raises(ValidationError) as error:
        services.create_article(slug=slug, actor=editor)
    assert "slug" in error.value.message_dict
