"""The phone line's write path: events in, calls folded, consultants' states, distribution, transfers.

Every entry point (the events API, the workspace, tasks) calls these functions; none writes models directly.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from appeals.choices import Channel
from appeals.models import Appeal
from appeals.services import hand_over_appeal, register_appeal, set_appeal_language
from audit.services import record_event
from core.phone import normalise_phone
from feedback.services import record_rating
from knowledge.choices import Language

from . import commands
from .choices import (
    CHOOSABLE_STATES,
    ON_CALL_STATES,
    BreakReason,
    CallState,
    CommandType,
    ConsultantState,
    EventType,
)
from .events import IncomingEvent
from .fold import CallSummary, Segment, fold
from .models import Call, CallEvent, CallSegment, ConsultantLine, TelephonyEdge

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accepted:
    accepted: int
    duplicates: int


# --- Events in --------------------------------------------------------------------------------------


def accept_events(*, edge: TelephonyEdge, events: list[IncomingEvent]) -> Accepted:
    """Store new events, refold their calls and act on the result; repeated event ids are skipped."""
    _check_known_consultants(events)
    _check_control_urls(edge, events)
    accepted = duplicates = 0
    for event in events:
        if _store_event(edge, event):
            accepted += 1
        else:
            duplicates += 1
    if any(event.type in _QUEUE_MOVING_EVENTS for event in events):
        transaction.on_commit(dispatch_waiting_calls)
    return Accepted(accepted=accepted, duplicates=duplicates)


# Events after which a waiting call may be offered: a caller queues, or a consultant or a call becomes free.
_QUEUE_MOVING_EVENTS = frozenset(
    {
        EventType.CALL_QUEUED,
        EventType.CONSULTANT_NO_ANSWER,
        EventType.CONSULTANT_LEFT,
        EventType.TRANSFER_ANNOUNCED,
        EventType.CALL_ENDED,
    }
)


def _store_event(edge: TelephonyEdge, event: IncomingEvent) -> bool:
    try:
        with transaction.atomic():
            call = _locked_call(edge, event.call_id)
            if CallEvent.objects.filter(edge=edge, event_id=event.event_id).exists():
                return False
            CallEvent.objects.create(
                edge=edge,
                event_id=event.event_id,
                call=call,
                type=event.type,
                occurred_at=event.occurred_at,
                data=event.data,
            )
            refold_call(call)
    except IntegrityError:
        # The same event id arrived twice at once; the other request stored it.
        return False
    return True


def _locked_call(edge: TelephonyEdge, call_id: str) -> Call:
    call, _created = Call.objects.get_or_create(edge=edge, call_id=call_id)
    return Call.objects.select_for_update().get(pk=call.pk)


def _check_known_consultants(events: list[IncomingEvent]) -> None:
    extensions = {event.data["consultant"] for event in events if event.data.get("consultant")}
    known = set(ConsultantLine.objects.filter(extension__in=extensions).values_list("extension", flat=True))
    unknown = sorted(extensions - known)
    if unknown:
        raise ValidationError(
            _("Unknown consultant extension(s): %(extensions)s."),
            code="unknown_consultant",
            params={"extensions": ", ".join(unknown)},
        )


def _check_control_urls(edge: TelephonyEdge, events: list[IncomingEvent]) -> None:
    for event in events:
        url = event.data.get("control_url", "")
        if url and not _under_prefix(url, edge.control_url_prefix):
            raise ValidationError(
                _("control_url must start with the edge's registered prefix %(prefix)s."),
                code="control_url",
                params={"prefix": edge.control_url_prefix},
            )


def _under_prefix(url: str, prefix: str) -> bool:
    """Starts with the prefix and names the same host: `http://127.0.0.1:` must not admit `http://127.0.0.1.evil/`."""
    parsed, allowed = urlsplit(url), urlsplit(prefix)
    return url.startswith(prefix) and (parsed.scheme, parsed.hostname) == (allowed.scheme, allowed.hostname)


def record_platform_event(*, call: Call, type: str, data: dict[str, Any], at: datetime | None = None) -> None:
    """An event the platform itself caused (a transfer asked in the workspace), folded like the engine's."""
    CallEvent.objects.create(
        edge=call.edge,
        event_id=f"platform:{uuid.uuid4()}",
        call=call,
        type=type,
        occurred_at=at or timezone.now(),
        data=data,
        from_platform=True,
    )


