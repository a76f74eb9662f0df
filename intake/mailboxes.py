"""The center's mailboxes as policy (POLICY["INTAKE_MAILBOXES"]): any number, each with its topic and queue.

An entry: {"address": ..., "topic": ..., "queue": ..., "imap": {"host", "port", "user", "password_env",
"folder", "ssl"}}; mailboxes with "imap" are read by the poller, every mailbox is accepted by the SMTP receiver.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from core.policy import policy


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    ssl: bool = True


@dataclass(frozen=True)
class Mailbox:
    address: str
    topic: str
    queue: str
    imap: ImapAccount | None = None


def _imap(address: str, entry: dict[str, Any] | None) -> ImapAccount | None:
    if not entry:
        return None
    password_env = str(entry.get("password_env", ""))
    password = os.getenv(password_env, "") if password_env else str(entry.get("password", ""))
    if not password:
        raise ImproperlyConfigured(f"Mailbox {address}: its IMAP password is not set ({password_env or 'password'})")
    return ImapAccount(
        host=str(entry.get("host", "127.0.0.1")),
        port=int(entry.get("port", 993)),
        user=str(entry.get("user", address)),
        password=password,
        folder=str(entry.get("folder", "INBOX")),
        ssl=bool(entry.get("ssl", True)),
    )


def mailboxes() -> list[Mailbox]:
    return [
        Mailbox(
            address=str(entry["address"]).strip().lower(),
            topic=str(entry.get("topic", "")),
            queue=str(entry.get("queue", "")),
            imap=_imap(str(entry["address"]), entry.get("imap")),
        )
        for entry in policy("INTAKE_MAILBOXES")
    ]


def mailbox_for(address: str) -> Mailbox | None:
    wanted = address.strip().lower()
    return next((box for box in mailboxes() if box.address == wanted), None)


def our_addresses() -> frozenset[str]:
    """Addresses that are ours: mail from them is never acknowledged (no loops between our own mailboxes)."""
    from email.utils import parseaddr

    from django.conf import settings

    own = {box.address for box in mailboxes()}
    own.add(parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower())
    return frozenset(own)
