"""Which appeal a message continues: ids it answers (ours or the citizen's earlier mail), or the registration
number in its subject when it comes from the appeal's own address."""

from __future__ import annotations

import re
from string import Formatter

from appeals.mail_threading import number_from_message_id
from appeals.models import Appeal
from core.policy import policy
from intake.email.parsing import ParsedMail
from intake.models import InboundMessage


def number_pattern() -> re.Pattern[str]:
    """The registration-number format (POLICY APPEAL_NUMBER_FORMAT) as a pattern."""
    pattern = ""
    for literal, name, _spec, _conversion in Formatter().parse(policy("APPEAL_NUMBER_FORMAT")):
        pattern += re.escape(literal)
        if name == "year":
            pattern += r"\d{4}"
        elif name == "channel":
            pattern += r"[A-Z]"
        elif name is not None:
            pattern += r"\d+"
    return re.compile(rf"(?<![\w-]){pattern}(?![\w-])")


def appeal_continued_by(mail: ParsedMail, sender: str) -> Appeal | None:
    for message_id in mail.thread_ids:
        appeal = _appeal_for_id(message_id)
        if appeal is not None:
            return appeal
    if not sender:
        return None
    for number in number_pattern().findall(mail.subject):
        appeal = Appeal.objects.filter(number=number, email__iexact=sender).first()
        if appeal is not None:
            return appeal
    return None


def _appeal_for_id(message_id: str) -> Appeal | None:
    number = number_from_message_id(message_id)
    if number:
        return Appeal.objects.filter(number=number).first()
    earlier = InboundMessage.objects.filter(key=message_id[:255], appeal__isnull=False).select_related("appeal").first()
    return earlier.appeal if earlier is not None else None
