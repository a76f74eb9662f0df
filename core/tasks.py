"""What every app's background work shares (no tasks of its own)."""

from smtplib import SMTPException
from typing import Any

from django.db import InterfaceError, OperationalError

# Mail servers go away for a while: a task that sends mail retries with growing pauses (about an hour in all); so
# it does when the database does (a restart, or a deadlock it was chosen to break), as every such task claims its
# mail in the database first.
MAIL_RETRY: dict[str, Any] = {
    "autoretry_for": (SMTPException, OSError, OperationalError, InterfaceError),
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 8,
}
