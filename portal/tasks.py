"""Scheduled work of the portal. Tasks call a service and are safe to run twice."""

from celery import shared_task

from portal.complaint_drafts import remove_abandoned_drafts


@shared_task
def remove_abandoned_complaint_drafts() -> int:
    """Removes the files of complaint drafts nobody signed within POLICY COMPLAINT_DRAFT_KEEP_HOURS; how many went."""
    return remove_abandoned_drafts()
