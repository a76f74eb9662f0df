"""Celery application. With no CELERY_BROKER_URL, tasks run in-process (eager)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("bailanys")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _require_secret_key(**_kwargs: object) -> None:
    """A worker signs what it mails (Message-IDs, links): without a key it does not start."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.SECRET_KEY  # noqa: B018
    except ImproperlyConfigured as error:
        # Celery logs and ignores exceptions from signal handlers; only an exit stops the worker.
        raise SystemExit(f"bailanys worker: {error}") from error


@task_prerun.connect
@task_postrun.connect
def _drop_unusable_connections(sender: object = None, **_kwargs: object) -> None:
    """Connections are kept across a worker's tasks (CELERY_DB_REUSE_MAX): as around a web request, one that
    failed or is older than DB_CONN_MAX_AGE is closed, so the next task opens a good one (a database restart costs
    one retry). Not for a task run in-process (eager), which runs inside its caller's connection and transaction."""
    from django.db import close_old_connections

    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    close_old_connections()
