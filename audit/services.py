"""The only way to write the audit log."""

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from audit.choices import AuditKind
from audit.models import AuditChainHead, AuditEvent
from core.middleware import current_request_context


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
    """Append one event to the chain. Joins the caller's transaction when there is one.

    No savepoint of its own: an event that cannot be written fails the caller's whole transaction, so no write is
    ever kept without its record (and two statements per event are saved).
    """
    context = current_request_context()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic(savepoint=False):
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            sequence=head.last_sequence + 1,
            occurred_at=timezone.now(),
            actor=actor if authenticated else None,
            actor_label=actor_label or _actor_label(actor),
            ip=context.ip if context else "",
            kind=kind,
            action=action,
            object_type=target._meta.label_lower if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            details=details or {},
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        head.last_sequence = event.sequence
        head.last_hash = event.hash
        head.save(update_fields=["last_sequence", "last_hash"])
    return event


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
