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
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from appeals.choices import Channel
from appeals.models import Appeal
from appeals.services import add_attachments, add_citizen_message, register_appeal
from appeals.validation import SUBJECT_MAX_CHARS, clean_email
from audit.services import appended_together, record_event
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
            acknowledge: list[int] = []
            _register_or_join(message, _parsed(message), acknowledge)
            _acknowledge_on_commit(acknowledge)
            return message.status
    except ValidationError as error:
        return _mark_failed(message_id, error)


def register_stored(*, message_id: int, batch: int | None = None) -> str:
    """Register the stored message together with up to `batch` - 1 others waiting (oldest first), in one
    transaction; returns the status of `message_id`. Mail that queues up is registered with one commit and one
    append to the audit chain per batch instead of per message.

    Each message is still registered exactly once: the batch takes only stored rows nobody else holds, locked until
    it commits. A message held elsewhere (another worker's batch) is waited for on its own afterwards. When any
    message of the batch cannot be registered, the batch is rolled back and each message registered on its own, so
    the one that fails is marked failed and the others are registered.
    """
    status = InboundMessage.objects.filter(pk=message_id).values_list("status", flat=True).first()
    if status != InboundStatus.STORED:
        return status or ""  # done meanwhile (a batch took it), or gone
    size = settings.INTAKE_REGISTRATION_BATCH if batch is None else batch
    claimed: list[int] = []
    try:
        statuses = _register_batch(message_id, size, claimed)
    except (OperationalError, InterfaceError):
        raise  # the database is away: the task tries again, nothing of the batch was kept
    except Exception:
        logger.warning("intake: a batch of %d could not be registered; one by one", len(claimed), exc_info=True)
        statuses = _register_each(claimed)
    return statuses.get(message_id) or register_message(message_id=message_id)


def _register_batch(message_id: int, size: int, claimed: list[int]) -> dict[int, str]:
    """Claim up to `size` stored messages (`message_id` first when it is free) and register them; their ids are
    put in `claimed` as soon as they are known."""
    first = Case(When(pk=message_id, then=Value(0)), default=Value(1), output_field=IntegerField())
    with transaction.atomic(), appended_together():
        messages = list(
            InboundMessage.objects.select_for_update(skip_locked=True)
            .filter(status=InboundStatus.STORED)
            .order_by(first, "pk")[: max(1, size)]
        )
        claimed.extend(message.pk for message in messages)
        # Parsed first: the registrations that follow hold the year's number counter until the commit.
        parsed = [(message, _parsed(message)) for message in messages]
        acknowledge: list[int] = []
        for message, mail in parsed:
            _register_or_join(message, mail, acknowledge)
        _acknowledge_on_commit(acknowledge)
    return {message.pk: message.status for message in messages}


def _register_each(claimed: list[int]) -> dict[int, str]:
    """The batch's messages in turn, each in its own transaction. A message that cannot be registered is marked
    failed with the reason (it would fail every batch it is taken into); the database or the file storage being
    away is raised, for the task to try again."""
    statuses: dict[int, str] = {}
    for pk in claimed:
        try:
            statuses[pk] = register_message(message_id=pk)
        except (OperationalError, InterfaceError, OSError):
            raise
        except Exception as error:
            logger.exception("intake: message %s could not be registered", pk)
            statuses[pk] = _mark_failed(pk, error)
    return statuses


def _parsed(message: InboundMessage) -> ParsedMail:
    with message.raw.open("rb") as handle:
        return parse_mail(handle.read())


# What registering decides about a message (saved with it; nothing else of its row changes).
_DECIDED = ("automatic", "sender_digest", "appeal", "status", "acknowledgement")


def _acknowledge_on_commit(appeal_ids: list[int]) -> None:
    """One task mails the acknowledgements of the appeals registered together, once they are committed."""
    from appeals.tasks import send_acknowledgements

    if appeal_ids:
        transaction.on_commit(lambda: send_acknowledgements.delay(appeal_ids))


def _register_or_join(message: InboundMessage, mail: ParsedMail, acknowledge: list[int]) -> None:
    """Decide and write what `message` becomes; the appeals to acknowledge are added to `acknowledge`."""
    sender = _sender(mail)
    automatic = mail.automatic or sender in our_addresses()
    message.automatic = automatic
    message.sender_digest = _digest(sender)
    appeal = appeal_continued_by(mail, sender)
    if appeal is not None:
        _join(message, appeal, mail, automatic=automatic)
    else:
        _register(message, mail, sender=sender, automatic=automatic, acknowledge=acknowledge)
    message.processed_at = timezone.now()
    message.attempts += 1
    message.save(update_fields=[*_DECIDED, "processed_at", "attempts"])


def _join(message: InboundMessage, appeal: Appeal, mail: ParsedMail, *, automatic: bool) -> None:
    text = strip_quoted(mail.text) if not automatic else mail.subject
    add_citizen_message(appeal=appeal, text=text or mail.subject, source_ref=message.key, automatic=automatic)
    if not automatic:
        add_attachments(appeal=appeal, files=mail.attachments, source_ref=message.key)
    message.appeal, message.status, message.acknowledgement = appeal, InboundStatus.JOINED, AckDecision.JOINED


def _register(
    message: InboundMessage, mail: ParsedMail, *, sender: str, automatic: bool, acknowledge: list[int]
) -> None:
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
        acknowledge=False,  # acknowledged with the others registered in the same transaction
    )
    if registration.created:
        add_attachments(appeal=registration.appeal, files=mail.attachments, source_ref=message.key)
        if decision == AckDecision.SENT and registration.appeal.email:
            acknowledge.append(registration.appeal.pk)
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


def _mark_failed(message_id: int, error: Exception) -> str:
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


def _errors(error: Exception) -> list[tuple[str, list[str]]]:
    if not isinstance(error, ValidationError):
        return [("message", [_("Internal error: %(error)s") % {"error": f"{type(error).__name__}: {error}"}])]
    if hasattr(error, "error_dict"):
        return [
            (field, [str(m) for m in ValidationError(errors).messages]) for field, errors in error.error_dict.items()
        ]
    return [("message", [str(m) for m in error.messages])]
