"""The write path of the registry: every change to an appeal goes through one of these functions.

Each function runs in one transaction, locks the appeal row, records an `AppealEvent` (the history
its users read) and an audit event (the tamper-evident trail), and queues follow-up work on commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appeals.attachments import IncomingFile, refusal_for, sniff_type
from appeals.choices import (
    ALLOWED_TRANSITIONS,
    CHANNEL_LETTERS,
    EMAIL_ANSWER_CHANNELS,
    AppealEventKind,
    AppealStatus,
    Channel,
)
from appeals.models import Appeal, AppealArticle, AppealAttachment, AppealEvent, AppealNumberSequence
from appeals.validation import (
    CleanRegistration,
    clean_channel_ref,
    clean_long_text,
    clean_registration,
    under_field,
)
from audit.services import appended_together, record_event
from core.policy import policy
from core.sequences import take_next_in_year
from core.text import clean_text
from directory.models import Organisation, Service, Territory
from knowledge.choices import Language
from knowledge.models import Article

NOTE_MAX_CHARS = 2000
# Reopening puts an answered or referred appeal back into work; a closed appeal stays closed.
REOPENABLE = frozenset({AppealStatus.ANSWERED, AppealStatus.REFERRED})


@dataclass(frozen=True)
class Registration:
    appeal: Appeal
    created: bool


# --- Registration ---------------------------------------------------------------------------------


def register_appeal(
    *,
    channel: str,
    subject: str,
    text: str = "",
    language: str = "kk",
    channel_ref: str = "",
    citizen_name: str = "",
    phone: str = "",
    email: str = "",
    iin: str = "",
    service: Service | None = None,
    organisation: Organisation | None = None,
    territory: Territory | None = None,
    received_at: datetime | None = None,
    actor: Any = None,
    acknowledge: bool = True,
    files: Sequence[IncomingFile] = (),
) -> Registration:
    """Register one contact; idempotent on (channel, channel_ref) when the channel gives its own id.

    `files` are kept with the appeal in the same transaction (those over the limits recorded as refused), so the
    acknowledgement lists what was not accepted; a repeated registration finds the appeal and stores nothing again.
    `acknowledge=False` registers without mailing the acknowledgement (auto-replies, bounces, mail loops).
    """
    reference = clean_channel_ref(channel_ref)
    existing = _find_registered(channel, reference)
    if existing is not None:
        return Registration(appeal=existing, created=False)
    cleaned = clean_registration(
        channel=channel,
        channel_ref=reference,
        subject=subject,
        text=text,
        language=language,
        citizen_name=citizen_name,
        phone=phone,
        email=email,
        iin=iin,
        received_at=received_at,
    )
    try:
        with transaction.atomic():
            appeal = _create_appeal(
                cleaned,
                service=service,
                organisation=organisation,
                territory=territory,
                actor=actor,
                acknowledge=acknowledge,
            )
            if files:
                add_attachments(appeal=appeal, files=files)
    except IntegrityError:
        # Another request registered the same channel id between our look-up and our insert.
        existing = _find_registered(channel, reference)
        if existing is None:
            raise
        return Registration(appeal=existing, created=False)
    return Registration(appeal=appeal, created=True)


def _find_registered(channel: str, reference: str) -> Appeal | None:
    if not reference:
        return None
    return Appeal.objects.filter(channel=channel, channel_ref=reference).first()


def _create_appeal(
    cleaned: CleanRegistration,
    *,
    service: Service | None,
    organisation: Organisation | None,
    territory: Territory | None,
    actor: Any,
    acknowledge: bool = True,
) -> Appeal:
    appeal = Appeal(
        number=next_registration_number(channel=cleaned.channel, received_at=cleaned.received_at),
        channel=cleaned.channel,
        channel_ref=cleaned.channel_ref,
        citizen_name=cleaned.citizen_name,
        phone=cleaned.phone,
        email=cleaned.email,
        iin=cleaned.iin,
        language=cleaned.language,
        subject=cleaned.subject,
        text=cleaned.text,
        service=service,
        organisation=organisation,
        territory=territory,
        received_at=cleaned.received_at,
    )
    appeal.save(force_insert=True)
    _add_event(appeal, AppealEventKind.REGISTERED, actor=actor, to_status=AppealStatus.REGISTERED)
    record_event(action="appeal.registered", actor=actor, target=appeal, details=_registration_details(appeal))
    if appeal.email and acknowledge:
        from appeals.tasks import send_acknowledgement

        appeal_id = appeal.pk
        transaction.on_commit(lambda: send_acknowledgement.delay(appeal_id))
    return appeal


def _registration_details(appeal: Appeal) -> dict[str, Any]:
    """What the audit trail keeps about a registration: no raw personal data."""
    return {
        "number": appeal.number,
        "channel": appeal.channel,
        "language": appeal.language,
        "service_id": appeal.service_id,
        "organisation_id": appeal.organisation_id,
        "has_phone": bool(appeal.phone),
        "has_email": bool(appeal.email),
        "has_iin": bool(appeal.iin),
        "has_name": bool(appeal.citizen_name),
    }


def next_registration_number(*, channel: str, received_at: datetime) -> str:
    """The next number of the year (Asia/Almaty) in the format set by APPEAL_NUMBER_FORMAT."""
    year = timezone.localtime(received_at).year
    seq = take_next_in_year(AppealNumberSequence, year=year)
    return policy("APPEAL_NUMBER_FORMAT").format(year=year, channel=CHANNEL_LETTERS[Channel(channel)], seq=seq)


# --- What the citizen sends after registration ------------------------------------------------------


def add_attachments(*, appeal: Appeal, files: Iterable[IncomingFile], source_ref: str = "") -> list[AppealAttachment]:
    """Keep the files sent with the appeal; those over the limits or of a refused type are recorded as refused.

    Files are stored under their SHA-256, so a retried registration writes nothing twice.
    """
    files = list(files)
    if not files:
        return []
    accepted_before = appeal.attachments.filter(refusal="").count()
    added = []
    for file in files:
        refusal = refusal_for(file, position=accepted_before)
        attachment = AppealAttachment(
            appeal=appeal,
            filename=clean_text(file.filename)[:255] or "attachment",
            size=len(file.content),
            refusal=refusal,
            inline=file.inline,
            source_ref=clean_channel_ref(source_ref),
        )
        if not refusal:
            _store_content(attachment, file)
            accepted_before += 1
        attachment.save()
        added.append(attachment)
    if added:
        record_event(
            action="appeal.attachments_added",
            target=appeal,
            details={
                "number": appeal.number,
                "accepted": accepted_before,
                "refused": sum(1 for a in added if a.refusal),
            },
        )
    return added


def _store_content(attachment: AppealAttachment, file: IncomingFile) -> None:
    digest = file.sha256
    name = f"appeals/attachments/{digest[:2]}/{digest}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(file.content))
    attachment.file.name = name
    attachment.sha256 = digest
    attachment.content_type = sniff_type(file.content)


def add_citizen_message(*, appeal: Appeal, text: str, source_ref: str = "", automatic: bool = False) -> Appeal:
    """The citizen wrote again about the appeal (a reply by e-mail): kept in its history; an answered or referred
    appeal goes back into work, a closed one keeps the message and stays closed. An automatic message (an
    out-of-office reply, a delivery failure report) is only noted: it reopens nothing."""
    note = clean_text(text)[: policy("APPEAL_TEXT_MAX_CHARS")]
    with transaction.atomic():
        locked = _lock(appeal)
        previous = locked.status
        if locked.status in REOPENABLE and not automatic:
            locked.status = AppealStatus.IN_WORK
            locked.save(update_fields=["status", "updated_at"])
        kind = AppealEventKind.NOTE if automatic else AppealEventKind.CITIZEN_WROTE
        if automatic:
            note = str(_("Automatic reply or delivery report: %(subject)s") % {"subject": note})
        _record(
            locked,
            kind,
            actor=None,
            from_status=previous,
            note=note,
            details={"source_ref": clean_channel_ref(source_ref)},
        )
    appeal.status = locked.status
    return locked


# --- Lifecycle ---------------------------------------------------------------------------------------


def take_appeal(*, appeal: Appeal, actor: Any) -> Appeal:
    """A consultant takes the appeal into work."""
    with transaction.atomic():
        locked = _lock(appeal)
        previous = _move(locked, AppealStatus.IN_WORK, only_from={AppealStatus.REGISTERED})
        locked.assigned_to = actor
        locked.save(update_fields=["status", "assigned_to", "updated_at"])
        _record(locked, AppealEventKind.TAKEN, actor=actor, from_status=previous)
    return locked


def hand_over_appeal(*, appeal: Appeal, to: Any, actor: Any) -> Appeal:
    """Give the appeal to a consultant (a phone call connected or transferred to them); takes it into work."""
    with transaction.atomic():
        locked = _lock(appeal)
        previous = locked.status
        if locked.status == AppealStatus.REGISTERED:
            _move(locked, AppealStatus.IN_WORK, only_from={AppealStatus.REGISTERED})
        locked.assigned_to = to
        locked.save(update_fields=["status", "assigned_to", "updated_at"])
        _record(locked, AppealEventKind.TAKEN, actor=actor, from_status=previous, details={"assigned_to": to.pk})
    appeal.status, appeal.assigned_to = locked.status, locked.assigned_to
    return locked


def set_appeal_language(*, appeal: Appeal, language: str) -> Appeal:
    """The citizen's language became known after registration (chosen in the phone menu)."""
    if language not in Language.values:
        raise ValidationError({"language": [ValidationError(_("Choose Kazakh or Russian."), code="language")]})
    cleaned = language
    with transaction.atomic():
        locked = _lock(appeal)
        locked.language = cleaned
        locked.save(update_fields=["language", "updated_at"])
        record_event(action="appeal.language_set", target=locked, details={"language": cleaned})
    appeal.language = cleaned
    return locked


