"""Statutory review periods (clause 12) counted in working days of Kazakhstan, in Asia/Almaty."""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone

from core.calendar import add_working_days
from core.policy import policy


def review_due(*, filed_at: datetime, kind: str) -> datetime:
    """The close of the last working day of the review period.

    A period counts from the day after registration (Civil Code art. 176), over working days only (weekends,
    holidays and moved days skipped), and ends when the body's working day closes (POLICY COMPLAINT_WORKDAY_ENDS_AT).
    """
    filed_day = timezone.localtime(filed_at).date()
    due_day = add_working_days(filed_day, int(policy("COMPLAINT_REVIEW_WORKING_DAYS")[kind]))
    closes_at = time.fromisoformat(str(policy("COMPLAINT_WORKDAY_ENDS_AT")))
    return timezone.make_aware(datetime.combine(due_day, closes_at), timezone.get_current_timezone())