# --- Folding and acting on it ---------------------------------------------------------------------------


def refold_call(call: Call) -> Call:
    """Recompute the call from all its events, then bring consultants, appeal and rating in line."""
    summary = fold(list(call.events.all()))
    lines = _lines_by_extension(summary)
    _apply_summary(call, summary, lines)
    _replace_segments(call, summary.segments, lines)
    _sync_appeal(call, summary, lines)
    _sync_lines(call, summary, lines)
    _sync_rating(call, summary)
    return call


def _lines_by_extension(summary: CallSummary) -> dict[str, ConsultantLine]:
    extensions = {segment.consultant for segment in summary.segments}
    return {
        line.extension: line for line in ConsultantLine.objects.select_related("user").filter(extension__in=extensions)
    }


def _apply_summary(call: Call, summary: CallSummary, lines: dict[str, ConsultantLine]) -> None:
    call.caller_phone = _phone_or_blank(summary.caller)
    call.dialled = summary.dialled
    call.control_url = summary.control_url
    call.language = summary.language
    call.state = summary.state
    call.outcome = summary.outcome
    call.offered_at = summary.offered_at
    call.queued_at = summary.queued_at
    call.answered_at = summary.answered_at
    call.ended_at = summary.ended_at
    call.ended_by = summary.ended_by
    call.wait_seconds = summary.wait_seconds
    call.rating = summary.rating
    call.transfer_pending = summary.transfer_pending
    talker = lines.get(summary.last_talker)
    call.consultant = talker.user if talker else None
    # `reserved_line` is the platform's own field and is changed only by the claims and releases below.
    call.save(update_fields=_FOLDED_FIELDS)


_FOLDED_FIELDS = [
    "caller_phone",
    "dialled",
    "control_url",
    "language",
    "state",
    "outcome",
    "offered_at",
    "queued_at",
    "answered_at",
    "ended_at",
    "ended_by",
    "wait_seconds",
    "rating",
    "transfer_pending",
    "consultant",
    "updated_at",
]


def _phone_or_blank(raw: str) -> str:
    try:
        return normalise_phone(raw) if raw else ""
    except ValidationError:
        return ""


def _replace_segments(call: Call, segments: list[Segment], lines: dict[str, ConsultantLine]) -> None:
    call.segments.all().delete()
    CallSegment.objects.bulk_create(
        CallSegment(
            call=call,
            position=position,
            consultant=lines[segment.consultant].user,
            alerted_at=segment.alerted_at,
            connected_at=segment.connected_at,
            ended_at=segment.ended_at,
            missed=segment.missed,
            transferred=segment.transferred,
        )
        for position, segment in enumerate(segments, start=1)
    )


def _sync_appeal(call: Call, summary: CallSummary, lines: dict[str, ConsultantLine]) -> None:
    """Every call is an appeal on the phone channel; it follows the caller's language and the consultant."""
    if call.appeal_id is None:
        call.appeal = _register_call_appeal(call, summary)
        call.save(update_fields=["appeal", "updated_at"])
    appeal = call.appeal
    assert appeal is not None
    if summary.language and appeal.language != summary.language:
        set_appeal_language(appeal=appeal, language=summary.language)
    talker = lines.get(summary.last_talker)
    if talker is not None and appeal.assigned_to_id != talker.user_id:
        hand_over_appeal(appeal=appeal, to=talker.user, actor=talker.user)


def _register_call_appeal(call: Call, summary: CallSummary) -> Appeal:
    language = summary.language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = gettext("Phone call")
    registration = register_appeal(
        channel=Channel.PHONE,
        channel_ref=f"{call.edge.name}:{call.call_id}",
        subject=subject,
        language=language,
        phone=call.caller_phone,
        received_at=summary.offered_at or summary.queued_at,
    )
    return registration.appeal