def answer_appeal(
    *, appeal: Appeal, answer: str, actor: Any, articles: Iterable[Article] = (), mail_citizen: bool = True
) -> Appeal:
    """The consultant's answer; web and e-mail appeals with an address get it by e-mail, unless the caller mails
    its own (`mail_citizen=False`: a complaint's answer, sent by complaints with the body's name)."""
    text = under_field("answer", lambda: clean_long_text(answer, required=True))
    with transaction.atomic():
        locked = _lock(appeal)
        previous = _move(locked, AppealStatus.ANSWERED)
        locked.answer = text
        locked.answered_by = actor
        locked.assigned_to = locked.assigned_to or actor
        locked.first_response_at = locked.first_response_at or timezone.now()
        locked.save(update_fields=["status", "answer", "answered_by", "assigned_to", "first_response_at", "updated_at"])
        for article in articles:
            _attach(locked, article, actor=actor)
        event = _record(locked, AppealEventKind.ANSWERED, actor=actor, from_status=previous)
        if mail_citizen and locked.email and locked.channel in EMAIL_ANSWER_CHANNELS:
            from appeals.tasks import send_answer

            appeal_id, event_id = locked.pk, event.pk
            transaction.on_commit(lambda: send_answer.delay(appeal_id, event_id))
    return locked


