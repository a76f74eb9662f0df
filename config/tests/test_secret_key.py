"""Without DEBUG the key comes from the environment: serving and working processes refuse to start without it, while
management commands that sign nothing still run (a fresh checkout can check its migrations)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "SECRET_KEY", "CELERY_BROKER_URL")}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_migrations_can_be_checked_without_a_key():
    checked = _run(sys.executable, "manage.py", "makemigrations", "--check", "--dry-run")
    assert checked.returncode == 0, checked.stderr


def test_the_web_application_does_not_start_without_a_key():
    for module in ("config.wsgi", "config.asgi"):
        started = _run(sys.executable, "-c", f"import {module}")
        assert started.returncode != 0
        assert "SECRET_KEY" in started.stderr


def test_a_worker_does_not_start_without_a_key():
    started = _run(CELERY, "-A", "config", "worker", "--pool=solo", "--loglevel=ERROR")
    assert started.returncode != 0
    assert "bailanys worker: The SECRET_KEY setting must not be empty." in started.stderr
