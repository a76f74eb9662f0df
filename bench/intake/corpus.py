"""A realistic mix of citizens' mail, made in memory from a seed: the same seed gives the same bytes.

Subjects and texts name real public services (data/reference/egov_services_kk_ru.jsonl, the register the demo
data loads). The mix: plain text in UTF-8, windows-1251 or KOI8-R (8bit, quoted-printable or base64, a few with
no declared charset), subjects as RFC 2047 encoded words (B and Q) in Kazakh and Russian, HTML-only mails (some
with an inline picture), plain + HTML alternatives, attachments shaped like PDF / JPEG / PNG files of realistic
sizes (up to a whole message of about 2 MB), ~15 % replies to earlier mail of the run (to the citizen's own
message, or to our acknowledgement), ~3 % exact redeliveries (same bytes, same Message-ID), and a few
out-of-office replies and bounces of our acknowledgements.

A reply to our acknowledgement carries our Message-ID, which holds the registration number the platform gives
at run time: its raw bytes hold the placeholder `<ack-of:PARENT-ID>` (see `ACK_PLACEHOLDER`) that the sender
replaces once the parent is registered.
"""

from __future__ import annotations

import base64
import json
import math
import quopri
import random
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "data" / "reference" / "egov_services_kk_ru.jsonl"
MAILBOXES = ("egov@nitec.kz", "support@pki.gov.kz", "sd@nitec.kz")
DOMAINS = ("mail.ru", "gmail.com", "yandex.kz", "inbox.kz", "bk.ru", "list.ru", "yahoo.com", "mail.kz")
ACK_PLACEHOLDER = b"<ack-of:%s>"
CRLF = "\r\n"

KK_NAMES = (
    ("Айгүл", "Серікқызы"),
    ("Нұрлан", "Әбдіғалиев"),
    ("Гүлнәр", "Өтепова"),
    ("Ерлан", "Қасымов"),
    ("Әсем", "Жұмабекова"),
    ("Дәурен", "Сұлтанов"),
    ("Мөлдір", "Нұрғалиева"),
    ("Бауыржан", "Оспанұлы"),
    ("Жанар", "Төлегенова"),
    ("Серік", "Мұхамеджанов"),
)
RU_NAMES = (
    ("Ирина", "Ковалёва"),
    ("Сергей", "Петров"),
    ("Ольга", "Ким"),
    ("Дмитрий", "Соколов"),
    ("Наталья", "Иванова"),
    ("Алексей", "Пак"),
    ("Елена", "Цой"),
    ("Виктор", "Шевченко"),
    ("Татьяна", "Морозова"),
    ("Андрей", "Лебедев"),
)
RU_LATIN = (
    *("a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p"),
    *("r", "s", "t", "u", "f", "h", "ts", "ch", "sh", "sch", "", "y", "", "e", "yu", "ya"),
)
TRANSLIT = str.maketrans(
    {
        **dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", RU_LATIN, strict=True)),
        **dict(zip("әғқңөұүһі", ("a", "g", "k", "n", "o", "u", "u", "h", "i"), strict=True)),
    }
)
KK_OPENINGS = ("Сәлеметсіз бе!", "Қайырлы күн!", "Құрметті мамандар,", "Сәлем!")
KK_ASKS = (
    "«{name}» қызметі бойынша сұрағым бар.",
    "«{name}» қызметіне өтінім бердім, бірақ әлі жауап жоқ.",
    "Порталда «{name}» қызметін алу кезінде қате шығады.",
    "«{name}» үшін қандай құжаттар қажет екенін түсіндіріп беріңізші.",
)
KK_CLOSINGS = ("Алдын ала рақмет.", "Жауабыңызды күтемін.", "Көмектесулеріңізді сұраймын.")
RU_OPENINGS = ("Здравствуйте!", "Добрый день!", "Уважаемые специалисты,", "Доброго времени суток.")
RU_ASKS = (
    "У меня вопрос по услуге «{name}».",
    "Подал заявку на услугу «{name}», ответа до сих пор нет.",
    "При получении услуги «{name}» на портале выходит ошибка.",
    "Подскажите, какие документы нужны для услуги «{name}»?",
)
RU_CLOSINGS = ("Заранее спасибо.", "Жду ответа.", "Прошу помочь разобраться.", "С уважением.")
PKI_RU = ("Не проходит подпись ЭЦП", "Истёк срок ключа ЭЦП", "Ошибка NCALayer при входе")
PKI_KK = ("ЭЦҚ қолтаңбасы өтпейді", "ЭЦҚ кілтінің мерзімі бітті", "NCALayer қатесі")


