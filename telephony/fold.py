"""Folding a call's events into its summary. Pure: the same events in any arrival order give the same call.

Events are applied in `occurred_at` order; each consultant's part of the call becomes a segment.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from .choices import CallOutcome, CallState, EventType


class FoldableEvent(Protocol):
    type: str
    occurred_at: datetime
    data: dict[str, Any]


@dataclass
class Segment:
    consultant: str
    alerted_at: datetime | None = None
    connected_at: datetime | None = None
    ended_at: datetime | None = None
    missed: bool = False
    transferred: bool = False

    @property
    def open(self) -> bool:
        return self.ended_at is None


@dataclass
class CallSummary:
    caller: str = ""
    dialled: str = ""
    control_url: str = ""
    language: str = ""
    offered_at: datetime | None = None
    queued_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    ended_by: str = ""
    rating: int | None = None
    transfers_requested: int = 0
    transfers_announced: int = 0
    segments: list[Segment] = field(default_factory=list)

    @property
    def transfer_pending(self) -> bool:
        """A transfer was asked and its warning has not played yet. Counted, so the platform's clock and the
        engine's need not agree on which came first."""
        return self.ended_at is None and self.transfers_requested > self.transfers_announced

    @property
    def last_talker(self) -> str:
        talked = [segment for segment in self.segments if segment.connected_at is not None]
        return talked[-1].consultant if talked else ""

    @property
    def state(self) -> str:
        if self.ended_at is not None:
            return CallState.ENDED
        if any(segment.open and segment.connected_at for segment in self.segments):
            return CallState.CONNECTED
        if any(segment.open for segment in self.segments):
            return CallState.RINGING
        talked = [segment for segment in self.segments if segment.connected_at is not None]
        if talked and not talked[-1].transferred and not self.transfer_pending:
            return CallState.AFTER_TALK
        if self.queued_at is not None:
            return CallState.QUEUED
        return CallState.IVR

    @property
    def outcome(self) -> str:
        if self.ended_at is None:
            return ""
        if self.answered_at is not None:
            return CallOutcome.ANSWERED
        if self.queued_at is not None:
            return CallOutcome.ABANDONED
        return CallOutcome.ENDED_IN_IVR

    @property
    def wait_seconds(self) -> float | None:
        """Clause 7's wait: from entering the queue to the first answer (or to hanging up unanswered)."""
        if self.queued_at is None:
            return 0.0 if self.answered_at is not None else None
        until = self.answered_at or self.ended_at
        if until is None:
            return None
        return max(0.0, (until - self.queued_at).total_seconds())


def fold(events: list[FoldableEvent]) -> CallSummary:
    summary = CallSummary()
    for event in sorted(events, key=lambda item: item.occurred_at):
        _APPLY.get(event.type, _ignore)(summary, event)
    return summary


def _open_segment(summary: CallSummary, consultant: str, *, create: bool = True) -> Segment | None:
    for segment in reversed(summary.segments):
        if segment.consultant == consultant and segment.open:
            return segment
    if not create:
        return None
    segment = Segment(consultant=consultant)
    summary.segments.append(segment)
    return segment


def _offered(summary: CallSummary, event: FoldableEvent) -> None:
    summary.offered_at = _earliest(summary.offered_at, event.occurred_at)
    summary.caller = summary.caller or event.data.get("caller", "")
    summary.dialled = summary.dialled or event.data.get("dialled", "")
    summary.control_url = event.data.get("control_url", "") or summary.control_url


def _language(summary: CallSummary, event: FoldableEvent) -> None:
    summary.language = event.data.get("language") or summary.language


def _queued(summary: CallSummary, event: FoldableEvent) -> None:
    _language(summary, event)
    summary.queued_at = _earliest(summary.queued_at, event.occurred_at)


def _alerted(summary: CallSummary, event: FoldableEvent) -> None:
    segment = _open_segment(summary, event.data["consultant"])
    assert segment is not None
    segment.alerted_at = _earliest(segment.alerted_at, event.occurred_at)


def _no_answer(summary: CallSummary, event: FoldableEvent) -> None:
    segment = _open_segment(summary, event.data["consultant"])
    assert segment is not None
    segment.missed = True
    segment.ended_at = event.occurred_at


def _connected(summary: CallSummary, event: FoldableEvent) -> None:
    segment = _open_segment(summary, event.data["consultant"])
    assert segment is not None
    segment.connected_at = _earliest(segment.connected_at, event.occurred_at)
    segment.alerted_at = segment.alerted_at or event.occurred_at
    summary.answered_at = _earliest(summary.answered_at, event.occurred_at)


def _transfer_requested(summary: CallSummary, event: FoldableEvent) -> None:
    summary.transfers_requested += 1
    # The named consultant's latest conversation, even if its end was reported before the request arrived.
    talked = [item for item in summary.segments if item.consultant == event.data["consultant"] and item.connected_at]
    if talked:
        talked[-1].transferred = True


def _transfer_announced(summary: CallSummary, event: FoldableEvent) -> None:
    summary.transfers_announced += 1


def _left(summary: CallSummary, event: FoldableEvent) -> None:
    segment = _open_segment(summary, event.data["consultant"], create=False)
    if segment is not None:
        segment.ended_at = event.occurred_at


def _rated(summary: CallSummary, event: FoldableEvent) -> None:
    summary.rating = event.data["score"]


def _ended(summary: CallSummary, event: FoldableEvent) -> None:
    summary.ended_at = event.occurred_at
    summary.ended_by = event.data.get("by", "")
    for segment in summary.segments:
        if segment.open:
            segment.ended_at = event.occurred_at


def _ignore(summary: CallSummary, event: FoldableEvent) -> None:
    return None


def _earliest(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate < current else current


_APPLY: dict[str, Callable[[CallSummary, FoldableEvent], None]] = {
    EventType.CALL_OFFERED: _offered,
    EventType.LANGUAGE_CHOSEN: _language,
    EventType.CALL_QUEUED: _queued,
    EventType.CONSULTANT_ALERTED: _alerted,
    EventType.CONSULTANT_NO_ANSWER: _no_answer,
    EventType.CALL_CONNECTED: _connected,
    EventType.TRANSFER_COMPLETED: _connected,
    EventType.TRANSFER_REQUESTED: _transfer_requested,
    EventType.TRANSFER_ANNOUNCED: _transfer_announced,
    EventType.CONSULTANT_LEFT: _left,
    EventType.RATING_GIVEN: _rated,
    EventType.CALL_ENDED: _ended,
}
