"""Scheduled and queued work of the recordings archive. Tasks take ids, call a service, and are safe to run twice."""

from celery import shared_task
from django.conf import settings

from core.tasks import MAIL_RETRY

from . import notifications, regulator_requests, services
from .models import RecordingRequest


@shared_task
def verify_recordings() -> int:
    """Checks the recordings verified longest ago against their SHA-256; returns how many were found broken."""
    return services.verify_due_recordings(limit=settings.RECORDINGS_VERIFY_BATCH)


@shared_task
def apply_retention() -> int:
    """Deletes the files of recordings past their retention period (never held ones)."""
    return services.apply_retention()


@shared_task
def ingest_watched_folder() -> int:
    """Takes in the recordings an external PBX dropped in RECORDINGS_WATCH_DIR; returns how many were stored."""
    if not settings.RECORDINGS_WATCH_DIR:
        return 0
    from .watched_folder import ingest_folder

    return ingest_folder(settings.RECORDINGS_WATCH_DIR).stored


@shared_task
def check_request_matches(request_id: int) -> int:
    """Checks a new request's matched files against their SHA-256 (alerts on broken ones)."""
    return regulator_requests.check_request_matches(request_id=request_id)


@shared_task(acks_late=True)
def build_request_package(request_id: int) -> str:
    """Writes a confirmed request's export package; a package already built is left as it is."""
    return regulator_requests.build_package(request_id=request_id).status


@shared_task
def watch_request_deadlines() -> dict[str, int]:
    """Reminders before each open request's deadline, and an alert when one is missed."""
    return regulator_requests.watch_deadlines()


@shared_task(**MAIL_RETRY)
def notify_request(request_id: int, event: str) -> bool:
    request = RecordingRequest.objects.select_related("filed_by", "requesting_body").get(pk=request_id)
    message = notifications.request_message(request, event)
    if message is None:
        return False
    message.send()
    return True
