"""Every clock of the platform without Celery beat (the embedded mode of `make run`).

Runs each entry of CELERY_BEAT_SCHEDULE in this process when it falls due: the phone queue's tick, the recordings
requests' reminders and missed-deadline alerts, the safety net of e-mail intake, retention, the nightly index
rebuild. Production runs the same schedule with `celery beat` and workers; this command is for one machine.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery.schedules import BaseSchedule, schedule
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from config.celery import app

logger = logging.getLogger(__name__)


@dataclass
class Clock:
    name: str
    task: str
    every: BaseSchedule
    last_run_at: datetime

    def due_in(self) -> float:
        """Seconds until the clock is due (0 when due now)."""
        is_due, next_check = self.every.is_due(self.last_run_at)
        return 0.0 if is_due else float(next_check)


def clocks_from_settings(now: datetime) -> list[Clock]:
    """The beat schedule as clocks; a plain number of seconds becomes a schedule of that period."""
    result = []
    beat_schedule: dict[str, dict[str, Any]] = settings.CELERY_BEAT_SCHEDULE
    for name, entry in beat_schedule.items():
        every = entry["schedule"]
        if not isinstance(every, BaseSchedule):
            every = schedule(run_every=timedelta(seconds=float(every)))
        result.append(Clock(name=name, task=str(entry["task"]), every=every, last_run_at=now))
    return result


def run_due(clocks: list[Clock], *, now: datetime) -> list[str]:
    """Run the clocks that are due, each in-process; a failing task is logged and does not stop the others."""
    ran = []
    for clock in clocks:
        if clock.due_in() > 0:
            continue
        clock.last_run_at = now
        try:
            app.tasks[clock.task].apply(throw=True)
        except Exception:
            logger.exception("clock %s (%s) failed; it runs again when next due", clock.name, clock.task)
        ran.append(clock.name)
    return ran


class Command(BaseCommand):
    help = "Run the Celery beat schedule in this process (one-machine installs without a broker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every clock once now and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        app.loader.import_default_modules()
        clocks = clocks_from_settings(timezone.now())
        if options["once"]:
            for clock in clocks:
                clock.last_run_at = timezone.now() - timedelta(days=366)
            ran = run_due(clocks, now=timezone.now())
            self.stdout.write(f"ran {len(ran)} clock(s): {', '.join(ran)}")
            return
        self.stdout.write(f"{len(clocks)} clocks: {', '.join(clock.name for clock in clocks)}")
        while True:
            run_due(clocks, now=timezone.now())
            time.sleep(max(0.5, min(clock.due_in() for clock in clocks)) if clocks else 5.0)
            # A long-running loop must not hold a connection the database has since dropped (not done inside a
            # round: `--once` runs in its caller's connection, a test's transaction for one).
            close_old_connections()
