"""Parsing and checking engine events (docs/telephony-api.md). Bad events are refused with clear messages."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.policy import policy
from knowledge.choices import Language

from .choices import EndedBy, EventType

MAX_EVENTS_PER_REQUEST = 100
_ID_MAX = 200
_SHORT_MAX = 40
# Which `data` keys each event must carry.
_CONSULTANT_EVENTS = frozenset(
    {
        EventType.CONSULTANT_ALERTED,
        EventType.CONSULTANT_NO_ANSWER,
        EventType.CALL_CONNECTED,
        EventType.TRANSFER_COMPLETED,
        EventType.CONSULTANT_LEFT,
    }
)


@dataclass(frozen=True)
class IncomingEvent:
    event_id: str
    type: str
    call_id: str
    occurred_at: datetime
    data: dict[str, Any] = field(default_factory=dict)


def parse_events(payload: Any) -> list[IncomingEvent]:
    """One event or {"events": [...]} → events; ValidationError listing every bad event otherwise."""
    items = payload.get("events") if isinstance(payload, dict) and "events" in payload else [payload]
    if not isinstance(items, list) or not items:
        raise ValidationError(_("Send one event or a non-empty list under “events”."), code="events_shape")
    if len(items) > MAX_EVENTS_PER_REQUEST:
        raise ValidationError(
            _("At most %(limit)d events per request."), code="events_count", params={"limit": MAX_EVENTS_PER_REQUEST}
        )
    parsed: list[IncomingEvent] = []
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        try:
            parsed.append(parse_event(item))
        except ValidationError as exc:
            errors[f"events[{index}]"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return parsed


def parse_event(item: Any) -> IncomingEvent:
    if not isinstance(item, dict):
        raise ValidationError(_("An event is a JSON object."), code="event_shape")
    event_id = _identifier(item.get("event_id"), _("event_id"))
    call_id = _identifier(item.get("call_id"), _("call_id"))
    kind = item.get("type")
    if kind not in EventType.values:
        raise ValidationError(_("Unknown event type %(type)r."), code="event_type", params={"type": str(kind)[:50]})
    occurred_at = _timestamp(item.get("occurred_at"))
    data = item.get("data") or {}
    if not isinstance(data, dict):
        raise ValidationError(_("An event's data is a JSON object."), code="event_data")
    return IncomingEvent(event_id, kind, call_id, occurred_at, _clean_data(kind, data))


def _identifier(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > _ID_MAX or "\x00" in value:
        raise ValidationError(
            _("%(name)s must be a non-empty string of at most %(limit)d characters."),
            code="event_identifier",
            params={"name": name, "limit": _ID_MAX},
        )
    return value.strip()


def _timestamp(value: Any) -> datetime:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or moment.tzinfo is None:
        raise ValidationError(
            _("occurred_at must be an ISO 8601 time with an offset, e.g. 2026-11-25T14:03:07+05:00."),
            code="event_time",
        )
    return moment


def _clean_data(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    if kind in _CONSULTANT_EVENTS:
        return {"consultant": _short(data.get("consultant"), "consultant")}
    if kind == EventType.CALL_OFFERED:
        return {
            "caller": _short(data.get("caller", ""), "caller", required=False),
            "dialled": _short(data.get("dialled", ""), "dialled", required=False),
            "control_url": _text(data.get("control_url", ""), "control_url"),
        }
    if kind in (EventType.LANGUAGE_CHOSEN, EventType.CALL_QUEUED):
        return _language_data(kind, data)
    if kind == EventType.TRANSFER_REQUESTED:
        return {
            "consultant": _short(data.get("consultant"), "consultant"),
            "target": _short(data.get("target") or "", "target", required=False),
        }
    if kind == EventType.RATING_GIVEN:
        return {"score": _score(data.get("score"))}
    if kind == EventType.CALL_ENDED:
        by = data.get("by", EndedBy.SYSTEM)
        if by not in EndedBy.values:
            raise ValidationError(_("“by” is one of caller, consultant, system."), code="event_ended_by")
        return {"by": by}
    return {key: value for key, value in data.items() if key in {"sha256", "recording_id"}}


def _language_data(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    language = data.get("language", "")
    if kind == EventType.CALL_QUEUED and not language:
        return {"language": ""}
    if language not in Language.values:
        raise ValidationError(_("language is kk or ru."), code="event_language")
    return {"language": language}


def _short(value: Any, name: str, *, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str | int) or len(str(value)) > _SHORT_MAX or (required and not str(value).strip()):
        raise ValidationError(
            _("%(name)s must be a string of at most %(limit)d characters."),
            code="event_field",
            params={"name": name, "limit": _SHORT_MAX},
        )
    return str(value).strip().replace("\x00", "")


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or len(value) > 300:
        raise ValidationError(
            _("%(name)s must be a string of at most %(limit)d characters."),
            code="event_field",
            params={"name": name, "limit": 300},
        )
    return value.strip()


def _score(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    scale_max = policy("RATING_SCALE_MAX")
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= scale_max:
        raise ValidationError(
            _("score is a whole number from 1 to %(max)d."), code="event_score", params={"max": scale_max}
        )
    return value