def refer_appeal(
    *, appeal: Appeal, organisation: Organisation | None, contacts: str = "", note: str = "", actor: Any
) -> Appeal:
    """Out of the center's scope (clause 10): the citizen is given the competent organisation's contacts.

    The contacts are stored on the appeal as they were given, so later directory edits don't rewrite history.
    """
    if organisation is None:
        raise ValidationError({"organisation": [_("Choose the organisation to refer the citizen to.")]})
    given = under_field("contacts", lambda: clean_long_text(contacts, required=False))
    given = given or organisation_contacts(organisation)
    note_text = under_field("note", lambda: _clean_note(note))
    with transaction.atomic():
        locked = _lock(appeal)
        previous = _move(locked, AppealStatus.REFERRED)
        locked.referral_organisation = organisation
        locked.referral_contacts = given
        locked.assigned_to = locked.assigned_to or actor
        locked.first_response_at = locked.first_response_at or timezone.now()
        locked.save(
            update_fields=[
                "status",
                "referral_organisation",
                "referral_contacts",
                "assigned_to",
                "first_response_at",
                "updated_at",
            ]
        )
        _record(
            locked,
            AppealEventKind.REFERRED,
            actor=actor,
            from_status=previous,
            note=note_text,
            details={"organisation_id": organisation.pk},
        )
    return locked


def close_appeal(*, appeal: Appeal, actor: Any) -> Appeal:
    with transaction.atomic():
        locked = _lock(appeal)
        previous = _move(locked, AppealStatus.CLOSED)
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        _record(locked, AppealEventKind.CLOSED, actor=actor, from_status=previous)
    return locked


