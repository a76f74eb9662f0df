"""Reads of the recordings archive."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

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
    return (
        Recording.objects.filter(
            caller_phone=e164, started_at__gte=start - LONGEST_CALL, started_at__lt=end, ended_at__gt=start
        )
        .select_related("call", "consultant")
        .order_by("started_at", "pk")
    )
