"""Reads of the recordings archive."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from core.phone import normalise_phone

from .models import Recording, RecordingQuerySet

# No call lasts a day: bounds the index range scanned for calls that began the day before.
LONGEST_CALL = timedelta(days=1)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start of `day` and of the next day in the center's time zone (Asia/Almaty)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def recordings_for(phone: str, day: date) -> RecordingQuerySet:
    """Recordings of calls from `phone` (any spelling) that took place, even in part, on `day` (local time).

    A call that crosses midnight belongs to both days. Raises ValidationError for a phone that is not one.
    Rows whose file was deleted under the retention policy are included (`deleted_at` tells them apart), so
    an answer to a request says honestly what existed.
    """
    e164 = normalise_phone(phone)
    start, end = local_day_bounds(day)
    return Recording.objects.filter(
        caller_phone=e164, started_at__gte=start - LONGEST_CALL, started_at__lt=end, ended_at__gt=start
    ).order_by("started_at", "pk")


def request_matches(phone: str, day: date) -> "QuerySet[Recording, tuple[int, datetime | None]]":
    """What a request links of `recordings_for(phone, day)`: each recording's id and when its file was deleted
    under the retention policy (None while it is kept), in the same order; nothing else is read or joined."""
    return recordings_for(phone, day).values_list("pk", "deleted_at")


def due_for_verification(limit: int) -> list[Recording]:
    """The integrity walk's next `limit` kept recordings: never checked first (oldest row first), then those
    checked longest ago. Two queries, each read in the order of `recordings_verify_due_idx`."""
    due = list(never_verified(limit))
    if len(due) < limit:
        due += verified_longest_ago(limit - len(due))
    return due


def never_verified(limit: int) -> RecordingQuerySet:
    # verified_at is NULL in every row; ordering by it too matches the index, so PostgreSQL reads no more than
    # `limit` of its entries instead of sorting every never-checked row
    return Recording.objects.kept().filter(verified_at__isnull=True).order_by("verified_at", "pk")[:limit]


def verified_longest_ago(limit: int) -> RecordingQuerySet:
    return Recording.objects.kept().filter(verified_at__isnull=False).order_by("verified_at", "pk")[:limit]
