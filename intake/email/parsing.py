"""Turning a raw citizen's e-mail into what the registry needs: decoded headers and text, files, language,
threading ids, and whether a machine sent it.

Citizens' mail is messy: old Cyrillic encodings (declared or not), HTML only, inline images, forwarded messages,
replies quoting everything before them. Nothing here raises on bad input; the worst case is replaced characters.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from email import policy as email_policy
from email.headerregistry import BaseHeader
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

from appeals.attachments import IncomingFile

KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_KAZAKH_LETTER = re.compile("[" + "".join(sorted(KAZAKH_LETTERS)) + "]")
AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
NO_REPLY = re.compile(r"^(no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?)([+.\-].*)?@", re.IGNORECASE)
ADDRESS = re.compile(r"[\w.+\-]+@[\w\-]+(\.[\w\-]+)+")
# Charsets tried, in order, on text whose declared charset is missing or wrong (old Cyrillic mailers).
FALLBACK_CHARSETS = ("utf-8", "cp1251", "koi8-r")
# Lines where a reply's quotation of earlier mail begins (several clients, three languages).
QUOTE_START = re.compile(
    r"^(-{2,}\s*(original message|исходное сообщение|пересылаемое сообщение)\s*-{2,}"
    r"|.{0,200}\s(wrote|писал\(а\)|пишет|написал|жазды):\s*$"
    r"|(from|от|кімнен):\s.*$)",
    re.IGNORECASE,
)


# Where a header's folded lines join (what email.policy.default does before parsing a header).
_LINESEP = re.compile(r"\n|\r")
# A line ended by LF followed by an empty line (LF or CRLF endings).
_EMPTY_LINE = re.compile(rb"\n\r?\n")
# Headers longer than this (long References chains, odd mailers) are parsed each time instead of cached.
CACHED_HEADER_MAX_CHARS = 2000


class _HeadersParsedOnce(email_policy.EmailPolicy):
    """`email.policy.default`, except that a header value is parsed once: the standard policy parses it again on
    every read, and reading a part's type, charset, disposition and file name reads its headers many times.

    Header objects are immutable, so equal (name, value) pairs share one, within a message and across messages.
    """

    def header_fetch_parse(self, name: str, value: str) -> str:
        if hasattr(value, "name"):
            return value
        if len(value) > CACHED_HEADER_MAX_CHARS:  # a rare long header is not worth keeping in memory
            return _parse_header(name, value)
        return _cached_header(name, value)


def _parse_header(name: str, value: str) -> BaseHeader:
    return email_policy.default.header_factory(name, "".join(_LINESEP.split(value)))


_cached_header = functools.lru_cache(maxsize=4096)(_parse_header)


PARSING_POLICY = _HeadersParsedOnce()


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    subject: str
    text: str
    sender_name: str
    sender_email: str
    reply_to: str
    language: str
    in_reply_to: str
    references: tuple[str, ...] = field(default_factory=tuple)
    automatic: bool = False
    html_only: bool = False
    attachments: tuple[IncomingFile, ...] = field(default_factory=tuple)

    @property
    def thread_ids(self) -> list[str]:
        """Ids this message answers, nearest first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        return ids + [ref for ref in reversed(self.references) if ref != self.in_reply_to]


class _TextOnly(HTMLParser):
    """Citizen HTML is never rendered: only its text is kept; scripts, styles and the head are dropped."""

    BLOCKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "table"})
    SKIPPED = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED and self._skip:
            self._skip -= 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def message_key(raw: bytes) -> str:
    """The message's own id when it has one, else the SHA-256 of its bytes: the same message twice is one key."""
    headers = BytesParser(policy=email_policy.compat32).parsebytes(header_block(raw), headersonly=True)
    mid = _first_id(str(headers.get("Message-ID", "") or ""))
    return mid or "sha256:" + hashlib.sha256(raw).hexdigest()


def header_block(raw: bytes) -> bytes:
    """The message up to its first empty line: all a header-only parse reads, without splitting the body into lines.

    The parser stops at the first empty line (or earlier, at a line that is no header), and that line is inside
    the block, so the headers parsed from the block are those parsed from the whole message.
    """
    empty_line = _EMPTY_LINE.search(raw)
    return raw[: empty_line.start() + 1] if empty_line else raw


