"""Celery application. With no CELERY_BROKER_URL, tasks run in-process (eager)."""

import os

from celery import Celery
from celery.signals import worker_init

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