def reopen_appeal(*, appeal: Appeal, actor: Any, note: str = "") -> Appeal:
    """An answered or referred appeal goes back into work (the citizen came back; the answer was wrong)."""
    note_text = under_field("note", lambda: _clean_note(note))
    with transaction.atomic():
        locked = _lock(appeal)
        previous = _move(locked, AppealStatus.IN_WORK, only_from=REOPENABLE)
        locked.assigned_to = actor
        locked.save(update_fields=["status", "assigned_to", "updated_at"])
        _record(locked, AppealEventKind.REOPENED, actor=actor, from_status=previous, note=note_text)
    return locked


def attach_article(*, appeal: Appeal, article: Article, actor: Any) -> bool:
    """Link a knowledge article used for this appeal (clause 3.1). True when newly attached."""
    with transaction.atomic():
        locked = _lock(appeal)
        if locked.status == AppealStatus.CLOSED:
            raise ValidationError({"article": [_("The appeal is closed; its articles no longer change.")]})
        return _attach(locked, article, actor=actor)


def _attach(appeal: Appeal, article: Article, *, actor: Any) -> bool:
    if article.is_archived:
        raise ValidationError({"article": [_("This article is archived and cannot be used.")]})
    _link, created = AppealArticle.objects.get_or_create(
        appeal=appeal, article=article, defaults={"attached_by": _user_or_none(actor)}
    )
    if created:
        _record(
            appeal, AppealEventKind.ARTICLE_ATTACHED, actor=actor, note=article.slug, details={"article_id": article.pk}
        )
    return created


# --- Delivery to the citizen (called by tasks) ---------------------------------------------------------


def deliver_acknowledgement(*, appeal_id: int) -> bool:
    """Send the acknowledgement once; True when sent now. The ACKNOWLEDGED event marks it sent."""
    from appeals.notifications import acknowledgement_message

    def still_due(appeal: Appeal) -> bool:
        return bool(appeal.email) and not appeal.events.filter(kind=AppealEventKind.ACKNOWLEDGED).exists()

    return _deliver_once(appeal_id, AppealEventKind.ACKNOWLEDGED, still_due, acknowledgement_message)


def deliver_acknowledgements(*, appeal_ids: Sequence[int]) -> int:
    """`deliver_acknowledgement` for the appeals of a batch of registered mail: claimed in one transaction, mailed
    over the one kept connection, recorded in one append to the audit chain; returns how many were sent now.

    When a mail cannot be sent, it and those not yet sent are released and the error raised: the task's retry
    sends what is still due, and nothing is sent twice.
    """
    from appeals.notifications import acknowledgement_message, send_to_citizen

    # Claimed in one transaction that never waits while it holds a lock: appeals another transaction holds (a
    # reply being joined to one) are skipped, then claimed one at a time. Waiting for several locks at once would
    # deadlock with a batch of registrations joining replies to these appeals in another order.
    due, claims = _claim_acknowledgements(appeal_ids, skip_locked=True)
    for appeal_id in sorted(set(appeal_ids) - {appeal.pk for appeal in due}):
        more, more_claims = _claim_acknowledgements([appeal_id], skip_locked=False)
        due, claims = due + more, claims + more_claims
    sent: list[Appeal] = []
    try:
        for appeal in due:
            send_to_citizen(acknowledgement_message(appeal))
            sent.append(appeal)
    finally:
        if len(sent) < len(due):
            AppealEvent.objects.filter(pk__in=[claim.pk for claim in claims[len(sent) :]]).delete()
        if sent:
            with transaction.atomic(), appended_together():
                for appeal in sent:
                    record_event(
                        action=f"appeal.{AppealEventKind.ACKNOWLEDGED}",
                        target=appeal,
                        details={"number": appeal.number},
                    )
    return len(sent)


def _claim_acknowledgements(appeal_ids: Sequence[int], *, skip_locked: bool) -> tuple[list[Appeal], list[AppealEvent]]:
    """Lock the appeals still owed an acknowledgement and add each its claim event, in one transaction."""
    with transaction.atomic():
        due = list(
            Appeal.objects.select_for_update(skip_locked=skip_locked)
            .filter(pk__in=appeal_ids)
            .exclude(email="")
            .exclude(events__kind=AppealEventKind.ACKNOWLEDGED)
            .order_by("pk")
        )
        claims = AppealEvent.objects.bulk_create(
            [AppealEvent(appeal=appeal, kind=AppealEventKind.ACKNOWLEDGED) for appeal in due]
        )
    return due, claims


