"""Acknowledgements of appeals registered together: one task, and no deadlock with replies being joined."""

import threading

import pytest
from django.db import connection, connections, transaction

from appeals.choices import AppealEventKind, Channel
from appeals.models import Appeal, AppealEvent
from appeals.services import deliver_acknowledgements, register_appeal

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks held by two connections")


def _appeal(number: int) -> Appeal:
    return register_appeal(
        channel=Channel.EMAIL,
        subject=f"Өтініш {number}",
        text="Анықтама алу тәртібі туралы сұрақ.",
        email=f"citizen{number}@example.kz",
        acknowledge=False,
    ).appeal


def _acknowledged(appeal: Appeal) -> bool:
    return AppealEvent.objects.filter(appeal=appeal, kind=AppealEventKind.ACKNOWLEDGED).exists()


@pytest.mark.django_db(transaction=True)
def test_appeals_registered_together_are_acknowledged_once_each(smtp_inbox) -> None:  # type: ignore[no-untyped-def]
    first, second = _appeal(1), _appeal(2)
    assert deliver_acknowledgements(appeal_ids=[first.pk, second.pk]) == 2
    assert deliver_acknowledgements(appeal_ids=[first.pk, second.pk]) == 0  # a retried task sends nothing again
    received = sorted(str(message["To"]) for message in smtp_inbox.wait_for(2, timeout=10))
    assert received == ["citizen1@example.kz", "citizen2@example.kz"]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_acknowledging_does_not_deadlock_with_replies_joined_in_another_order(smtp_inbox) -> None:  # type: ignore[no-untyped-def]
    # given: two new appeals, and another transaction (a batch joining replies) that holds the second's row
    first, second = _appeal(1), _appeal(2)
    holding_second, release, done = threading.Event(), threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def joining_replies() -> None:
        try:
            with transaction.atomic():
                Appeal.objects.select_for_update().get(pk=second.pk)
                holding_second.set()
                release.wait(10)
                # ... and then wants the first one's row, as a reply to it comes next in its batch
                Appeal.objects.select_for_update().get(pk=first.pk)
            outcome["joiner"] = "committed"
        except Exception as error:  # a deadlock would be raised here or in the acknowledging task
            outcome["joiner"] = repr(error)
        finally:
            connections.close_all()
            done.set()

    joiner = threading.Thread(target=joining_replies)
    joiner.start()
    assert holding_second.wait(10)
    # when: the acknowledgements of both are delivered meanwhile (the joiner goes on once they have begun)
    threading.Timer(0.5, release.set).start()
    sent = deliver_acknowledgements(appeal_ids=[first.pk, second.pk])
    joiner.join(15)
    # then: both are acknowledged, once, and the joining transaction committed too
    assert done.is_set() and outcome == {"joiner": "committed"}
    assert sent == 2
    assert _acknowledged(first) and _acknowledged(second)
    assert len(smtp_inbox.wait_for(2, timeout=10)) == 2
