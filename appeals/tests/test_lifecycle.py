"""Take, answer, refer, close, reopen, attach: allowed moves work, the others are refused clearly."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from appeals.choices import AppealEventKind, AppealStatus
from appeals.services import (
    answer_appeal,
    attach_article,
    close_appeal,
    organisation_contacts,
    refer_appeal,
    reopen_appeal,
    take_appeal,
)
from audit.models import AuditEvent


@pytest.mark.django_db
def test_take_then_answer_sets_the_consultant_and_first_response(appeal, consultant, article) -> None:
    # when
    take_appeal(appeal=appeal, actor=consultant)
    answered = answer_appeal(appeal=appeal, answer="  Жауап \x00мәтіні ", actor=consultant, articles=[article])
    # then
    assert answered.status == AppealStatus.ANSWERED
    assert answered.assigned_to == consultant and answered.answered_by == consultant
    assert answered.answer == "Жауап мәтіні"
    assert answered.first_response_at is not None
    assert list(answered.articles.all()) == [article]
    kinds = list(answered.events.values_list("kind", flat=True))
    assert kinds == ["registered", "taken", "article_attached", "answered"]
    assert AuditEvent.objects.filter(action="appeal.answered", object_id=str(appeal.pk)).exists()


@pytest.mark.django_db
def test_an_answer_is_required(appeal, consultant) -> None:
    with pytest.raises(ValidationError) as caught:
        answer_appeal(appeal=appeal, answer=" \n ", actor=consultant)
    assert "answer" in caught.value.message_dict
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REGISTERED


@pytest.mark.django_db
def test_closed_appeal_cannot_be_answered_and_the_message_names_both_states(appeal, consultant) -> None:
    # given
    answer_appeal(appeal=appeal, answer="Жауап", actor=consultant)
    close_appeal(appeal=appeal, actor=consultant)
    # when
    with translation.override("ru"):
        with pytest.raises(ValidationError) as caught:
            answer_appeal(appeal=appeal, answer="Ещё", actor=consultant)
        message = caught.value.message_dict["status"][0]
    # then
    assert message == "Обращение в состоянии «Закрыто» нельзя перевести в состояние «Дан ответ»."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([], "close"),
        (["take"], "take"),
        (["answer", "close"], "reopen"),
        (["answer", "close"], "refer"),
        ([], "reopen"),
    ],
)
def test_moves_outside_the_lifecycle_are_refused(appeal, consultant, organisation, steps, refused) -> None:
    # given
    actions = {
        "take": lambda: take_appeal(appeal=appeal, actor=consultant),
        "answer": lambda: answer_appeal(appeal=appeal, answer="A", actor=consultant),
        "close": lambda: close_appeal(appeal=appeal, actor=consultant),
        "reopen": lambda: reopen_appeal(appeal=appeal, actor=consultant),
        "refer": lambda: refer_appeal(appeal=appeal, organisation=organisation, actor=consultant),
    }
    for step in steps:
        actions[step]()
    appeal.refresh_from_db()
    before = appeal.status
    # when / then
    with pytest.raises(ValidationError):
        actions[refused]()
    appeal.refresh_from_db()
    assert appeal.status == before


@pytest.mark.django_db
def test_reopen_an_answered_appeal_puts_it_back_in_work(appeal, consultant, supervisor) -> None:
    answer_appeal(appeal=appeal, answer="A", actor=consultant)
    reopened = reopen_appeal(appeal=appeal, actor=supervisor, note="The citizen called back")
    assert reopened.status == AppealStatus.IN_WORK and reopened.assigned_to == supervisor
    assert reopened.events.last().kind == AppealEventKind.REOPENED


@pytest.mark.django_db
def test_close_sets_closed_at(appeal, consultant) -> None:
    answer_appeal(appeal=appeal, answer="A", actor=consultant)
    closed = close_appeal(appeal=appeal, actor=consultant)
    assert closed.status == AppealStatus.CLOSED and closed.closed_at is not None


@pytest.mark.django_db
def test_referral_stores_the_directory_contacts_as_given(appeal, consultant, organisation) -> None:
    # when
    referred = refer_appeal(appeal=appeal, organisation=organisation, contacts="", note="Полиция", actor=consultant)
    organisation.phone = "+7 7172 00 00 00"
    organisation.save()
    # then
    referred.refresh_from_db()
    assert referred.status == AppealStatus.REFERRED
    assert referred.referral_organisation == organisation
    assert referred.first_response_at is not None
    lines = referred.referral_contacts.splitlines()
    assert lines[:2] == ["ҚР Ішкі істер министрлігі", "Министерство внутренних дел РК"]
    assert "+7 7172 72 24 24" in lines and "kense@mvd.gov.kz" in lines
    assert referred.events.last().note == "Полиция"


@pytest.mark.django_db
def test_referral_keeps_contacts_the_consultant_corrected(appeal, consultant, organisation) -> None:
    referred = refer_appeal(appeal=appeal, organisation=organisation, contacts="102", actor=consultant)
    assert referred.referral_contacts == "102"


@pytest.mark.django_db
def test_referral_needs_an_organisation(appeal, consultant) -> None:
    with pytest.raises(ValidationError) as caught:
        refer_appeal(appeal=appeal, organisation=None, actor=consultant)
    assert "organisation" in caught.value.message_dict


@pytest.mark.django_db
def test_organisation_contacts_kazakh_first(organisation) -> None:
    organisation.address_kk, organisation.address_ru = "Астана, Тәуелсіздік 1", "Астана, Тауелсиздик 1"
    text = organisation_contacts(organisation)
    assert text.index("Астана, Тәуелсіздік 1") < text.index("Астана, Тауелсиздик 1")
    assert text.index("ҚР Ішкі") < text.index("Министерство")


@pytest.mark.django_db
def test_attach_article_is_idempotent(appeal, consultant, article) -> None:
    assert attach_article(appeal=appeal, article=article, actor=consultant) is True
    assert attach_article(appeal=appeal, article=article, actor=consultant) is False
    assert appeal.articles.count() == 1
    assert appeal.events.filter(kind=AppealEventKind.ARTICLE_ATTACHED).count() == 1


@pytest.mark.django_db
def test_archived_article_is_refused(appeal, consultant, article) -> None:
    article.is_archived = True
    article.save()
    with pytest.raises(ValidationError):
        attach_article(appeal=appeal, article=article, actor=consultant)
