"""Real raw messages, as citizens' mail clients and mail servers write them, read by `parse_mail`."""

from __future__ import annotations

import base64
from email import message_from_bytes
from email import policy as email_policy
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.utils import make_msgid

import pytest

from intake.email.parsing import parse_mail
from intake.tests.conftest import (
    PDF,
    PNG,
    bounce_mail,
    encoded_words,
    html_only_mail,
    legacy_mail,
    mail_with_files,
    out_of_office_mail,
    plain_mail,
)

RUSSIAN_TEXT = "Здравствуйте! Прошу помочь с получением справки о несудимости через портал."
KAZAKH_SUBJECT = "Жеке куәлікті ауыстыру туралы өтініш"
OUR_ACK_ID = "<ack.2025-E-0000042.0123456789abcdef@1414.kz>"


# --- Charsets ------------------------------------------------------------------------------------------


def test_windows_1251_message_with_a_kazakh_subject_in_encoded_words() -> None:
    # given: Outlook on a Russian Windows: body in windows-1251, the Kazakh subject (letters windows-1251 lacks)
    # in UTF-8 encoded words after a windows-1251 one, the sender's name encoded too
    subject = encoded_words("Обращение: ", "windows-1251") + "\r\n " + encoded_words(KAZAKH_SUBJECT, "utf-8")
    raw = legacy_mail(
        body=RUSSIAN_TEXT.encode("cp1251"),
        subject=subject,
        charset="windows-1251",
        from_header=encoded_words("Серік Жұмабаев", "utf-8") + " <serik@example.kz>",
    )
    assert KAZAKH_SUBJECT.encode() not in raw and RUSSIAN_TEXT.encode() not in raw
    # when
    mail = parse_mail(raw)
    # then
    assert mail.subject == f"Обращение: {KAZAKH_SUBJECT}"
    assert mail.text == RUSSIAN_TEXT
    assert (mail.sender_name, mail.sender_email) == ("Серік Жұмабаев", "serik@example.kz")
    assert mail.language == "kk"


@pytest.mark.parametrize("declared", [None, "us-ascii", "utf-8"], ids=["undeclared", "ascii", "wrong-utf8"])
def test_windows_1251_body_whose_charset_is_missing_or_wrong(declared: str | None) -> None:
    # given
    raw = legacy_mail(body=RUSSIAN_TEXT.encode("cp1251"), subject="Spravka", charset=declared)
    # when
    mail = parse_mail(raw)
    # then
    assert mail.text == RUSSIAN_TEXT
    assert mail.language == "ru"


def test_raw_8bit_windows_1251_headers_are_read() -> None:
    # given: an old mailer that puts windows-1251 bytes straight into the headers, no encoded words
    raw = legacy_mail(
        body=RUSSIAN_TEXT.encode("cp1251"),
        subject="Справка о несудимости".encode("cp1251"),
        from_header="Иван Петров".encode("cp1251") + b" <ivan@example.kz>",
        charset=None,
    )
    # when
    mail = parse_mail(raw)
    # then
    assert mail.subject == "Справка о несудимости"
    assert (mail.sender_name, mail.sender_email) == ("Иван Петров", "ivan@example.kz")


def test_raw_utf8_headers_of_an_internationalised_mailer_are_read() -> None:
    # given: SMTPUTF8 mail (RFC 6532): UTF-8 straight in the headers
    raw = legacy_mail(
        body="Сәлем!".encode(),
        subject=KAZAKH_SUBJECT.encode(),
        from_header="Айгүл Серікқызы".encode() + b" <aigul@example.kz>",
        charset="utf-8",
    )
    # when
    mail = parse_mail(raw)
    # then
    assert (mail.subject, mail.sender_name, mail.sender_email) == (
        KAZAKH_SUBJECT,
        "Айгүл Серікқызы",
        "aigul@example.kz",
    )


def test_koi8_r_message_declared() -> None:
    # given
    raw = legacy_mail(body=RUSSIAN_TEXT.encode("koi8-r"), subject=encoded_words("Справка", "koi8-r"), charset="koi8-r")
    assert b"koi8-r" in raw.lower()
    # when
    mail = parse_mail(raw)
    # then
    assert (mail.subject, mail.text, mail.language) == ("Справка", RUSSIAN_TEXT, "ru")


def test_koi8_r_body_without_a_declared_charset() -> None:
    # given: KOI8-R bytes decode without error as windows-1251 too, into nonsense ("зДТБЧУФЧХКФЕ")
    raw = legacy_mail(body=RUSSIAN_TEXT.encode("koi8-r"), subject="Spravka", charset=None)
    # when
    mail = parse_mail(raw)
    # then
    assert mail.text == RUSSIAN_TEXT


