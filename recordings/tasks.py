"""Scheduled work of the recordings archive. Tasks call a service; safe to run twice."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task
def verify_recordings() -> int:
    """Checks the recordings verified longest ago against their SHA-256; returns how many were found broken."""
    return services.verify_due_recordings(limit=settings.RECORDINGS_VERIFY_BATCH)


@shared_task
def apply_retention() -> int:
    """Deletes the files of recordings past their retention period (never held ones)."""
    return services.apply_retention()