def _sync_lines(call: Call, summary: CallSummary, lines: dict[str, ConsultantLine]) -> None:
    """Consultants whose line is on this call follow the call: ringing, talking, wrap-up, missed, released."""
    talking = [ext for ext, line in lines.items() if _talks_now(summary, ext) and line.current_call_id is None]
    involved = ConsultantLine.objects.select_for_update().filter(Q(current_call=call) | Q(extension__in=talking))
    for line in involved:
        segment = _last_segment_of(summary, line.extension)
        _follow_call(line, call, segment)


def _talks_now(summary: CallSummary, extension: str) -> bool:
    """The engine connected this consultant although the platform did not offer them the call (a PBX's own routing)."""
    segment = _last_segment_of(summary, extension)
    return segment is not None and segment.connected_at is not None and segment.open


def _last_segment_of(summary: CallSummary, extension: str) -> Segment | None:
    mine = [segment for segment in summary.segments if segment.consultant == extension]
    return mine[-1] if mine else None


def _follow_call(line: ConsultantLine, call: Call, segment: Segment | None) -> None:
    if segment is not None and segment.missed:
        _set_state(line, ConsultantState.BREAK, reason=BreakReason.MISSED_CALL, call=None)
        _release_reservation(call, line)
    elif segment is not None and segment.connected_at and segment.ended_at:
        line.idle_since = segment.ended_at
        _set_state(line, ConsultantState.WRAP_UP, call=None)
    elif segment is not None and segment.connected_at:
        _set_state(line, ConsultantState.TALKING, call=call)
        _release_reservation(call, line)
    elif call.state == CallState.ENDED or (segment is not None and segment.ended_at):
        # The caller hung up while the consultant's phone rang: they are free again, still idle.
        _set_state(line, ConsultantState.READY, call=None)
        _release_reservation(call, line)


def _release_reservation(call: Call, line: ConsultantLine) -> None:
    Call.objects.filter(pk=call.pk, reserved_line=line).update(reserved_line=None)
    if call.reserved_line_id == line.pk:
        call.reserved_line = None


def _sync_rating(call: Call, summary: CallSummary) -> None:
    if summary.rating is None or call.appeal is None:
        return
    record_rating(
        appeal=call.appeal,
        consultant=call.consultant,
        score=summary.rating,
        channel=Channel.PHONE,
        source_ref=f"call:{call.pk}",
    )


# --- Consultants' states --------------------------------------------------------------------------------


def set_consultant_state(*, line: ConsultantLine, state: str, actor: Any) -> ConsultantLine:
    """The consultant chooses ready, break or offline; not while their phone rings or they talk."""
    if state not in CHOOSABLE_STATES:
        raise ValidationError(_("This state cannot be chosen."), code="state_not_choosable")
    with transaction.atomic():
        locked = ConsultantLine.objects.select_for_update().get(pk=line.pk)
        if locked.state in ON_CALL_STATES:
            raise ValidationError(_("Finish the call first."), code="state_on_call")
        coming_back = locked.state in (ConsultantState.BREAK, ConsultantState.OFFLINE)
        if state == ConsultantState.READY and (coming_back or locked.idle_since is None):
            locked.idle_since = timezone.now()
        reason = BreakReason.CHOSEN if state == ConsultantState.BREAK else ""
        previous = locked.state
        _set_state(locked, state, reason=reason, call=None)
        record_event(
            action="telephony.consultant_state",
            actor=actor,
            target=locked,
            details={"from": previous, "to": state},
        )
        transaction.on_commit(dispatch_waiting_calls)
    return locked


def _set_state(line: ConsultantLine, state: str, *, call: Call | None, reason: str = "") -> None:
    if line.state != state:
        line.state_since = timezone.now()
    line.state = state
    line.break_reason = reason
    line.current_call = call
    line.save(update_fields=["state", "state_since", "break_reason", "current_call", "idle_since"])


def end_expired_wrap_ups(*, now: datetime | None = None) -> int:
    """Consultants whose wrap-up time is over become ready again."""
    moment = now or timezone.now()
    deadline = moment - timedelta(seconds=settings.TELEPHONY_WRAP_UP_SECONDS)
    return ConsultantLine.objects.filter(state=ConsultantState.WRAP_UP, state_since__lte=deadline).update(
        state=ConsultantState.READY, state_since=moment
    )


# --- Distribution -----------------------------------------------------------------------------------------


