"""Background work of e-mail intake. Tasks take ids, call a service, and are safe to run twice."""

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError

from intake import services

# A database that restarts under a task: the task runs again once it is back (the message row keeps its state).
_DATABASE_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError, DatabaseError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 20,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@shared_task(**_DATABASE_RETRY)
def register_message_task(message_id: int) -> str:
    """Register one stored message (or join it to its appeal), with the others stored meanwhile when mail queues
    up (settings.INTAKE_REGISTRATION_BATCH); a second run, or the task of a message a batch took, finds it done.
    A broken kept connection is dropped before every task (config/celery.py)."""
    return services.register_stored(message_id=message_id)


@shared_task
def requeue_stored() -> int:
    """Safety net: stored messages whose task was lost are queued again."""
    return services.requeue_stored()


@shared_task(**_DATABASE_RETRY)
def poll_mailboxes() -> int:
    """Read every mailbox that has an IMAP account; returns how many messages were taken in."""
    from intake.email.imap import poll_all

    return poll_all()
