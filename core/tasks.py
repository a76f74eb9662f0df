"""What every app's background work shares (no tasks of its own)."""

from smtplib import SMTPException
from typing import Any

# Mail servers go away for a while: a task that sends mail retries with growing pauses (about an hour in all).
MAIL_RETRY: dict[str, Any] = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 8,
}
