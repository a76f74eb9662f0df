"""Reads of e-mail intake."""

from __future__ import annotations

from appeals.choices import Channel
from appeals.models import Appeal
from intake.mailboxes import Mailbox, mailbox_for, mailboxes
from intake.models import InboundMessage


def first_message(appeal: Appeal) -> InboundMessage | None:
    return appeal.inbound_messages.order_by("received_at", "pk").first()  # type: ignore[attr-defined]


def mailbox_of(appeal: Appeal) -> Mailbox | None:
    message = first_message(appeal)
    return mailbox_for(message.mailbox) if message is not None and message.mailbox else None


def reply_address_for(appeal: Appeal) -> str:
    """Replies go to the mailbox the appeal came to; appeals from other channels reply to the first mailbox."""
    if appeal.channel == Channel.EMAIL:
        box = mailbox_of(appeal)
        if box is not None:
            return box.address
    boxes = mailboxes()
    return boxes[0].address if boxes else ""


def messages_of(appeal: Appeal) -> list[InboundMessage]:
    return list(appeal.inbound_messages.order_by("received_at", "pk"))  # type: ignore[attr-defined]