def detect_language(text: str) -> str:
    """Kazakh when a letter only Kazakh has appears, Russian for other Cyrillic, else Kazakh (the state language)."""
    if _KAZAKH_LETTER.search(text):
        return "kk"
    return "ru" if re.search(r"[а-яё]", text, re.IGNORECASE) else "kk"


def strip_quoted(text: str) -> str:
    """A reply's own words: the quotation of earlier mail (">" lines, "… wrote:" and below) cut off."""
    kept: list[str] = []
    for line in text.splitlines():
        if QUOTE_START.match(line.strip()):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept).strip() or text.strip()


def parse_mail(raw: bytes) -> ParsedMail:
    msg = BytesParser(policy=PARSING_POLICY).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    subject = " ".join(header_text(msg, "Subject").split())
    body, html_only, files = _walk(msg)
    name, address = _address(header_text(msg, "From"))
    _reply_name, reply_to = _address(header_text(msg, "Reply-To"))
    references = _ids(header_text(msg, "References")) + _reported_ids(msg)
    return ParsedMail(
        message_id=message_key(raw),
        subject=subject,
        text=body,
        sender_name=name,
        sender_email=address,
        reply_to=reply_to,
        language=detect_language(subject + " " + body),
        in_reply_to=(_ids(header_text(msg, "In-Reply-To")) or [""])[0],
        references=tuple(references),
        automatic=_is_automatic(msg, address),
        html_only=html_only,
        attachments=tuple(files),
    )


def header_text(msg: Message, name: str) -> str:
    """A header decoded: encoded words in any charset, and raw 8-bit Cyrillic that some mailers still send."""
    try:
        value = msg.get(name)
    except (ValueError, LookupError, IndexError):  # a header the parser cannot make sense of
        value = None
    if value is None:
        return ""
    raw = _raw_header(msg, name)
    if re.search(r"[\udc80-\udcff]", raw):
        # 8-bit bytes the parser only shows as replaced characters: decode the bytes themselves.
        return " ".join(_decode(raw.encode("utf-8", "surrogateescape"), None).split())
    return str(value).strip()


def _raw_header(msg: Message, name: str) -> str:
    """The header as it came, 8-bit bytes kept as surrogates (the parsed value has them replaced)."""
    wanted = name.lower()
    return next((str(value) for key, value in msg.raw_items() if key.lower() == wanted), "")


def _address(value: str) -> tuple[str, str]:
    pairs = [(name, address) for name, address in getaddresses([value]) if "@" in address]
    if pairs:
        return pairs[0][0].strip(), pairs[0][1].strip()
    # Some mailers encode the whole "Name <address>" as one encoded word: the address is inside the name.
    found = ADDRESS.search(value)
    if found is None:
        return "", ""
    return value[: found.start()].strip(' "<'), found[0]


def _first_id(value: str) -> str:
    ids = _ids(value)
    return ids[0][:250] if ids else value.strip().strip("<>")[:250]


def _ids(value: str) -> list[str]:
    return re.findall(r"<([^<>\s]+)>", value)


def _decode(payload: bytes, declared: str | None) -> str:
    if declared:
        try:
            return payload.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    # Single-byte Cyrillic charsets decode any bytes without error: the one giving the most lowercase letters
    # is the right one (KOI8-R read as windows-1251 comes out in capitals, and the other way round).
    decoded = []
    for charset in FALLBACK_CHARSETS:
        try:
            text = payload.decode(charset)
        except UnicodeDecodeError:
            continue
        if charset == "utf-8":
            return text
        decoded.append(text)
    if decoded:
        return max(decoded, key=lambda text: sum(1 for ch in text if ch.islower()))
    return payload.decode("utf-8", errors="replace")


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    declared = part.get_content_charset()
    if declared in (None, "us-ascii", "ascii") and not payload.isascii():
        declared = None
    text = _decode(payload, declared)
    return html_to_text(text) if part.get_content_subtype() == "html" else text.strip()