def dispatch_waiting_calls() -> int:
    """Offer waiting calls, oldest first, to the longest-idle ready consultant who speaks the caller's language."""
    end_expired_wrap_ups()
    ready = ConsultantLine.objects.filter(state=ConsultantState.READY, current_call__isnull=True)
    # Languages someone ready still speaks; a language drops out once its consultants are taken.
    open_languages = {language for language in (Language.KAZAKH, Language.RUSSIAN) if ready.speaking(language).exists()}
    offered = 0
    if not open_languages:
        return 0
    for call in Call.objects.waiting().select_related("edge")[: settings.TELEPHONY_DISPATCH_BATCH]:
        language = call.language or settings.LANGUAGE_CODE
        if language not in open_languages:
            continue
        if _offer_to_someone(call, language):
            offered += 1
        else:
            open_languages.discard(language)
            if not open_languages:
                break
    return offered


def _offer_to_someone(call: Call, language: str) -> bool:
    candidates = ConsultantLine.objects.filter(state=ConsultantState.READY, current_call__isnull=True)
    ordered = candidates.speaking(language).longest_idle_first()
    for _attempt in range(3):
        with transaction.atomic():
            # Concurrent dispatchers each take a different line instead of queueing on the same row (PostgreSQL;
            # SQLite serialises writers anyway and ignores the lock).
            line = ordered.select_for_update(skip_locked=True).first()
            if line is None:
                return False
            if not _claim(line, call):
                continue
            commands.issue(call=call, type=CommandType.CONNECT, data=_dial_data(line))
            return True
    return False


def _claim(line: ConsultantLine, call: Call) -> bool:
    """Reserve the line and the call together; a competing dispatcher loses cleanly on either row."""
    now = timezone.now()
    line_won = ConsultantLine.objects.filter(pk=line.pk, state=ConsultantState.READY, current_call__isnull=True).update(
        state=ConsultantState.RINGING, state_since=now, current_call=call
    )
    if not line_won:
        return False
    call_won = Call.objects.filter(
        pk=call.pk, state=CallState.QUEUED, reserved_line__isnull=True, transfer_pending=False
    ).update(reserved_line=line)
    if not call_won:
        ConsultantLine.objects.filter(pk=line.pk).update(state=ConsultantState.READY, current_call=None)
        return False
    return True


def _dial_data(line: ConsultantLine) -> dict[str, Any]:
    return {
        "consultant": line.extension,
        "sip_uri": line.sip_uri,
        "ring_timeout_s": settings.TELEPHONY_RING_TIMEOUT_SECONDS,
    }


def release_failed_offer(*, call: Call) -> None:
    """A connect command that could not be delivered: the consultant is free again, the call waits."""
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        line = locked.reserved_line
        if line is None:
            return
        ConsultantLine.objects.filter(pk=line.pk, current_call=locked, state=ConsultantState.RINGING).update(
            state=ConsultantState.READY, current_call=None
        )
        locked.reserved_line = None
        locked.save(update_fields=["reserved_line", "updated_at"])


# --- Transfers ----------------------------------------------------------------------------------------------


def request_transfer(*, call: Call, actor: Any, target: ConsultantLine | None = None) -> Call:
    """The consultant passes the caller on; the caller hears the transfer warning first (clause 11)."""
    with transaction.atomic():
        line = ConsultantLine.objects.select_for_update().filter(user=actor).first() if actor is not None else None
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if line is None or locked.state != CallState.CONNECTED or line.current_call_id != locked.pk:
            raise ValidationError(
                _("Only the consultant talking to the caller can transfer the call."), code="transfer"
            )
        if target is not None and target.pk == line.pk:
            raise ValidationError(_("Choose another consultant."), code="transfer_self")
        reserved = target if target is not None and _claim_for_transfer(target, locked) else None
        record_platform_event(
            call=locked,
            type=EventType.TRANSFER_REQUESTED,
            data={"consultant": line.extension, "target": reserved.extension if reserved else ""},
        )
        refold_call(locked)
        data = {"consultant": line.extension, **_transfer_target(reserved)}
        commands.issue(call=locked, type=CommandType.TRANSFER, data=data)
        record_event(
            action="telephony.transfer_requested",
            actor=actor,
            target=locked,
            details={"target": reserved.extension if reserved else "queue"},
        )
    return locked


