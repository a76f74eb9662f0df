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
from aiosmtpd.smtp import MISSING, SMTP, Envelope, Session, syntax
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections

from core.policy import policy
from intake import services
from intake.mailboxes import mailbox_for
from intake.models import InboundSource

logger = logging.getLogger(__name__)
# The end of a data line followed by a line that starts with a dot: the end of the data, or a dot-stuffed line.
_DOT_LINE = b"\r\n."


class IntakeSMTP(SMTP):
    """aiosmtpd's server with the message data read in blocks instead of line by line.

    A citizen's scan is tens of thousands of lines, and reading them one at a time was most of the receiver's work.
    What the session sees is unchanged: the data ends at a line holding only a dot, a leading dot is removed from
    every line (RFC 5321 4.5.2), a line over `line_length_limit` is answered 500 and data over `data_size_limit`
    552 once it has all been read, and nothing after the final dot (a pipelined command) is read as data.
    """

    @syntax("DATA")
    async def smtp_DATA(self, arg: str) -> None:
        if self._decode_data:  # a text server (not ours): aiosmtpd's own reading
            await super().smtp_DATA(arg)
            return
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        try:
            data, error = await self._read_data()
        except asyncio.CancelledError:  # the connection was lost during DATA
            self._writer.close()
            raise
        if error:
            await self.push(error)
            self._set_post_data_state()
            return
        self.envelope.content = self.envelope.original_content = data
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)

    async def _read_data(self) -> tuple[bytes, str]:
        """The data up to the final dot line, unstuffed; or an error reply once everything was read."""
        limit = self.data_size_limit
        blocks: list[bytes] = []
        size = 0
        error = ""
        while True:
            block, block_size, finished = await self._read_block()
            size += block_size
            if not error:
                blocks.append(block)
                if limit and size > limit:
                    error = self._long_line_error(b"".join(blocks)) or "552 Error: Too much mail data"
                    blocks.clear()  # nothing more is kept once the message is refused
            if finished:
                break
        data = b"".join(blocks)
        error = error or self._long_line_error(data)
        if error:
            return b"", error
        # Transparency (RFC 5321 4.5.2): the first dot of every line that starts with one is removed.
        data = data.replace(_DOT_LINE, b"\r\n")
        return (data[1:] if data.startswith(b".") else data), ""

    async def _read_block(self) -> tuple[bytes, int, bool]:
        """Data from a line start to the next line that starts with a dot (that line's dot and the rest of it
        included), as sent, and its size; True when that line was the final "." alone. Over `data_size_limit`
        the bytes are cut short (the message is refused anyway) while the size counts everything."""
        reader = self._reader
        first = await reader.readexactly(1)
        if first == b".":
            rest, size = await self._read_through(b"\r\n")
            return (b"", 0, True) if rest == b"\r\n" else (first + rest, 1 + size, False)
        parts = [first]
        while parts[-1] == b"\r":  # an empty line ("\r\n") must not hide the line start after it
            parts.append(await reader.readexactly(1))
            if parts[-1] == b"\n":
                return b"".join(parts), len(parts), False
        head, head_size = await self._read_through(_DOT_LINE)
        rest, rest_size = await self._read_through(b"\r\n")  # the rest of the line that starts with the dot
        size = len(parts) + head_size
        if rest == b"\r\n":
            # The final dot: the data ends with the line before it (the dot and its line end are no data).
            return b"".join(parts) + head[:-1], size - 1, True
        return b"".join([*parts, head, rest]), size + rest_size, False

    async def _read_through(self, separator: bytes) -> tuple[bytes, int]:
        """Up to and including `separator`, however far (the stream's limit is that of a command line), and its
        size; past `data_size_limit` nothing more is kept."""
        limit = self.data_size_limit
        parts: list[bytes] = []
        size = 0
        while True:
            try:
                part = await self._reader.readuntil(separator)
                done = True
            except asyncio.LimitOverrunError as error:  # take what cannot hold the separator's start, look again
                part = await self._reader.readexactly(error.consumed)
                done = False
            size += len(part)
            if not limit or size <= limit:
                parts.append(part)
            if done:
                return b"".join(parts), size

    def _long_line_error(self, data: bytes) -> str:
        longest = max(map(len, data.split(b"\r\n")), default=0) + 2
        return "500 Line too long (see RFC5321 4.5.3.1.6)" if longest > self.line_length_limit else ""


class _IntakeController(Controller):
    def factory(self) -> SMTP:
        return IntakeSMTP(self.handler, **self.SMTP_kwargs)


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
    controller = _IntakeController(
        IntakeHandler(),
        hostname=host,
        port=port,
        data_size_limit=policy("INTAKE_MESSAGE_MAX_BYTES"),
        decode_data=False,
        **kwargs,
    )
    controller.start()
    return controller