def deliver_answer(*, appeal_id: int, answered_event_id: int) -> bool:
    """Send the answer given in `answered_event_id` once; a later answer (or a reopening) supersedes it."""
    from appeals.notifications import answer_message

    def still_due(appeal: Appeal) -> bool:
        if not appeal.email or not appeal.answer or appeal.status not in (AppealStatus.ANSWERED, AppealStatus.CLOSED):
            return False
        later = appeal.events.filter(pk__gt=answered_event_id)
        return not later.filter(kind__in=[AppealEventKind.ANSWER_SENT, AppealEventKind.ANSWERED]).exists()

    return _deliver_once(appeal_id, AppealEventKind.ANSWER_SENT, still_due, answer_message)


def _deliver_once(appeal_id: int, kind: str, still_due: Any, build_message: Any) -> bool:
    """Claim the delivery with its event, send outside any transaction, release the claim if sending fails.

    No database lock is held while the mail server is talked to; a second run finds the claim and stops.
    """
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().filter(pk=appeal_id).first()
        if appeal is None or not still_due(appeal):
            return False
        claim = _add_event(appeal, kind, actor=None)
    from appeals.notifications import send_to_citizen

    try:
        send_to_citizen(build_message(appeal))
    except Exception:
        AppealEvent.objects.filter(pk=claim.pk).delete()
        raise
    record_event(action=f"appeal.{kind}", target=appeal, details={"number": appeal.number})
    return True


# --- Helpers -------------------------------------------------------------------------------------------


def organisation_contacts(organisation: Organisation) -> str:
    """The organisation's contacts as given to a citizen: name, phone, e-mail, website, address (kk, then ru)."""
    lines = [organisation.name_kk, organisation.name_ru if organisation.name_ru != organisation.name_kk else ""]
    lines += [organisation.phone, organisation.email, organisation.website]
    lines += [organisation.address_kk, organisation.address_ru]
    return "\n".join(line.strip() for line in lines if line and line.strip())


def _lock(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update().get(pk=appeal.pk)


def _move(appeal: Appeal, target: str, *, only_from: set[str] | frozenset[str] | None = None) -> str:
    """Check the move against the lifecycle and set the new status; returns the previous one.

    `only_from` narrows the table for actions that share a target (take and reopen both lead to "in work").
    """
    current = appeal.status
    allowed = target in ALLOWED_TRANSITIONS.get(current, frozenset())
    if not allowed or (only_from is not None and current not in only_from):
        raise ValidationError(
            {
                "status": [
                    ValidationError(
                        _("An appeal that is «%(current)s» cannot become «%(target)s»."),
                        code="transition",
                        params={"current": AppealStatus(current).label, "target": AppealStatus(target).label},
                    )
                ]
            }
        )
    appeal.status = target
    return current


def _record(
    appeal: Appeal,
    kind: str,
    *,
    actor: Any,
    from_status: str = "",
    note: str = "",
    details: dict[str, Any] | None = None,
) -> AppealEvent:
    changed = from_status and from_status != appeal.status
    event = _add_event(
        appeal,
        kind,
        actor=actor,
        from_status=from_status if changed else "",
        to_status=appeal.status if changed else "",
        note=note,
    )
    audit_details = {"number": appeal.number, "status": appeal.status, **(details or {})}
    record_event(action=f"appeal.{kind}", actor=actor, target=appeal, details=audit_details)
    return event


def _add_event(
    appeal: Appeal, kind: str, *, actor: Any, from_status: str = "", to_status: str = "", note: str = ""
) -> AppealEvent:
    return AppealEvent.objects.create(
        appeal=appeal,
        kind=kind,
        actor=_user_or_none(actor),
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def _user_or_none(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _clean_note(note: str) -> str:
    text = clean_text(note)
    if len(text) > NOTE_MAX_CHARS:
        raise ValidationError(
            _("The note is too long: at most %(limit)d characters."),
            code="note_length",
            params={"limit": NOTE_MAX_CHARS},
        )
    return text
