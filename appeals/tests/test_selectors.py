"""Reads: filters, screen-pop history, tracking by number + contact."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from appeals.choices import Channel
from appeals.selectors import appeals_for, citizen_history, find_for_tracking
from appeals.services import refer_appeal, register_appeal, take_appeal

ALMATY = ZoneInfo("Asia/Almaty")


def _register(**values):  # type: ignore[no-untyped-def]
    defaults = {"channel": Channel.PHONE, "subject": "Сұрақ"}
    return register_appeal(**{**defaults, **values}).appeal


@pytest.mark.django_db
def test_filters_narrow_the_registry(consultant, service) -> None:
    # given
    by_phone = _register(phone="87011234567", service=service, received_at=datetime(2025, 5, 1, 9, tzinfo=ALMATY))
    by_mail = _register(
        channel=Channel.EMAIL, text="t", email="a@b.kz", received_at=datetime(2025, 5, 3, tzinfo=ALMATY)
    )
    take_appeal(appeal=by_mail, actor=consultant)
    # then
    assert list(appeals_for(consultant, {"phone": "+77011234567"})) == [by_phone]
    assert list(appeals_for(consultant, {"email": "a@b.kz"})) == [by_mail]
    assert list(appeals_for(consultant, {"service": service})) == [by_phone]
    assert list(appeals_for(consultant, {"channel": Channel.EMAIL})) == [by_mail]
    assert list(appeals_for(consultant, {"status": "in_work"})) == [by_mail]
    assert list(appeals_for(consultant, {"mine": True})) == [by_mail]
    assert list(appeals_for(consultant, {"number": by_phone.number[-3:]})) == [by_phone]
    assert list(appeals_for(consultant, {"received_from": date(2025, 5, 2)})) == [by_mail]
    assert list(appeals_for(consultant, {"received_to": date(2025, 5, 1)})) == [by_phone]


@pytest.mark.django_db
def test_officers_see_their_organisation_concerned_or_referred_to(
    consultant, officer, outsider, organisation, other_organisation
) -> None:
    # given
    concerned = _register(organisation=organisation)
    referred = _register()
    refer_appeal(appeal=referred, organisation=organisation, actor=consultant)
    _register(organisation=other_organisation)
    # then
    assert set(appeals_for(officer)) == {concerned, referred}
    assert list(appeals_for(outsider, {"organisation": organisation})) == []
    assert list(appeals_for(officer, {"organisation": organisation})) == [referred, concerned]


@pytest.mark.django_db
def test_regulators_and_editors_see_nothing(regulator, editor) -> None:
    _register()
    assert not appeals_for(regulator).exists() and not appeals_for(editor).exists()


@pytest.mark.django_db
def test_citizen_history_lists_earlier_appeals_from_the_same_contact(consultant, officer, organisation) -> None:
    # given
    first = _register(phone="8 701 111 22 33", received_at=datetime(2025, 1, 1, tzinfo=ALMATY))
    by_mail = _register(
        channel=Channel.EMAIL,
        text="t",
        email="x@y.kz",
        received_at=datetime(2025, 1, 2, tzinfo=ALMATY),
        organisation=organisation,
    )
    _register(phone="+7 701 999 99 99", received_at=datetime(2025, 1, 3, tzinfo=ALMATY))
    current = _register(
        phone="+77011112233", email="X@y.kz", received_at=datetime(2025, 2, 1, tzinfo=ALMATY), organisation=organisation
    )
    # then
    assert citizen_history(current, user=consultant) == [by_mail, first]
    assert citizen_history(current, user=officer) == [by_mail]
    assert citizen_history(first, user=consultant) == []


@pytest.mark.django_db
def test_tracking_needs_the_number_and_the_contact(appeal) -> None:
    assert find_for_tracking(appeal.number, "+7 (701) 123-45-67") == appeal
    assert find_for_tracking(appeal.number.lower(), "87011234567") == appeal
    assert find_for_tracking(f" {appeal.number} ", "AIGUL@example.KZ") == appeal
    assert find_for_tracking(appeal.number, "+77011234568") is None
    assert find_for_tracking(appeal.number, "other@example.kz") is None
    assert find_for_tracking(appeal.number, "") is None
    assert find_for_tracking(appeal.number, "<script>") is None
    assert find_for_tracking("2026-W-9999999", "87011234567") is None
    assert find_for_tracking("x" * 10_000, "87011234567") is None
