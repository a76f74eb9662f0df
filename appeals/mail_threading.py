"""Message-IDs of the mails sent to citizens, so that their replies find the appeal and their mail client shows
one conversation.

Each id carries the registration number and a keyed digest of it: a reply naming one of our ids joins that appeal,
and an id nobody was sent cannot be made up.
"""

from __future__ import annotations

import re
from email.utils import parseaddr

from django.conf import settings
from django.utils.crypto import salted_hmac

from appeals.choices import Channel
from appeals.models import Appeal

_SALT = "appeals.mail-threading"
_OUR_ID = re.compile(r"^(?P<kind>ack|answer-\d+)\.(?P<number>[^@]+)\.(?P<token>[0-9a-f]{16})@(?P<domain>[^@>]+)$")


def message_id_domain() -> str:
    configured = getattr(settings, "MAIL_MESSAGE_ID_DOMAIN", "")
    return configured or parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "bailanys.local"


def _token(kind: str, number: str) -> str:
    return salted_hmac(_SALT, f"{kind}:{number}").hexdigest()[:16]


def outbound_message_id(appeal: Appeal, kind: str) -> str:
    """`kind` is "ack" or "answer-<event id>"; the same mail always gets the same id (a resend is one mail)."""
    return f"<{kind}.{appeal.number}.{_token(kind, appeal.number)}@{message_id_domain()}>"


def number_from_message_id(message_id: str) -> str:
    """The registration number named by one of our ids ("" for anyone else's or a forged one)."""
    match = _OUR_ID.match(message_id.strip().strip("<>"))
    if match is None or match["token"] != _token(match["kind"], match["number"]):
        return ""
    return match["number"]


def citizen_message_id(appeal: Appeal) -> str:
    """The Message-ID of the citizen's first mail, when the appeal came by e-mail with one."""
    reference = appeal.channel_ref
    if appeal.channel != Channel.EMAIL or not reference or reference.startswith("sha256:"):
        return ""
    return f"<{reference.strip('<>')}>"


def thread_headers(appeal: Appeal, kind: str) -> dict[str, str]:
    """Message-ID, and In-Reply-To / References pointing at the citizen's mail and our acknowledgement."""
    headers = {"Message-ID": outbound_message_id(appeal, kind)}
    chain = [citizen_message_id(appeal)]
    if kind != "ack":
        chain.append(outbound_message_id(appeal, "ack"))
    chain = [item for item in chain if item]
    if chain:
        headers["In-Reply-To"] = chain[0]
        headers["References"] = " ".join(chain)
    return headers
