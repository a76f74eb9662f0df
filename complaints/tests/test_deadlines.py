"""Clause 12 clocks: counted in Kazakhstan's working days; reminders before the end, escalation after, each once."""

from __future__ import annotations

from datetime import date, timedelta
from email.header import decode_header, make_header

import holidays
import pytest
from django.utils import timezone

from audit.models import AuditEvent
from complaints.choices import ComplaintEventKind
from complaints.deadlines import review_due
from complaints.services import file_complaint, pass_on, watch_complaint_deadlines
from complaints.tests.helpers import almaty, draft, signed_cms

pytestmark = [pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning")]


def test_independence_day_2026_is_a_holiday_in_the_calendar_used() -> None:
    # given/then: the check the holiday test below rests on
    calendar = holidays.country_holidays("KZ", years=2026)
    assert date(2026, 12, 16) in calendar
    assert date(2026, 12, 17) not in calendar  # a Thursday, a working day in this calendar


def test_the_period_skips_independence_day() -> None:
    # when filed on Tuesday 15 December 2026, the day before Independence Day
    due = review_due(filed_at=almaty(2026, 12, 15, 10, 0), kind="service_order")
    # then five working days: 17, 18, 21, 22, 23 December (16th a holiday, 19-20th a weekend)
    assert due == almaty(2026, 12, 23, 18, 0)


@pytest.mark.django_db
def test_a_complaint_filed_before_the_holiday_is_due_after_it_and_the_citizen_is_told(  # type: ignore[no-untyped-def]
    pki, eds_dirs, passport_service, smtp_inbox, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    # given the platform's clock on 15 December 2026 (the signature is still checked against the real time)
    monkeypatch.setattr(timezone, "now", lambda: almaty(2026, 12, 15, 10, 0))
    document, signature = signed_cms(pki.sign, draft(email="aru@example.kz"))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file_complaint(document=document, signature=signature).complaint
    # then
    assert complaint is not None
    assert complaint.filed_at == almaty(2026, 12, 15, 10, 0)
    assert complaint.due_at == almaty(2026, 12, 23, 18, 0)
    message = next(m for m in smtp_inbox.wait_for(1) if m["To"] == "aru@example.kz")
    assert "23.12.2026 18:00" in message.get_payload(decode=True).decode()


@pytest.fixture
def reachable(officer, outsider, supervisor):  # type: ignore[no-untyped-def]
    for user, address in ((officer, "erlan@mvd.gov.kz"), (outsider, "farida@mz.gov.kz"), (supervisor, "bolat@1414.kz")):
        user.email = address
        user.save(update_fields=["email"])
    return officer, outsider, supervisor


def _recipients(inbox) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(rcpt for _sender, rcpts in inbox.envelopes for rcpt in rcpts)


@pytest.mark.django_db
def test_a_reminder_goes_to_the_bodys_officers_once(  # type: ignore[no-untyped-def]
    file_signed, passport_service, reachable, smtp_inbox, django_capture_on_commit_callbacks
) -> None:
    # given a complaint a day before its due time
    complaint = file_signed()
    smtp_inbox.clear()
    before = complaint.due_at - timedelta(hours=23)
    # when the watcher runs twice
    with django_capture_on_commit_callbacks(execute=True):
        first = watch_complaint_deadlines(now=before)
        second = watch_complaint_deadlines(now=before + timedelta(minutes=1))
    # then one reminder, to the officers of the body it went to only
    assert first == {"reminders": 1, "escalations": 0}
    assert second == {"reminders": 0, "escalations": 0}
    smtp_inbox.wait_for(1)
    assert _recipients(smtp_inbox) == ["erlan@mvd.gov.kz"]
    assert complaint.events.filter(kind=ComplaintEventKind.REMINDER).count() == 1


@pytest.mark.django_db
def test_nothing_is_sent_before_the_reminder_hours(file_signed, passport_service, reachable) -> None:  # type: ignore[no-untyped-def]
    complaint = file_signed()
    assert watch_complaint_deadlines(now=complaint.due_at - timedelta(hours=25)) == {"reminders": 0, "escalations": 0}


@pytest.mark.django_db
def test_an_overdue_complaint_is_escalated_to_supervisors_once(  # type: ignore[no-untyped-def]
    file_signed, passport_service, reachable, smtp_inbox, django_capture_on_commit_callbacks
) -> None:
    # given
    complaint = file_signed()
    smtp_inbox.clear()
    after = complaint.due_at + timedelta(hours=1)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        first = watch_complaint_deadlines(now=after)
        second = watch_complaint_deadlines(now=after + timedelta(hours=1))
    # then
    assert first == {"reminders": 0, "escalations": 1} and second == {"reminders": 0, "escalations": 0}
    smtp_inbox.wait_for(1)
    assert _recipients(smtp_inbox) == ["bolat@1414.kz"]
    assert complaint.number in str(make_header(decode_header(smtp_inbox.messages[0]["Subject"])))
    assert AuditEvent.objects.filter(action="complaints.overdue", object_id=str(complaint.pk)).count() == 1


@pytest.mark.django_db
def test_an_answered_complaint_is_not_reminded(file_signed, passport_service, officer) -> None:  # type: ignore[no-untyped-def]
    from complaints.services import answer_complaint

    complaint = file_signed()
    answer_complaint(complaint=complaint, officer=officer, answer="Паспорт дайын.")
    assert watch_complaint_deadlines(now=complaint.due_at + timedelta(hours=1)) == {"reminders": 0, "escalations": 0}


@pytest.mark.django_db
def test_passing_on_keeps_the_statutory_due_date_and_the_new_body_is_reminded(  # type: ignore[no-untyped-def]
    file_signed, passport_service, reachable, other_organisation
) -> None:
    # given a complaint whose first body was already reminded
    officer, _outsider, _supervisor = reachable
    complaint = file_signed()
    due = complaint.due_at
    watch_complaint_deadlines(now=due - timedelta(hours=2))
    # when
    pass_on(complaint=complaint, officer=officer, to_organisation=other_organisation, reason="Біздің құзыретте емес.")
    # then
    complaint.refresh_from_db()
    assert complaint.due_at == due and complaint.routed_to == other_organisation and complaint.reminders_sent == 0
    assert watch_complaint_deadlines(now=due - timedelta(hours=1)) == {"reminders": 1, "escalations": 0}
