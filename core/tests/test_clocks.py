"""The beat schedule run in-process for one-machine installs (`make run`): each clock when due, failures contained."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.management.commands.run_clocks import clocks_from_settings, run_due


@pytest.mark.django_db
def test_only_the_clocks_that_are_due_run(settings, caplog):
    # given a minute clock that ran 30 s ago and a one-second clock naming a task that does not exist
    settings.CELERY_BEAT_SCHEDULE = {
        "queue": {"task": "telephony.tasks.dispatch_tick", "schedule": 60.0},
        "misconfigured": {"task": "no.such.task", "schedule": 1.0},
    }
    now = timezone.now()
    clocks = clocks_from_settings(now - timedelta(seconds=30))
    # when the due clocks run
    ran = run_due(clocks, now=now)
    # then only the one-second clock ran, and its failure was logged without stopping the loop
    assert ran == ["misconfigured"]
    assert "no.such.task" in caplog.text
    # and when the minute has passed, the queue's clock runs too
    clocks[0].last_run_at = timezone.now() - timedelta(seconds=61)
    later = timezone.now()
    assert run_due(clocks, now=later)[0] == "queue"
    assert clocks[0].last_run_at == later


@pytest.mark.django_db
def test_once_runs_every_clock_of_the_schedule(capsys):
    # when every clock of the real schedule runs once on an empty platform
    call_command("run_clocks", "--once")
    # then each was run, none raised
    out = capsys.readouterr().out
    from django.conf import settings

    assert f"ran {len(settings.CELERY_BEAT_SCHEDULE)} clock(s)" in out
    for name in settings.CELERY_BEAT_SCHEDULE:
        assert name in out
