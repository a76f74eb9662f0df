"""Commands to the edge holding a call: stored first, sent after commit, signed, retried, idempotent at the edge."""

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .choices import CommandStatus, CommandType
from .models import Call, TelephonyCommand
from .signing import signed_headers

logger = logging.getLogger(__name__)


def issue(*, call: Call, type: str, data: dict[str, Any]) -> TelephonyCommand:
    """Store a command for the call's edge; it is sent once the surrounding transaction commits."""
    command = TelephonyCommand.objects.create(call=call, type=type, data=data)
    transaction.on_commit(lambda: _send_later(command.pk))
    return command


def _send_later(command_id: int) -> None:
    from .tasks import deliver_command

    deliver_command.delay(command_id)


def deliver(*, command_id: int) -> str:
    """Send one command; retries briefly on connection errors and 5xx, then gives up and says so."""
    command = TelephonyCommand.objects.select_related("call__edge").get(pk=command_id)
    if command.status != CommandStatus.PENDING:
        return command.status
    pauses = settings.TELEPHONY_COMMAND_RETRY_PAUSES
    for attempt, pause in enumerate([0.0, *pauses], start=1):
        time.sleep(pause)
        status, error = _post(command)
        if status is not None:
            return _finish(command, status, attempts=attempt, error=error)
    return _finish(command, CommandStatus.FAILED, attempts=len(pauses) + 1, error=error)


def _post(command: TelephonyCommand) -> tuple[str | None, str]:
    """Returns (final status, error); (None, error) when the attempt should be repeated."""
    call = command.call
    if not call.control_url.startswith(("http://", "https://")):
        return CommandStatus.FAILED, "the call has no http(s) control address"
    body = json.dumps(_payload(command)).encode()
    path = _path_with_query(call.control_url)
    headers = signed_headers(edge=call.edge.name, secret=call.edge.secret, method="POST", path=path, body=body)
    # The address is http(s) and starts with the edge's registered prefix (checked when the event came in).
    request = urllib.request.Request(  # noqa: S310
        call.control_url, data=body, method="POST", headers={**headers, "Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.TELEPHONY_COMMAND_TIMEOUT_SECONDS):  # noqa: S310
            return CommandStatus.DELIVERED, ""
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            return None, f"HTTP {exc.code}"
        return CommandStatus.REJECTED, f"HTTP {exc.code}"
    except OSError as exc:
        return None, str(exc)[:300]


def _payload(command: TelephonyCommand) -> dict[str, Any]:
    return {
        "command_id": command.command_id,
        "type": command.type,
        "call_id": command.call.call_id,
        "issued_at": command.created_at.isoformat(),
        "data": command.data,
    }


def _path_with_query(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _finish(command: TelephonyCommand, status: str, *, attempts: int, error: str) -> str:
    command.status = status
    command.attempts = attempts
    command.last_error = error
    command.delivered_at = timezone.now() if status == CommandStatus.DELIVERED else None
    command.save(update_fields=["status", "attempts", "last_error", "delivered_at"])
    if status != CommandStatus.DELIVERED:
        logger.warning("telephony command %s (%s) %s: %s", command.command_id, command.type, status, error)
        if command.type in (CommandType.CONNECT, CommandType.TRANSFER):
            from .services import release_failed_offer

            release_failed_offer(call=command.call)
    return status