def _walk(msg: EmailMessage) -> tuple[str, bool, list[IncomingFile]]:
    """The text of the message (plain preferred to HTML), whether it had only HTML, and its files."""
    body = msg.get_body(preferencelist=("plain", "html"))
    texts = [_part_text(body)] if body is not None else []
    html_only = body is not None and body.get_content_subtype() == "html"
    files: list[IncomingFile] = []
    for part in _leaves(msg):
        if part is body or _is_alternative_text(part):
            continue
        if part.get_content_type() == "message/rfc822":
            texts.append(_forwarded_text(part))
        file = _as_file(part)
        if file is not None:
            files.append(file)
    return "\n\n".join(text for text in texts if text).strip(), html_only, files


def _leaves(msg: Message) -> list[Message]:
    """Every part that is not a container; a forwarded message counts as one part."""
    if msg.get_content_type() == "message/rfc822" or not msg.is_multipart():
        return [msg]
    found: list[Message] = []
    for part in msg.get_payload():  # type: ignore[union-attr]
        if isinstance(part, Message):
            found.extend(_leaves(part))
    return found


def _is_alternative_text(part: Message) -> bool:
    """The other rendering of the body (the HTML of a plain+HTML mail) or a report's machine part."""
    if part.get_content_maintype() != "text" or part.get_filename():
        return False
    return part.get_content_disposition() != "attachment"


def _forwarded_text(part: Message) -> str:
    inner = part.get_payload()
    inner_msg = inner[0] if isinstance(inner, list) and inner else None
    if not isinstance(inner_msg, EmailMessage):
        return ""
    body = inner_msg.get_body(preferencelist=("plain", "html"))
    subject = header_text(inner_msg, "Subject")
    sender = header_text(inner_msg, "From")
    text = _part_text(body) if body is not None else ""
    return f"---- {sender} · {subject} ----\n{text}".strip()


def _as_file(part: Message) -> IncomingFile | None:
    if part.get_content_type() == "message/rfc822":
        content = part.get_payload()[0].as_bytes() if isinstance(part.get_payload(), list) else b""  # type: ignore[union-attr, index]
        return IncomingFile(filename="forwarded.eml", content=content, declared_type="message/rfc822")
    if part.get_content_type() in ("message/delivery-status", "text/rfc822-headers"):
        return None
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return None
    filename = part.get_filename() or ""
    inline = part.get_content_disposition() == "inline" or (bool(part.get("Content-ID")) and not filename)
    return IncomingFile(
        filename=filename or _default_name(part),
        content=payload,
        declared_type=part.get_content_type(),
        inline=inline,
    )


def _default_name(part: Message) -> str:
    content_id = str(part.get("Content-ID", "") or "").strip("<> ")
    extension = part.get_content_subtype()
    return f"{content_id.split('@')[0] or 'attachment'}.{extension}"


def _reported_ids(msg: Message) -> list[str]:
    """A bounce's report carries the headers of the mail that was not delivered: its Message-ID threads it."""
    if msg.get_content_type() != "multipart/report":
        return []
    for part in msg.walk():
        content_type = part.get_content_type()
        if content_type == "text/rfc822-headers":
            payload = part.get_payload(decode=True)
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
            found = re.search(r"^Message-ID:\s*(<[^>]+>)", text, re.IGNORECASE | re.MULTILINE)
            if found:
                return _ids(found[1])
        if content_type == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                return _ids(str(inner[0].get("Message-ID", "")))
    return []


def _is_automatic(msg: Message, address: str) -> bool:
    """Auto-replies, bounces, lists and no-reply senders get no acknowledgement (no mail loops)."""
    auto = header_text(msg, "Auto-Submitted").lower() or "no"
    precedence = header_text(msg, "Precedence").lower()
    return_path = header_text(msg, "Return-Path")
    return (
        auto != "no"
        or precedence in AUTO_PRECEDENCE
        or return_path == "<>"
        or msg.get("List-Id") is not None
        or msg.get("List-Unsubscribe") is not None
        or msg.get("X-Autoreply") is not None
        or msg.get("X-Autorespond") is not None
        or bool(NO_REPLY.match(address or ""))
        or msg.get_content_type() == "multipart/report"
    )