@pytest.mark.parametrize("transfer", ["base64", "quoted-printable"])
def test_utf8_kazakh_text_in_base64_and_quoted_printable(transfer: str) -> None:
    # given
    text = "Сәлеметсіз бе! ЭЦҚ кілтін қалай жаңартуға болады? Рақмет."
    message = EmailMessage()
    message["Subject"] = "ЭЦҚ кілті"
    message["From"] = "Дәурен <dauren@example.kz>"
    message["To"] = "support@pki.gov.kz"
    message["Message-ID"] = make_msgid(domain="example.kz")
    message.set_content(text, charset="utf-8", cte=transfer)
    raw = message.as_bytes()
    assert f"Content-Transfer-Encoding: {transfer}".encode() in raw and text.encode() not in raw
    # when
    mail = parse_mail(raw)
    # then
    assert mail.text == text
    assert (mail.subject, mail.sender_name, mail.language) == ("ЭЦҚ кілті", "Дәурен", "kk")


# --- HTML and inline images ----------------------------------------------------------------------------

HOSTILE_HTML = """<html><head><title>Письмо</title>
<style>p { color: red } .x::after { content: "style-leak" }</style>
<script>document.write("script-leak")</script></head>
<body><!--[if mso]><p>comment-leak</p><![endif]-->
<p>Сәлеметсіз бе!&nbsp;Менің <b>ЭЦҚ</b> кілтім &lt;жұмыс істемейді&gt; &amp; қате шығады.</p>
<div>Скриншот: <img src="cid:screen1@example.kz" alt="қате терезесі"></div>
<script type="text/javascript">alert("script-leak")</script>
<p onclick="steal()">Рақмет</p></body></html>"""


def test_html_only_mail_becomes_safe_text_with_inline_images_kept() -> None:
    # given: HTML only, with a script and a style, and the screenshot it shows inline (cid)
    raw = html_only_mail(HOSTILE_HTML, images=[("screen1@example.kz", PNG)])
    # when
    mail = parse_mail(raw)
    # then
    assert mail.html_only
    assert "Сәлеметсіз бе! Менің ЭЦҚ кілтім <жұмыс істемейді> & қате шығады." in mail.text
    assert "[қате терезесі]" in mail.text and "Рақмет" in mail.text
    for leak in ("script-leak", "style-leak", "comment-leak", "color", "steal", "<b>", "<p", "Письмо"):
        assert leak not in mail.text
    assert [(f.filename, f.inline, f.declared_type, f.content) for f in mail.attachments] == [
        ("screen1.png", True, "image/png", PNG)
    ]


def test_plain_and_html_alternatives_keep_the_plain_text_and_no_html_file() -> None:
    # given
    message = EmailMessage()
    message["Subject"] = "Вопрос"
    message["From"] = "ivan@example.kz"
    message.set_content("Простой текст письма.")
    message.add_alternative("<p>HTML-вариант <b>письма</b>.</p>", subtype="html")
    # when
    mail = parse_mail(message.as_bytes())
    # then
    assert (mail.text, mail.html_only, mail.attachments) == ("Простой текст письма.", False, ())


# --- Attachments and empty mail ---------------------------------------------------------------------------


def test_attachments_with_cyrillic_names_are_taken_with_their_bytes() -> None:
    # given
    raw = mail_with_files([("анықтама.pdf", PDF, "application/pdf"), ("фото.png", PNG, "image/png")])
    # when
    mail = parse_mail(raw)
    # then
    assert mail.text == "Құжаттар қоса беріледі."
    assert [(f.filename, f.content, f.inline) for f in mail.attachments] == [
        ("анықтама.pdf", PDF, False),
        ("фото.png", PNG, False),
    ]


def test_message_with_no_body_at_all() -> None:
    # given: headers and nothing else
    raw = b"From: aigul@example.kz\r\nTo: egov@nitec.kz\r\nSubject: =?utf-8?b?0JbQtdC60LUg0LrRg9OZ0LvRltC6?=\r\n\r\n"
    # when
    mail = parse_mail(raw)
    # then
    assert (mail.subject, mail.text, mail.attachments) == ("Жеке куәлік", "", ())
    assert mail.message_id.startswith("sha256:")


def test_message_with_only_attachments() -> None:
    # given: a phone's "share" button: a file and no text part at all
    message = MIMEMultipart()
    message["Subject"] = "Scan"
    message["From"] = "aigul@example.kz"
    part = MIMEApplication(PDF, _subtype="pdf")
    part.add_header("Content-Disposition", "attachment", filename="scan.pdf")
    message.attach(part)
    # when
    mail = parse_mail(message.as_bytes())
    # then
    assert mail.text == ""
    assert [(f.filename, f.content) for f in mail.attachments] == [("scan.pdf", PDF)]


