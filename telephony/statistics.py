"""Queue figures against clause 7: average speed of answer, share answered within the target, abandonment.

A call counts in the interval in which it entered the queue. Service level is the share of calls that finished
waiting (answered or abandoned) that were answered within `POLICY_ANSWER_WAIT_TARGET_SECONDS`.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from core.policy import policy

from .choices import CallOutcome, ConsultantState
from .models import Call, ConsultantLine

ALLOWED_INTERVAL_MINUTES = (15, 30, 60)


@dataclass(frozen=True)
class QueueFigures:
    start: datetime
    end: datetime
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_within_target: int = 0
    asa_seconds: float | None = None
    longest_wait_seconds: float | None = None

    @property
    def service_level(self) -> float | None:
        finished = self.answered + self.abandoned
        return self.answered_within_target / finished if finished else None

    @property
    def abandonment_rate(self) -> float | None:
        finished = self.answered + self.abandoned
        return self.abandoned / finished if finished else None


@dataclass(frozen=True)
class LiveFigures:
    window: QueueFigures
    waiting_now: int
    longest_waiting_now_seconds: float | None
    consultants: dict[str, int] = field(default_factory=dict)
    target_seconds: int = 40

    @property
    def alert_level(self) -> str:
        """green below the alert fraction of the target, amber from it, red at or above the target."""
        asa = self.window.asa_seconds
        longest = self.longest_waiting_now_seconds or 0.0
        worst = max(asa or 0.0, longest if self.waiting_now else 0.0)
        if worst >= self.target_seconds:
            return "red"
        if asa is not None and asa >= self.target_seconds * settings.TELEPHONY_WALLBOARD_ALERT_FRACTION:
            return "red"
        if worst >= self.target_seconds * settings.TELEPHONY_WALLBOARD_ALERT_FRACTION:
            return "amber"
        return "green"


def figures_between(start: datetime, end: datetime) -> QueueFigures:
    rows = Call.objects.filter(queued_at__gte=start, queued_at__lt=end).values_list("outcome", "wait_seconds")
    return _figures(start, end, rows)


def _figures(start: datetime, end: datetime, rows: Iterable[tuple[str, float | None]]) -> QueueFigures:
    target = policy("ANSWER_WAIT_TARGET_SECONDS")
    offered = answered = abandoned = within = 0
    answered_waits: list[float] = []
    longest: float | None = None
    for outcome, wait in rows:
        offered += 1
        if wait is not None:
            longest = wait if longest is None else max(longest, wait)
        # A call still in progress has a wait only once it was answered (fold.CallSummary.wait_seconds).
        if outcome == CallOutcome.ANSWERED or (outcome == "" and wait is not None):
            answered += 1
            answered_waits.append(wait or 0.0)
            within += (wait or 0.0) <= target
        elif outcome == CallOutcome.ABANDONED:
            abandoned += 1
    asa = sum(answered_waits) / len(answered_waits) if answered_waits else None
    return QueueFigures(start, end, offered, answered, abandoned, within, asa, longest)


def interval_figures(day: date, *, minutes: int = 15, until: datetime | None = None) -> list[QueueFigures]:
    """Figures per interval of the local day (Asia/Almaty), up to `until` (now) when the day is today."""
    if minutes not in ALLOWED_INTERVAL_MINUTES:
        raise ValueError(f"interval must be one of {ALLOWED_INTERVAL_MINUTES}")
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    limit = min(end, until or timezone.now())
    rows = Call.objects.filter(queued_at__gte=start, queued_at__lt=end).values_list(
        "queued_at", "outcome", "wait_seconds"
    )
    buckets: dict[int, list[tuple[str, float | None]]] = {}
    for queued_at, outcome, wait in rows:
        assert queued_at is not None  # filtered above
        index = int((queued_at - start).total_seconds() // (minutes * 60))
        buckets.setdefault(index, []).append((outcome, wait))
    result = []
    step = timedelta(minutes=minutes)
    index = 0
    while start + index * step < limit:
        bucket_start = start + index * step
        result.append(_figures(bucket_start, bucket_start + step, buckets.get(index, [])))
        index += 1
    return result


def live_figures(*, now: datetime | None = None) -> LiveFigures:
    moment = now or timezone.now()
    window = figures_between(moment - timedelta(minutes=settings.TELEPHONY_LIVE_WINDOW_MINUTES), moment)
    waiting = list(Call.objects.in_queue().values_list("queued_at", flat=True))
    longest = max(((moment - queued).total_seconds() for queued in waiting if queued), default=None)
    states = Counter(ConsultantLine.objects.values_list("state", flat=True))
    return LiveFigures(
        window=window,
        waiting_now=len(waiting),
        longest_waiting_now_seconds=longest,
        consultants={state: states.get(state, 0) for state in ConsultantState.values},
        target_seconds=policy("ANSWER_WAIT_TARGET_SECONDS"),
    )


def queue_position(call: Call) -> tuple[int | None, int | None]:
    """The caller's place among those waiting for the same language, and the expected wait in seconds."""
    if call.queued_at is None or call.answered_at is not None or call.ended_at is not None:
        return None, None
    ahead = Call.objects.in_queue().filter(language=call.language, queued_at__lt=call.queued_at).count()
    position = ahead + 1
    return position, _expected_wait(position, call.language)


def _expected_wait(position: int, language: str) -> int | None:
    """Position × recent average talk time ÷ consultants on the line for that language."""
    since = timezone.now() - timedelta(hours=1)
    talks = Call.objects.filter(answered_at__gte=since, ended_at__isnull=False).values_list("answered_at", "ended_at")
    durations = [(ended - answered).total_seconds() for answered, ended in talks if answered and ended]
    if not durations:
        return None
    staffed = (
        ConsultantLine.objects.speaking(language)
        .exclude(state__in=[ConsultantState.OFFLINE, ConsultantState.BREAK])
        .count()
    )
    average_talk = sum(durations) / len(durations)
    return round(position * average_talk / max(staffed, 1))
