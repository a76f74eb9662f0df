"""Mail that queues up is registered in batches: each message once, a message that cannot be registered marked
failed without holding back the others, and one append to the audit chain that still verifies."""

from __future__ import annotations

from typing import Any

import pytest

from appeals.models import Appeal
from audit.models import AuditEvent
from audit.selectors import verify_chain
from intake.models import AckDecision, InboundMessage, InboundStatus
from intake.services import accept_message, register_stored
from intake.tests.conftest import legacy_mail, plain_mail

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued(settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> list[list[Any]]:
    """Tasks are noted here instead of being sent: the messages wait, stored, as behind a busy worker."""
    from appeals.tasks import send_acknowledgements
    from intake.tasks import register_message_task

    settings.MEDIA_ROOT = tmp_path / "media"
    sent: list[list[Any]] = []
    for task in (register_message_task, send_acknowledgements):
        monkeypatch.setattr(task, "delay", lambda *args, _name=task.name: sent.append([_name, *args]))
    return sent


def _store(raw: bytes) -> int:
    return accept_message(raw=raw, mailbox="egov@nitec.kz").message.pk


def test_stored_messages_are_registered_together_once_and_acknowledged_by_one_task(queued) -> None:  # type: ignore[no-untyped-def]
    # given: three letters stored while the worker was busy
    ids = [_store(plain_mail(sender=f"citizen{i}@example.kz", message_id=f"<batch-{i}@example.kz>")) for i in range(3)]
    # when: the first letter's task runs, and then the tasks of the other two
    statuses = [register_stored(message_id=pk, batch=10) for pk in ids]
    # then: all three registered by the first task, the others found them done
    assert statuses == [InboundStatus.REGISTERED] * 3
    assert list(InboundMessage.objects.order_by("pk").values_list("status", "attempts")) == [("registered", 1)] * 3
    assert Appeal.objects.count() == 3
    appeal_ids = sorted(Appeal.objects.values_list("pk", flat=True))
    assert [entry for entry in queued if entry[0] != "intake.tasks.register_message_task"] == [
        ["appeals.tasks.send_acknowledgements", appeal_ids]
    ]
    assert AuditEvent.objects.filter(action="appeal.registered").count() == 3
    assert verify_chain().intact


def test_a_letter_that_cannot_be_registered_is_marked_failed_and_the_others_are_registered(queued) -> None:  # type: ignore[no-untyped-def]
    # given: a letter with no address to answer between two good ones
    first = _store(plain_mail(sender="one@example.kz", message_id="<good-1@example.kz>"))
    bad = _store(
        legacy_mail(body=b"Hello", subject="No sender", charset="utf-8", from_header="nobody", message_id="<bad@x.kz>")
    )
    last = _store(plain_mail(sender="two@example.kz", message_id="<good-2@example.kz>"))
    # when
    status = register_stored(message_id=first, batch=10)
    # then
    assert status == InboundStatus.REGISTERED
    statuses = dict(InboundMessage.objects.values_list("pk", "status"))
    assert statuses == {first: "registered", bad: "failed", last: "registered"}
    assert InboundMessage.objects.get(pk=bad).error
    assert InboundMessage.objects.get(pk=last).acknowledgement == AckDecision.SENT
    assert Appeal.objects.count() == 2
    assert verify_chain().intact