@dataclass(frozen=True)
class Mail:
    index: int
    message_id: str  # without angle brackets: the key the platform keeps it under
    raw: bytes
    kind: str  # new, reply, ack_reply, duplicate, auto_reply, bounce
    mail_from: str  # the envelope sender ("" for a bounce)
    rcpt: str
    parent: str = ""  # the Message-ID this one answers, redelivers or reports on
    language: str = "kk"
    charset: str = "utf-8"
    shape: str = "plain"
    files: int = 0

    @property
    def expected(self) -> str:
        """What the platform must make of it: a new appeal, a message joined to one, or nothing new."""
        if self.kind == "duplicate":
            return "duplicate"
        return "registered" if self.kind in ("new", "auto_new") else "joined"

    @property
    def waits_for_parent(self) -> bool:
        return self.kind in ("reply", "ack_reply", "auto_reply", "bounce")


@dataclass
class Corpus:
    mails: list[Mail]
    seed: int
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def bytes(self) -> int:
        return sum(len(mail.raw) for mail in self.mails)

    def describe(self) -> dict[str, object]:
        sizes = sorted(len(mail.raw) for mail in self.mails)
        return {
            "messages": len(self.mails),
            "seed": self.seed,
            "kinds": dict(Counter(mail.kind for mail in self.mails)),
            "charsets": dict(Counter(mail.charset for mail in self.mails)),
            "shapes": dict(Counter(mail.shape for mail in self.mails)),
            "languages": dict(Counter(mail.language for mail in self.mails)),
            "with_files": sum(1 for mail in self.mails if mail.files),
            "files": sum(mail.files for mail in self.mails),
            "bytes_total": sum(sizes),
            "bytes_min": sizes[0],
            "bytes_median": sizes[len(sizes) // 2],
            "bytes_p95": sizes[min(len(sizes) - 1, int(len(sizes) * 0.95))],
            "bytes_max": sizes[-1],
        }


def load_services() -> list[dict[str, str]]:
    rows = [json.loads(line) for line in SERVICES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row.get("name_ru") and row.get("name_kk")]


# --- Building blocks ---------------------------------------------------------------------------------------


def encoded_subject(text: str, charset: str, rng: random.Random) -> str:
    """RFC 2047 encoded words, B or Q, folded as mail clients fold them."""
    text = representable(text, charset)
    header_charset = Charset(charset)
    header_charset.header_encoding = BASE64 if rng.random() < 0.6 else QP
    return Header(text, header_charset, header_name="Subject").encode(linesep=CRLF)


def representable(text: str, charset: str) -> str:
    """What an old mailer makes of characters its charset lacks (KOI8-R has no «»)."""
    text = text.replace("«", '"').replace("»", '"').replace("—", "-")
    return text.encode(charset, errors="replace").decode(charset)


def encoded_name(name: str, charset: str) -> str:
    return Header(name, charset).encode(linesep=CRLF)


def body_bytes(text: str, charset: str, rng: random.Random, *, allow_8bit: bool = True) -> tuple[str, bytes]:
    """(Content-Transfer-Encoding, encoded body) the way assorted clients send it."""
    payload = representable(text, charset).replace("\n", CRLF).encode(charset)
    roll = rng.random()
    if allow_8bit and charset != "utf-8" and roll < 0.5:
        # 8bit lines stay within SMTP's 998 octets: the client wraps them
        wrapped = "\n".join(textwrap.fill(line, 76) if len(line) > 76 else line for line in text.split("\n"))
        return "8bit", representable(wrapped, charset).replace("\n", CRLF).encode(charset)
    if roll < 0.75:
        return "quoted-printable", quopri.encodestring(payload).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return "base64", base64.encodebytes(payload).replace(b"\n", b"\r\n")


def file_bytes(kind: str, size: int, rng: random.Random) -> bytes:
    """Bytes shaped like the file type (the platform reads the type from the first bytes), unique per file."""
    filler = rng.randbytes(max(0, size - 64))
    if kind == "pdf":
        head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\nstream\n"
        return head + filler + b"\nendstream\n%%EOF\n"
    if kind == "jpg":
        return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + filler + b"\xff\xd9"
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x04\x00\x00\x00\x03\x00\x08\x06\x00\x00\x00" + filler


def log_uniform(rng: random.Random, low: int, high: int) -> int:
    return int(math.exp(rng.uniform(math.log(low), math.log(high))))


def part(headers: list[tuple[str, str]], body: bytes) -> bytes:
    return "".join(f"{name}: {value}{CRLF}" for name, value in headers).encode("ascii") + b"\r\n" + body


def multipart(
    subtype: str, parts: list[bytes], rng: random.Random, extra: str = ""
) -> tuple[list[tuple[str, str]], bytes]:
    boundary = f"----=_Part_{rng.getrandbits(64):016x}"
    body = b"".join(b"--" + boundary.encode() + b"\r\n" + item + b"\r\n" for item in parts)
    body += b"--" + boundary.encode() + b"--\r\n"
    return [("Content-Type", f'multipart/{subtype}; boundary="{boundary}"{extra}')], body


def text_part(text: str, charset: str, subtype: str, rng: random.Random, *, declare: bool = True) -> bytes:
    encoding, payload = body_bytes(text, charset, rng, allow_8bit=True)
    content_type = f'text/{subtype}; charset="{charset}"' if declare else f"text/{subtype}"
    return part([("Content-Type", content_type), ("Content-Transfer-Encoding", encoding)], payload)


def file_part(filename: str, content: bytes, content_type: str, *, inline_cid: str = "") -> bytes:
    encoded = base64.encodebytes(content).replace(b"\n", b"\r\n")
    if inline_cid:
        headers = [
            ("Content-Type", f"{content_type}"),
            ("Content-Transfer-Encoding", "base64"),
            ("Content-ID", f"<{inline_cid}>"),
            ("Content-Disposition", "inline"),
        ]
    else:
        if filename.isascii():
            disposition = f'attachment; filename="{filename}"'
        else:
            disposition = f"attachment; filename*=utf-8''{quote(filename)}"
        headers = [
            ("Content-Type", f'{content_type}; name="{filename if filename.isascii() else "file"}"'),
            ("Content-Transfer-Encoding", "base64"),
            ("Content-Disposition", disposition),
        ]
    return part(headers, encoded)


def quote(text: str) -> str:
    from urllib.parse import quote as url_quote

    return url_quote(text, safe="")


def html_of(text: str, rng: random.Random, *, image_cid: str = "") -> str:
    paragraphs = "\n".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip())
    style = "<style>p{font-family:Arial;font-size:13px} .sig{color:#888}</style>\n" * rng.randint(1, 6)
    image = f'<p><img src="cid:{image_cid}" alt="скриншот" width="640"></p>' if image_cid else ""
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>mail</title>{style}</head>"
        f"<body><div dir='ltr'>{paragraphs}{image}<div class='sig'>--<br>Отправлено из мобильной почты</div>"
        f"<script>track()</script></div></body></html>"
    )


