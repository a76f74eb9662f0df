"""Reads for the phone line's pages: the consultant's own line, the call they are on, the board's lines."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.choices import Role

from .choices import ON_CALL_STATES, STATE_COLOURS, ConsultantState
from .models import Call, ConsultantLine, ConsultantLineQuerySet

# Where the screen pop sends the consultant: states in which the line holds a call with an appeal.
POP_STATES = ON_CALL_STATES


def line_of(user: Any) -> ConsultantLine | None:
    """The consultant's own line, or None for anyone without one."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "role", None) != Role.CONSULTANT:
        return None
    return ConsultantLine.objects.select_related("current_call").filter(user=user).first()


@dataclass(frozen=True)
class LineStatus:
    """What the phone bar shows: the state with its colour, how long, and the wrap-up time left."""

    line: ConsultantLine
    seconds_in_state: int
    wrap_up_seconds_left: int | None

    @property
    def colour(self) -> str:
        return STATE_COLOURS.get(self.line.state, "grey")

    @property
    def call(self) -> Call | None:
        return self.line.current_call if self.line.state in ON_CALL_STATES else None

    @property
    def key(self) -> str:
        """Changes whenever the state or the call changes: the pages listening for it reload their panels."""
        return f"{self.line.state}:{self.line.current_call_id or ''}"


def line_status(line: ConsultantLine, *, now: datetime | None = None) -> LineStatus:
    moment = now or timezone.now()
    in_state = max(0, int((moment - line.state_since).total_seconds()))
    left = None
    if line.state == ConsultantState.WRAP_UP:
        left = max(0, settings.TELEPHONY_WRAP_UP_SECONDS - in_state)
    return LineStatus(line=line, seconds_in_state=in_state, wrap_up_seconds_left=left)


def call_to_pop(line: ConsultantLine) -> Call | None:
    """The call whose appeal the consultant's workspace should open now (ringing or talking), if any."""
    call = line.current_call
    if line.state in POP_STATES and call is not None and call.appeal_id is not None:
        return call
    return None


def talking_call_for_appeal(user: Any, appeal_id: int) -> Call | None:
    """The call of this appeal on which the user is talking right now (the only time they may transfer it)."""
    line = line_of(user)
    if line is None or line.state != ConsultantState.TALKING or line.current_call is None:
        return None
    call = line.current_call
    return call if call.appeal_id == appeal_id else None


def transfer_targets(*, excluding: ConsultantLine | None = None) -> ConsultantLineQuerySet:
    """Consultants free to take a transferred caller, longest idle first."""
    lines = ConsultantLine.objects.filter(state=ConsultantState.READY, current_call__isnull=True)
    if excluding is not None:
        lines = lines.exclude(pk=excluding.pk)
    return lines.select_related("user").longest_idle_first()


def board_lines(*, now: datetime | None = None) -> list[LineStatus]:
    """Every consultant's line for the supervisor: on a call first, then ready, then the rest."""
    order = {state: index for index, state in enumerate(ConsultantState.values)}
    lines = ConsultantLine.objects.select_related("user", "current_call")
    statuses = [line_status(line, now=now) for line in lines]
    return sorted(statuses, key=lambda status: (order.get(status.line.state, 99), status.line.extension))