@pytest.mark.parametrize("own_text", ["Қараңыз, төмендегі хат.", ""], ids=["with-own-text", "forward-only"])
def test_forwarded_letter_text_kept_and_the_letter_itself_as_a_file(own_text: str) -> None:
    # given: the citizen forwards a letter they got, as an attachment (Thunderbird, Outlook "forward as attachment")
    inner = message_from_bytes(
        plain_mail(subject="Анықтама", text="Ішкі хат мәтіні.", sender="akimat@example.kz", name="Әкімдік"),
        policy=email_policy.default,
    )
    forward = EmailMessage()
    forward["From"] = "aigul@example.kz"
    forward["Subject"] = "Fwd: Анықтама"
    if own_text:
        forward.set_content(own_text)
    forward.add_attachment(inner)
    # when
    mail = parse_mail(forward.as_bytes())
    # then
    expected_forward = "---- Әкімдік <akimat@example.kz> · Анықтама ----\nІшкі хат мәтіні."
    assert mail.text == (f"{own_text}\n\n{expected_forward}" if own_text else expected_forward)
    [file] = mail.attachments
    assert (file.filename, file.declared_type) == ("forwarded.eml", "message/rfc822")
    assert b"akimat@example.kz" in file.content


# --- Machines: bounces, auto-replies, lists, no-reply senders -------------------------------------------------


def _our_ack() -> EmailMessage:
    ack = EmailMessage()
    ack["From"] = "1414 <noreply@1414.kz>"
    ack["To"] = "aigul@example.kz"
    ack["Subject"] = "Өтінішіңіз 2025-E-0000042 нөмірімен тіркелді"
    ack["Message-ID"] = OUR_ACK_ID
    ack["Auto-Submitted"] = "auto-replied"
    ack.set_content("Өтінішіңіз тіркелді.")
    return ack


@pytest.mark.parametrize("whole_message", [False, True], ids=["headers-only", "whole-message"])
def test_bounce_is_automatic_and_names_the_mail_it_returns(whole_message: bool) -> None:
    # given
    raw = b"Return-Path: <>\r\n" + bounce_mail(
        undelivered=_our_ack(), recipient="aigul@example.kz", whole_message=whole_message
    )
    # when
    mail = parse_mail(raw)
    # then
    assert mail.automatic
    assert OUR_ACK_ID.strip("<>") in mail.thread_ids
    assert mail.sender_email == "MAILER-DAEMON@mx.example.kz"
    assert "could not" in mail.text and "Reporting-MTA" not in mail.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"Precedence": "auto_reply"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Out of office"},
        {"List-Id": "Жаңалықтар <news.lists.example.kz>", "Precedence": "list"},
        {"List-Unsubscribe": "<mailto:unsubscribe@lists.example.kz>"},
        {"Return-Path": "<>"},
    ],
    ids=lambda headers: "+".join(headers),
)
def test_mail_marked_as_automatic(headers: dict[str, str]) -> None:
    # when
    mail = parse_mail(out_of_office_mail(headers=headers))
    # then
    assert mail.automatic


@pytest.mark.parametrize(
    "sender", ["noreply@egov.kz", "no-reply@kaspi.kz", "do-not-reply@bank.kz", "mailer-daemon@mail.kz"]
)
def test_no_reply_senders_are_automatic(sender: str) -> None:
    assert parse_mail(plain_mail(sender=sender)).automatic


def test_a_citizen_letter_is_not_automatic() -> None:
    # given: "Auto-Submitted: no" is what a person's mail client may write
    raw = plain_mail(sender="noreplyer.aigul@example.kz", headers={"Auto-Submitted": "no", "Precedence": "normal"})
    # when
    mail = parse_mail(raw)
    # then
    assert not mail.automatic


def test_reply_ids_nearest_first() -> None:
    # given: a reply naming our acknowledgement after the citizen's first mail
    raw = plain_mail(headers={"In-Reply-To": OUR_ACK_ID, "References": f"<first@example.kz> {OUR_ACK_ID}"})
    # when
    mail = parse_mail(raw)
    # then
    assert mail.thread_ids == [OUR_ACK_ID.strip("<>"), "first@example.kz"]


def test_encoded_words_in_an_unknown_charset_do_not_break_parsing() -> None:
    # given: a mailer naming a charset Python does not know
    raw = legacy_mail(
        body="Сәлем".encode(),
        subject="=?x-unknown-kz?B?" + base64.b64encode("Сәлем".encode()).decode() + "?=",
        charset="utf-8",
    )
    # when
    mail = parse_mail(raw)
    # then: the letter is read, and the subject's bytes (UTF-8 here) are still made sense of
    assert (mail.text, mail.subject) == ("Сәлем", "Сәлем")


def test_header_encoded_in_windows_1251_with_kazakh_letters_of_kz_1048() -> None:
    # given: the Kazakh Windows code page (KZ-1048) names its letters in encoded words
    raw = legacy_mail(body=b"ok", subject=str(Header(KAZAKH_SUBJECT, "kz1048").encode()), charset="us-ascii")
    # when
    mail = parse_mail(raw)
    # then
    assert mail.subject == KAZAKH_SUBJECT
