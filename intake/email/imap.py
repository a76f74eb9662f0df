"""The IMAP poller for mailboxes that already exist on a mail server.

A message is flagged done on the server only after its appeal is committed: a poller stopped in between
finds it again next time, and the message key makes the second reading the same appeal.
"""

from __future__ import annotations

import base64
import imaplib
import logging

from django.conf import settings

from intake import services
from intake.mailboxes import ImapAccount, Mailbox, mailboxes
from intake.models import InboundSource

logger = logging.getLogger(__name__)
DONE_FLAG = "$BailanysRegistered"


def poll_all() -> int:
    taken = 0
    for box in mailboxes():
        if box.imap is not None:
            taken += poll_mailbox(box)
    return taken


def _connect(account: ImapAccount) -> imaplib.IMAP4:
    timeout = float(settings.EMAIL_TIMEOUT)
    if account.ssl:
        connection: imaplib.IMAP4 = imaplib.IMAP4_SSL(account.host, account.port, timeout=timeout)
    else:
        connection = imaplib.IMAP4(account.host, account.port, timeout=timeout)
    connection.login(account.user, account.password)
    return connection


def poll_mailbox(box: Mailbox, *, limit: int | None = None) -> int:
    """Take in the mailbox's messages not yet flagged done; returns how many were registered or joined."""
    assert box.imap is not None
    connection = _connect(box.imap)
    try:
        status, _data = connection.select(_quoted(box.imap.folder))  # not read-only: flags are stored
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open folder {box.imap.folder!r}")
        uids = _pending_uids(connection)[: limit or settings.INTAKE_IMAP_BATCH]
        return sum(1 for uid in uids if _take(connection, box, uid))
    finally:
        _logout(connection)


def _pending_uids(connection: imaplib.IMAP4) -> list[bytes]:
    status, data = connection.uid("SEARCH", None, "UNKEYWORD", DONE_FLAG, "UNDELETED")  # type: ignore[arg-type]
    if status != "OK" or not data or not data[0]:
        return []
    return list(data[0].split())


def _take(connection: imaplib.IMAP4, box: Mailbox, uid: bytes) -> bool:
    raw = _fetch(connection, uid)
    if raw is None:
        return False
    accepted = services.accept_message(raw=raw, mailbox=box.address, source=InboundSource.IMAP)
    # Registered right here (not by a queued task), so the flag below follows a committed appeal.
    services.register_message(message_id=accepted.message.pk)
    status, data = connection.uid("STORE", uid.decode(), "+FLAGS", f"({DONE_FLAG} \\Seen)")
    if status != "OK":  # read next time again: its key makes it the same appeal
        logger.warning("intake: could not flag message %s in %s: %s", uid.decode(), box.address, data)
    return True


def _fetch(connection: imaplib.IMAP4, uid: bytes) -> bytes | None:
    status, data = connection.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def _quoted(folder: str) -> str:
    """The folder as an IMAP quoted string, non-ASCII names in modified UTF-7 (RFC 3501, 5.1.3)."""
    name = _modified_utf7(folder)
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _modified_utf7(folder: str) -> str:
    encoded: list[str] = []
    pending = ""

    def flush() -> None:
        if pending:
            chunk = base64.b64encode(pending.encode("utf-16-be")).decode().rstrip("=").replace("/", ",")
            encoded.append(f"&{chunk}-")

    for char in folder:
        if " " <= char <= "~":
            flush()
            pending = ""
            encoded.append("&-" if char == "&" else char)
        else:
            pending += char
    flush()
    return "".join(encoded)


def _logout(connection: imaplib.IMAP4) -> None:
    try:
        connection.logout()
    except (imaplib.IMAP4.error, OSError):
        logger.info("intake: IMAP logout failed", exc_info=True)