# --- The generator -----------------------------------------------------------------------------------------


class Generator:
    def __init__(self, *, seed: int, tag: str) -> None:
        self.rng = random.Random(seed)
        self.tag = tag
        self.services = load_services()
        self.senders: list[tuple[str, str, str]] = []  # (name, address, language)
        self.new: list[Mail] = []  # registered citizens' mail, parents for replies
        self.started = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

    def sender(self) -> tuple[str, str, str]:
        rng = self.rng
        if self.senders and rng.random() < 0.25:  # some citizens write more than once
            return rng.choice(self.senders)
        language = "kk" if rng.random() < 0.55 else "ru"
        first, last = rng.choice(KK_NAMES if language == "kk" else RU_NAMES)
        login = f"{first.lower().translate(TRANSLIT)}.{last.lower().translate(TRANSLIT)}{rng.randint(1, 99999)}"
        found = (f"{first} {last}", f"{login}@{rng.choice(DOMAINS)}", language)
        self.senders.append(found)
        return found

    def message_id(self, index: int, domain: str) -> str:
        return f"{self.rng.getrandbits(48):012x}.{self.tag}.{index}@{domain}"

    def texts(self, language: str, rcpt: str) -> tuple[str, str]:
        rng = self.rng
        service = rng.choice(self.services)
        if language == "kk":
            name = service["name_kk"]
            subject = rng.choice(PKI_KK) if rcpt.startswith("support@") else name
            detail = str(service.get("instructions_kk") or service.get("description_kk") or "")
            lines = [rng.choice(KK_OPENINGS), rng.choice(KK_ASKS).format(name=name)]
            closing = rng.choice(KK_CLOSINGS)
        else:
            name = service["name_ru"]
            subject = rng.choice(PKI_RU) if rcpt.startswith("support@") else name
            detail = str(service.get("result_ru") or service.get("name_ru") or "")
            lines = [rng.choice(RU_OPENINGS), rng.choice(RU_ASKS).format(name=name)]
            closing = rng.choice(RU_CLOSINGS)
        # Bodies from about 1 KB to ~20 KB of text: some citizens paste whole pages.
        length = log_uniform(rng, 300, 12000)
        filler = (detail.strip() or name) + "\n"
        while sum(len(line) for line in lines) < length:
            lines.append(filler[: rng.randint(80, max(81, len(filler)))].strip())
        lines.append(closing)
        return subject[:200], "\n".join(lines)

    def charset_for(self, language: str) -> str:
        if language == "kk":  # Kazakh letters exist in neither windows-1251 nor KOI8-R
            return "utf-8"
        roll = self.rng.random()
        return "utf-8" if roll < 0.55 else "windows-1251" if roll < 0.85 else "koi8-r"

    def headers(
        self, *, index: int, name: str, address: str, rcpt: str, subject: str, charset: str, mid: str
    ) -> list[tuple[str, str]]:
        rng = self.rng
        subject_charset = "utf-8" if any(ch in "әғқңөұүһіӘҒҚҢӨҰҮҺІ" for ch in subject) else charset
        when = self.started + timedelta(seconds=index * 7 + rng.randint(0, 6))
        return [
            ("Received", f"from mx.{address.split('@')[1]} by mx.nitec.kz; {format_datetime(when)}"),
            ("From", formataddr((encoded_name(name, subject_charset), address))),
            ("To", rcpt),
            ("Subject", encoded_subject(subject, subject_charset, rng)),
            ("Date", format_datetime(when)),
            ("Message-ID", f"<{mid}>"),
            ("MIME-Version", "1.0"),
            ("X-Mailer", rng.choice(("Microsoft Outlook 16.0", "Thunderbird 115", "Mail.Ru", "iPhone Mail"))),
        ]

    def body(self, text: str, charset: str) -> tuple[list[tuple[str, str]], bytes, str, int]:
        """(content headers, body, shape, number of files)."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.52:
            declare = rng.random() > 0.06 or charset == "utf-8"
            encoding, payload = body_bytes(text, charset, rng)
            content_type = f'text/plain; charset="{charset}"' if declare else "text/plain"
            shape = "plain" if declare else "plain-undeclared"
            return [("Content-Type", content_type), ("Content-Transfer-Encoding", encoding)], payload, shape, 0
        if roll < 0.64:
            if rng.random() < 0.35:
                cid = f"image{rng.getrandbits(32):08x}@mail"
                html = text_part(html_of(text, rng, image_cid=cid), charset, "html", rng)
                picture = file_bytes("png", log_uniform(rng, 20_000, 250_000), rng)
                image = file_part("", picture, "image/png", inline_cid=cid)
                headers, body = multipart("related", [html, image], rng, '; type="text/html"')
                return headers, body, "html-inline-image", 1
            encoding, payload = body_bytes(html_of(text, rng), charset, rng)
            headers = [("Content-Type", f'text/html; charset="{charset}"'), ("Content-Transfer-Encoding", encoding)]
            return headers, payload, "html-only", 0
        plain, html = text_part(text, charset, "plain", rng), text_part(html_of(text, rng), charset, "html", rng)
        alternative = multipart("alternative", [plain, html], rng)
        if roll < 0.74:
            return alternative[0], alternative[1], "alternative", 0
        files = self.files()
        first = part(alternative[0], alternative[1]) if rng.random() < 0.5 else text_part(text, charset, "plain", rng)
        headers, body = multipart("mixed", [first, *files], rng)
        return headers, body, "with-files", len(files)

    def files(self) -> list[bytes]:
        rng = self.rng
        budget = log_uniform(rng, 30_000, 1_450_000)  # the whole message stays under ~2 MB once base64-encoded
        count = rng.choice((1, 1, 1, 2, 2, 3))
        parts = []
        for position in range(count):
            kind = rng.choice(("pdf", "pdf", "jpg", "jpg", "png"))
            size = max(2_000, budget // count)
            names = {
                "pdf": ("справка.pdf", "zayavlenie.pdf", "өтініш.pdf", "scan_0001.pdf"),
                "jpg": ("IMG_2024.jpg", "фото_удостоверения.jpg", "скрин.jpg"),
                "png": ("screenshot.png", "қате.png", "ошибка.png"),
            }[kind]
            content_type = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}[kind]
            name = f"{position + 1}_{rng.choice(names)}"
            parts.append(file_part(name, file_bytes(kind, size, rng), content_type))
        return parts

    def make(self, index: int, kind: str, parent: Mail | None = None) -> Mail:
        rng = self.rng
        if parent is not None:
            name, address, language = parent_sender(parent)
            rcpt = parent.rcpt
        else:
            name, address, language = self.sender()
            rcpt = rng.choice(MAILBOXES)
        charset = self.charset_for(language)
        subject, text = self.texts(language, rcpt)
        mid = self.message_id(index, address.split("@")[1])
        thread: list[tuple[str, str]] = []
        if kind == "reply" and parent is not None:
            subject = ("Re: " if language == "ru" else "Жауап: ") + parent_subject(parent)
            quoted = "\n".join("> " + line for line in text.split("\n")[:6])
            text = (text.split("\n")[1] if "\n" in text else text) + f"\n\n{address} wrote:\n" + quoted
            thread = [("In-Reply-To", f"<{parent.message_id}>"), ("References", f"<{parent.message_id}>")]
        elif kind == "ack_reply" and parent is not None:
            subject = "Re: " + parent_subject(parent)
            ack = (ACK_PLACEHOLDER % parent.message_id.encode()).decode()
            thread = [("In-Reply-To", ack), ("References", f"<{parent.message_id}> {ack}")]
        headers = self.headers(
            index=index, name=name, address=address, rcpt=rcpt, subject=subject, charset=charset, mid=mid
        )
        content_headers, body, shape, files = self.body(text, charset)
        raw = part(headers + thread + content_headers, body)
        return Mail(
            index=index,
            message_id=mid,
            raw=raw,
            kind=kind,
            mail_from=address,
            rcpt=rcpt,
            parent=parent.message_id if parent is not None else "",
            language=language,
            charset=charset,
            shape=shape,
            files=files,
        )

    def auto_reply(self, index: int, parent: Mail | None) -> Mail:
        """An out-of-office answer to our acknowledgement (joins the appeal), or one with no thread at all."""
        rng = self.rng
        name, address, language = parent_sender(parent) if parent is not None else self.sender()
        rcpt = parent.rcpt if parent is not None else rng.choice(MAILBOXES)
        mid = self.message_id(index, address.split("@")[1])
        if language == "ru":
            subject, text = "Автоматический ответ: Обращение зарегистрировано", "Я в отпуске до 15 числа."
        else:
            subject, text = "Автожауап: Өтініш тіркелді", "Мен демалыстамын, оралған соң жауап беремін."
        headers = self.headers(
            index=index, name=name, address=address, rcpt=rcpt, subject=subject, charset="utf-8", mid=mid
        )
        headers += [("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes")]
        if parent is not None:
            ack = (ACK_PLACEHOLDER % parent.message_id.encode()).decode()
            headers += [("In-Reply-To", ack), ("References", ack)]
        encoding, payload = body_bytes(text, "utf-8", rng, allow_8bit=False)
        headers += [("Content-Type", 'text/plain; charset="utf-8"'), ("Content-Transfer-Encoding", encoding)]
        raw = part(headers, payload)
        return Mail(
            index=index,
            message_id=mid,
            raw=raw,
            kind="auto_reply" if parent is not None else "auto_new",
            mail_from=address,
            rcpt=rcpt,
            parent=parent.message_id if parent is not None else "",
            language=language,
            shape="auto-reply",
        )

    def bounce(self, index: int, parent: Mail) -> Mail:
        """The citizen's server could not deliver our acknowledgement: a DSN naming our Message-ID."""
        rng = self.rng
        _name, address, _language = parent_sender(parent)
        domain = address.split("@")[1]
        mid = self.message_id(index, f"mx.{domain}")
        ack = (ACK_PLACEHOLDER % parent.message_id.encode()).decode()
        human = text_part(
            f"This is the mail system at host mx.{domain}.\n\nI'm sorry to have to inform you that your message could "
            f"not be delivered to one or more recipients.\n\n<{address}>: mailbox is full",
            "us-ascii",
            "plain",
            rng,
        )
        status = part(
            [("Content-Type", "message/delivery-status")],
            f"Reporting-MTA: dns; mx.{domain}{CRLF}{CRLF}Final-Recipient: rfc822; {address}{CRLF}Action: failed"
            f"{CRLF}Status: 5.2.2{CRLF}".encode(),
        )
        original = part(
            [("Content-Type", "text/rfc822-headers")],
            f"From: 1414 <noreply@1414.kz>{CRLF}To: {address}{CRLF}Subject: Appeal registered{CRLF}"
            f"Message-ID: {ack}{CRLF}".encode(),
        )
        content_headers, body = multipart("report", [human, status, original], rng, "; report-type=delivery-status")
        headers = [
            ("From", f"Mail Delivery System <MAILER-DAEMON@mx.{domain}>"),
            ("To", parent.rcpt),
            ("Subject", "Undelivered Mail Returned to Sender"),
            ("Date", format_datetime(self.started + timedelta(seconds=index * 7))),
            ("Message-ID", f"<{mid}>"),
            ("Auto-Submitted", "auto-replied"),
            ("MIME-Version", "1.0"),
        ]
        return Mail(
            index=index,
            message_id=mid,
            raw=part(headers + content_headers, body),
            kind="bounce",
            mail_from="",
            rcpt=parent.rcpt,
            parent=parent.message_id,
            language=parent.language,
            charset="us-ascii",
            shape="bounce",
        )

    def next(self, index: int) -> Mail:
        rng = self.rng
        roll = rng.random()
        # Parents are citizens' first letters sent at least a few dozen messages earlier.
        parents = self.new[: max(0, len(self.new) - 20)]
        if parents and roll < 0.035:
            original = rng.choice(parents)
            return Mail(**{**original.__dict__, "index": index, "kind": "duplicate", "parent": original.message_id})
        if parents and roll < 0.14:
            return self.make(index, "reply", rng.choice(parents))
        if parents and roll < 0.19:
            return self.make(index, "ack_reply", rng.choice(parents))
        if parents and roll < 0.20:
            return self.auto_reply(index, rng.choice(parents))
        if roll < 0.205:
            return self.auto_reply(index, None)
        if parents and roll < 0.21:
            return self.bounce(index, rng.choice(parents))
        mail = self.make(index, "new")
        self.new.append(mail)
        return mail


def parent_sender(parent: Mail) -> tuple[str, str, str]:
    return ("", parent.mail_from, parent.language)


def parent_subject(parent: Mail) -> str:
    return "Өтініш" if parent.language == "kk" else "Обращение"


def generate(count: int, *, seed: int = 1414, tag: str = "run") -> Corpus:
    generator = Generator(seed=seed, tag=tag)
    return Corpus(mails=[generator.next(index) for index in range(count)], seed=seed)
