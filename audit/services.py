"""The only way to write the audit log."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from audit.choices import AuditKind
from audit.models import AuditChainHead, AuditEvent
from core.middleware import current_request_context

# Events waiting to be appended together (`appended_together`), per thread.
_pending = threading.local()


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    if not getattr(actor, "is_authenticated", False):
        return "anonymous"
    return str(actor.get_username())


def record_event(
    *,
    action: str,
    kind: str = AuditKind.WRITE,
    actor: Any = None,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. Joins the caller's transaction when there is one; inside `appended_together`
    the event is appended with the block's others when it ends.

    No savepoint of its own: an event that cannot be written fails the caller's whole transaction, so no write is
    ever kept without its record (and two statements per event are saved).
    """
    context = current_request_context()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        occurred_at=timezone.now(),
        actor=actor if authenticated else None,
        actor_label=actor_label or _actor_label(actor),
        ip=context.ip if context else "",
        kind=kind,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        details=details or {},
    )
    pending = getattr(_pending, "events", None)
    if pending is not None:
        pending.append(event)  # appended with the others when `appended_together` ends
        return event
    with transaction.atomic(savepoint=False):
        _append([event])
    return event


@contextmanager
def appended_together() -> Iterator[list[AuditEvent]]:
    """Events recorded inside the block are appended to the chain when it ends, in the order they were recorded,
    with one lock of the chain head and one insert (a batch of registrations: one lock instead of one per event).

    Use it inside the transaction that makes the changes the events record; an exception leaves the block without
    appending anything (the transaction is rolled back with it). Inside another such block it changes nothing.
    Until the block ends the events have no sequence, no hash and a provisional time: each is dated when it is
    appended, so the chain's times stay in its order.
    """
    if getattr(_pending, "events", None) is not None:
        yield _pending.events
        return
    events: list[AuditEvent] = []
    _pending.events = events
    try:
        yield events
        _pending.events = None
        if events:
            with transaction.atomic(savepoint=False):
                _append(events)
    finally:
        _pending.events = None


def _append(events: list[AuditEvent]) -> None:
    """Chain `events` after the head and write them (the caller holds a transaction), dated once the head is
    locked so that the chain's times follow its order."""
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    appended_at = timezone.now()
    for event in events:
        event.occurred_at = appended_at
    sequence, previous = head.last_sequence, head.last_hash
    for event in events:
        sequence += 1
        event.sequence, event.prev_hash = sequence, previous
        event.hash = previous = event.compute_hash()
    if len(events) == 1:
        events[0].save()
    else:
        AuditEvent.objects.bulk_create(events)
    head.last_sequence, head.last_hash = sequence, previous
    head.save(update_fields=["last_sequence", "last_hash"])


def record_personal_data_read(*, actor: Any, target: models.Model, fields: list[str]) -> AuditEvent:
    """Every read of personal data (IIN, phone, e-mail, names) leaves a trace."""
    return record_event(
        action=f"{target._meta.model_name}.personal_data_read",
        kind=AuditKind.READ,
        actor=actor,
        target=target,
        details={"fields": sorted(fields)},
    )


def record_access_denied(
    *, actor: Any, action: str, target: models.Model | None = None, details: dict[str, Any] | None = None
) -> AuditEvent:
    """A refusal (a wrong role, another organisation's object) leaves a trace, whatever the user was shown."""
    return record_event(action=action, kind=AuditKind.DENIED, actor=actor, target=target, details=details)
