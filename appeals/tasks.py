"""Background work of the registry. Tasks take ids, call a service, and are safe to run twice."""

from smtplib import SMTPException

from celery import shared_task

from appeals import services

# Mail servers go away for a while; retry with growing pauses (about an hour in all).
_MAIL_RETRY = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(**_MAIL_RETRY)
def send_acknowledgement(appeal_id: int) -> bool:
    """The registration number and tracking link to the citizen (clause 8); sent once."""
    return services.deliver_acknowledgement(appeal_id=appeal_id)


@shared_task(**_MAIL_RETRY)
def send_answer(appeal_id: int, answered_event_id: int) -> bool:
    """The consultant's answer to a web or e-mail appeal; sent once per answer."""
    return services.deliver_answer(appeal_id=appeal_id, answered_event_id=answered_event_id)
