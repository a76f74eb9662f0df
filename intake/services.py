"""The write path of e-mail intake: keep the message durably first, then register it exactly once.

`accept_message` answers the SMTP session or the IMAP poller only after the raw message is committed;
`register_message` turns it into an appeal (or adds it to the appeal it continues) in one transaction with the
message's own status, so a worker killed, a database restarted or a task delivered twice changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from appeals.choices import Channel
from appeals.models import Appeal
from appeals.services import add_attachments, add_citizen_message, register_appeal
from appeals.validation import SUBJECT_MAX_CHARS, clean_email
from audit.services import record_event
from core.policy import policy
from intake.email.parsing import ParsedMail, message_key, parse_mail, strip_quoted
from intake.mailboxes import our_addresses
from intake.models import AckDecision, InboundMessage, InboundSource, InboundStatus
from intake.threading import appeal_continued_by

logger = logging.getLogger(__name__)
NAME_MAX_CHARS = 300


@dataclass(frozen=True)
class Accepted:
    message: InboundMessage
    created: bool


# --- Taking a message in ----------------------------------------------------------------------------------


def accept_message(*, raw: bytes, mailbox: str = "", source: str = InboundSource.SMTP) -> Accepted:
    """Store the raw message (once per key) and queue its registration after commit."""
    key = message_key(raw)
    existing = InboundMessage.objects.filter(key=key).first()
    if existing is not None:
        return Accepted(message=existing, created=False)
    name = _store_raw(raw)
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                key=key, mailbox=mailbox.lower(), source=source, raw=name, size=len(raw)
            )
            message_id = message.pk
            transaction.on_commit(lambda: queue_registration(message_id))
    except IntegrityError:
        # The same message arrived through another session between our look-up and our insert.
        return Accepted(message=InboundMessage.objects.get(key=key), created=False)
    return Accepted(message=message, created=True)


def _store_raw(raw: bytes) -> str:
    digest = hashlib.sha256(raw).hexdigest()
    name = f"intake/raw/{digest[:2]}/{digest}.eml"
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(raw))


def queue_registration(message_id: int) -> None:
    """Send the registration task; if the broker is away the stored message is picked up by `requeue_stored`."""
    from intake.tasks import register_message_task

    try:
        register_message_task.delay(message_id)
    except Exception:  # the broker is down: the message is safe in the database
        logger.warning("intake: could not queue message %s; it will be queued again", message_id, exc_info=True)


def requeue_stored(*, older_than_seconds: int | None = None) -> int:
    """Queue again the messages still stored after a while (a lost task, a broker that lost its queue)."""
    wait = settings.INTAKE_REQUEUE_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    cutoff = timezone.now() - timedelta(seconds=wait)
    pending = list(
        InboundMessage.objects.filter(status=InboundStatus.STORED, received_at__lte=cutoff).values_list("pk", flat=True)
    )
    for message_id in pending:
        queue_registration(message_id)
    return len(pending)


# --- Registering it -------------------------------------------------------------------------------------


def register_message(*, message_id: int) -> str:
    """Register the stored message as an appeal, or add it to the appeal it continues; returns the status.

    The message row is locked and its status checked first: a second run of the same task does nothing.
    """
    try:
        with transaction.atomic():
            message = InboundMessage.objects.select_for_update().filter(pk=message_id).first()
            if message is None or message.status != InboundStatus.STORED:
                return message.status if message is not None else ""
            with message.raw.open("rb") as handle:
                mail = parse_mail(handle.read())
            _register_or_join(message, mail)
            return message.status
    except ValidationError as error:
        return _mark_failed(message_id, error)


def _register_or_join(message: InboundMessage, mail: ParsedMail) -> None:
    sender = _sender(mail)
    automatic = mail.automatic or sender in our_addresses()
    message.automatic = automatic
    message.sender_digest = _digest(sender)
    appeal = appeal_continued_by(mail, sender)
    if appeal is not None:
        _join(message, appeal, mail, automatic=automatic)
    else:
        _register(message, mail, sender=sender, automatic=automatic)
    message.processed_at = timezone.now()
    message.attempts += 1
    message.save()


def _join(message: InboundMessage, appeal: Appeal, mail: ParsedMail, *, automatic: bool) -> None:
    text = strip_quoted(mail.text) if not automatic else mail.subject
    add_citizen_message(appeal=appeal, text=text or mail.subject, source_ref=message.key, automatic=automatic)
    if not automatic:
        add_attachments(appeal=appeal, files=mail.attachments, source_ref=message.key)
    message.appeal, message.status, message.acknowledgement = appeal, InboundStatus.JOINED, AckDecision.JOINED


def _register(message: InboundMessage, mail: ParsedMail, *, sender: str, automatic: bool) -> None:
    decision = _acknowledgement(sender, automatic=automatic)
    with translation.override(mail.language):
        subject = mail.subject[:SUBJECT_MAX_CHARS] or _("Letter without a subject")
        text = _appeal_text(mail)
    registration = register_appeal(
        channel=Channel.EMAIL,
        channel_ref=message.key,
        subject=subject,
        text=text,
        language=mail.language,
        citizen_name=mail.sender_name[:NAME_MAX_CHARS],
        email=sender,
        acknowledge=decision == AckDecision.SENT,
    )
    if registration.created:
        add_attachments(appeal=registration.appeal, files=mail.attachments, source_ref=message.key)
    message.appeal, message.status, message.acknowledgement = registration.appeal, InboundStatus.REGISTERED, decision


def _appeal_text(mail: ParsedMail) -> str:
    """The mail's text within the registry's limit; an empty mail says so (its files may be all it has)."""
    limit = policy("APPEAL_TEXT_MAX_CHARS")
    text = mail.text
    if len(text) > limit:
        marker = "\n\n" + _("[The text is cut here; the whole letter is kept with the appeal.]")
        text = text[: limit - len(marker)] + marker
    if not text:
        text = _("The letter has no text.") if not mail.attachments else _("The letter has no text, only files.")
    return text


def _sender(mail: ParsedMail) -> str:
    """The address to answer: From, else Reply-To; "" when neither is a valid address."""
    for candidate in (mail.sender_email, mail.reply_to):
        try:
            address = clean_email(candidate)
        except ValidationError:
            continue
        if address:
            return address
    return ""


def _acknowledgement(sender: str, *, automatic: bool) -> str:
    if automatic:
        return AckDecision.AUTOMATIC
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = InboundMessage.objects.filter(
        sender_digest=_digest(sender), acknowledgement=AckDecision.SENT, processed_at__gte=hour_ago
    ).count()
    if recent >= policy("INTAKE_ACKS_PER_SENDER_PER_HOUR"):
        return AckDecision.RATE_LIMITED
    return AckDecision.SENT


def _digest(address: str) -> str:
    return hashlib.sha256(address.lower().encode()).hexdigest() if address else ""


def _mark_failed(message_id: int, error: ValidationError) -> str:
    """Kept as failed with the reason (no address to answer, for instance): an operator sees it, nothing is lost."""
    with transaction.atomic():
        message = InboundMessage.objects.select_for_update().get(pk=message_id)
        if message.status != InboundStatus.STORED:
            return message.status
        message.status = InboundStatus.FAILED
        message.error = "; ".join(
            f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in _errors(error)
        )
        message.processed_at = timezone.now()
        message.attempts += 1
        message.save()
        record_event(
            action="intake.message_failed", target=message, details={"fields": [f for f, _m in _errors(error)]}
        )
    return message.status


def _errors(error: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(error, "error_dict"):
        return [
            (field, [str(m) for m in ValidationError(errors).messages]) for field, errors in error.error_dict.items()
        ]
    return [("message", [str(m) for m in error.messages])]
