"""The built-in SMTP receiver: mail delivered straight to the center's mailboxes.

The session is answered 250 only after the raw message is committed; with the database away it gets a
temporary failure (451) and the sending server tries again later. Mail to addresses that are not ours is
refused (the receiver is no relay).
"""

from __future__ import annotations

import asyncio
import logging
from email.utils import parseaddr
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections

from core.policy import policy
from intake import services
from intake.mailboxes import mailbox_for
from intake.models import InboundSource

logger = logging.getLogger(__name__)


class IntakeHandler:
    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if mailbox_for(address) is None and not _report_to_our_sender(envelope, address):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or (envelope.content if isinstance(envelope.content, bytes) else b"")
        raw = _with_return_path(raw, envelope.mail_from or "")
        mailbox = envelope.rcpt_tos[0] if envelope.rcpt_tos else ""
        try:
            await asyncio.get_running_loop().run_in_executor(None, _accept, raw, mailbox)
        except DatabaseError:
            logger.warning("intake: database unavailable, message deferred", exc_info=True)
            return "451 4.3.0 Temporary failure, please try again later"
        return "250 2.0.0 Message accepted"


def _report_to_our_sender(envelope: Envelope, address: str) -> bool:
    """A delivery report (null sender) to the address our mail goes out from: the bounce of an acknowledgement or
    an answer, noted on its appeal. Anything else to that address is refused like any address not ours."""
    ours = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    return not (envelope.mail_from or "").strip("<>") and bool(ours) and address.strip().lower() == ours


def _with_return_path(raw: bytes, mail_from: str) -> bytes:
    """As a final delivery agent does: the envelope sender becomes Return-Path ("<>" for bounces)."""
    return f"Return-Path: <{mail_from.strip('<>')}>\r\n".encode() + raw


def _accept(raw: bytes, mailbox: str) -> None:
    close_old_connections()
    try:
        services.accept_message(raw=raw, mailbox=mailbox, source=InboundSource.SMTP)
    except DatabaseError:
        connections.close_all()
        raise
    finally:
        close_old_connections()


def start_receiver(host: str, port: int, **kwargs: Any) -> Controller:
    controller = Controller(
        IntakeHandler(),
        hostname=host,
        port=port,
        data_size_limit=policy("INTAKE_MESSAGE_MAX_BYTES"),
        decode_data=False,
        **kwargs,
    )
    controller.start()
    return controller