def _claim_for_transfer(target: ConsultantLine, call: Call) -> bool:
    won = ConsultantLine.objects.filter(pk=target.pk, state=ConsultantState.READY, current_call__isnull=True).update(
        state=ConsultantState.RINGING, state_since=timezone.now(), current_call=call
    )
    if won:
        Call.objects.filter(pk=call.pk).update(reserved_line=target)
    return bool(won)


def _transfer_target(line: ConsultantLine | None) -> dict[str, Any]:
    if line is None:
        return {"target": None, "sip_uri": None, "ring_timeout_s": settings.TELEPHONY_RING_TIMEOUT_SECONDS}
    return {
        "target": line.extension,
        "sip_uri": line.sip_uri,
        "ring_timeout_s": settings.TELEPHONY_RING_TIMEOUT_SECONDS,
    }


def hang_up(*, call: Call, actor: Any, reason: str = "") -> None:
    """End a call from the platform (a supervisor's decision); the engine reports the end as an event."""
    with transaction.atomic():
        commands.issue(call=call, type=CommandType.HANGUP, data={"reason": reason[:100]})
        record_event(action="telephony.hang_up", actor=actor, target=call, details={"reason": reason[:100]})


# --- Consultants' lines --------------------------------------------------------------------------------


def open_consultant_line(
    *,
    user: Any,
    extension: str,
    sip_uri: str,
    speaks_kazakh: bool = True,
    speaks_russian: bool = True,
    actor: Any = None,
) -> ConsultantLine:
    """Give a consultant a place on the phone line (administrators; the demo data)."""
    if not extension.isdigit() or len(extension) > 20:
        raise ValidationError(_("An extension is up to 20 digits."), code="extension")
    if not sip_uri.startswith(("sip:", "sips:")) or len(sip_uri) > 300:
        raise ValidationError(_("A SIP address starts with sip: or sips:."), code="sip_uri")
    if getattr(user, "role", None) != Role.CONSULTANT:
        raise ValidationError(_("Only consultants have a place on the phone line."), code="line_role")
    if ConsultantLine.objects.filter(extension=extension).exclude(user=user).exists():
        raise ValidationError(
            _("Extension %(extension)s is taken."), code="extension_taken", params={"extension": extension}
        )
    with transaction.atomic():
        line, _created = ConsultantLine.objects.update_or_create(
            user=user,
            defaults={
                "extension": extension,
                "sip_uri": sip_uri,
                "speaks_kazakh": speaks_kazakh,
                "speaks_russian": speaks_russian,
            },
        )
        record_event(action="telephony.line_opened", actor=actor, target=line, details={"extension": extension})
    return line


def register_edge(*, name: str, secret: str, control_url_prefix: str, actor: Any = None) -> TelephonyEdge:
    if len(secret) < 32:
        raise ValidationError(_("An edge's secret is at least 32 characters."), code="edge_secret")
    if not control_url_prefix.startswith(("http://", "https://")):
        raise ValidationError(_("The control address prefix starts with http:// or https://."), code="edge_prefix")
    with transaction.atomic():
        edge, _created = TelephonyEdge.objects.update_or_create(
            name=name, defaults={"secret": secret, "control_url_prefix": control_url_prefix, "is_active": True}
        )
        record_event(action="telephony.edge_registered", actor=actor, target=edge, details={"name": name})
    return edge


def release_stale_offers(*, now: datetime | None = None) -> int:
    """Offers the edge never resolved (the engine went away): the consultant is free, the call waits again."""
    moment = now or timezone.now()
    limit = moment - timedelta(seconds=2 * settings.TELEPHONY_RING_TIMEOUT_SECONDS + 10)
    released = 0
    for line in ConsultantLine.objects.filter(state=ConsultantState.RINGING, state_since__lt=limit):
        with transaction.atomic():
            won = ConsultantLine.objects.filter(pk=line.pk, state=ConsultantState.RINGING).update(
                state=ConsultantState.READY, state_since=moment, current_call=None
            )
            if won and line.current_call_id:
                Call.objects.filter(pk=line.current_call_id, reserved_line=line).update(reserved_line=None)
            released += won
    return released
