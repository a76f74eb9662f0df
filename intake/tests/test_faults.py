"""Nothing lost (issue part 8): a worker killed, the database restarted, the broker away — each message once.

The parts run as real processes, as in production: `manage.py intake_deliver` (a mail server's pipe delivery),
`manage.py run_smtp_receiver`, and `celery -A config worker` on kombu's filesystem broker (folders in the test's
tmp dir, so no broker server is needed). They share one database with the test:
- on PostgreSQL, the test database itself (the test is transactional, so its rows are committed);
- on SQLite, pytest-django's test database lives in this process's memory, which no other process can open, so
  it is copied (SQLite's backup API) into a file that the processes open; the test reads that file back.
Every test ends with "each message processed exactly once": one appeal per message, one acknowledgement each.
"""

from __future__ import annotations

import os
import re
import signal
import smtplib
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from intake.models import InboundMessage
from intake.tests.conftest import free_port, mail_with_files, wait_until

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
APPLICATION = "bailanys-faults"
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="terminates the database connections of other processes"
)

SETTINGS_MODULE = """
from config.settings import *  # noqa: F403

# kombu's filesystem transport: the queue is a folder; a message taken by a worker leaves it at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {{
    "data_folder_in": {broker!r},
    "data_folder_out": {broker!r},
    # Fan-out exchanges (the worker's events, `celery call`) live here too, not in the working directory.
    "control_folder": {broker!r},
    "store_processed": True,
    "processed_folder": {processed!r},
    "polling_interval": 0.1,
}}
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
"""


@dataclass
class Site:
    """The database, broker folder, media and mail the test's processes share."""

    workdir: Path
    env: dict[str, str]
    sqlite_path: Path | None

    def manage(self, *args: str, raw: bytes = b"", **env: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env={**self.env, **env},
            input=raw,
            capture_output=True,
            timeout=120,
        )

    def deliver(self, raw: bytes, **env: str) -> str:
        """Pipe delivery of one message, as a mail server does it; returns the command's output."""
        done = self.manage("intake_deliver", "--mailbox", "egov@nitec.kz", raw=raw, **env)
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        return done.stdout.decode()

    def call(self, task: str) -> None:
        """Send a task through the broker, as Celery beat does."""
        done = subprocess.run([CELERY, "-A", "config", "call", task], cwd=BASE_DIR, env=self.env, capture_output=True)
        assert done.returncode == 0, done.stderr.decode()[-3000:]

    def queued(self) -> list[Path]:
        return sorted((self.workdir / "broker").glob("*.msg"))

    # --- What the database holds --------------------------------------------------------------------------

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path, timeout=30) as reader:
                return list(reader.execute(sql).fetchall())
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    def messages(self) -> list[tuple[str, str, int]]:
        return [
            (str(key), str(status), int(attempts))
            for key, status, attempts in self.rows(
                "SELECT key, status, attempts FROM intake_inboundmessage ORDER BY key"
            )
        ]

    def appeals(self) -> list[tuple[str, str]]:
        return [(str(email), str(ref)) for email, ref in self.rows("SELECT email, channel_ref FROM appeals_appeal")]

    def registered(self, count: int) -> bool:
        return sum(1 for _key, status, _n in self.messages() if status == "registered") >= count

    @contextmanager
    def row_locked(self, key: str) -> Iterator[Callable[[], None]]:
        """Another transaction holds the message's row (SQLite: the whole database); yields its release."""
        if self.sqlite_path is not None:
            holder = sqlite3.connect(self.sqlite_path, timeout=30, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")

            def rollback() -> None:
                if holder.in_transaction:
                    holder.execute("ROLLBACK")

            try:
                yield rollback
            finally:
                rollback()
                holder.close()
            return
        locked, done = threading.Event(), threading.Event()

        def hold() -> None:
            try:
                with transaction.atomic():
                    InboundMessage.objects.select_for_update().get(key=key)
                    locked.set()
                    done.wait(120)
            finally:
                connection.close()

        thread = threading.Thread(target=hold)
        thread.start()
        assert locked.wait(30), "could not lock the message's row"

        def release() -> None:
            done.set()
            thread.join(30)

        try:
            yield release
        finally:
            release()

    # --- Processes ------------------------------------------------------------------------------------

    @contextmanager
    def worker(self, *, keep_connections: bool = False) -> Iterator[Process]:
        """A worker; `keep_connections`: its database connection kept between tasks, as in production."""
        command = [CELERY, "-A", "config", "worker", "--loglevel=INFO", "--concurrency=1", "-Q", "faults"]
        command += ["--without-heartbeat", "--without-mingle", "--without-gossip", "-n", f"faults{os.getpid()}@%h"]
        env = {**self.env, "DB_CONN_MAX_AGE": "60"} if keep_connections else self.env
        with Process.start(command, env, self.workdir / "worker.log", ready=b"ready.") as process:
            yield process

    @contextmanager
    def receiver(self, port: int) -> Iterator[Process]:
        command = [sys.executable, "manage.py", "run_smtp_receiver", "--host", "127.0.0.1", "--port", str(port)]
        # No broker: the receiver registers in its own process; persistent connections, as in production.
        env = {**self.env, "CELERY_BROKER_URL": "", "DB_CONN_MAX_AGE": "60"}
        with Process.start(command, env, self.workdir / "receiver.log", ready=b"SMTP receiver on") as process:
            yield process

    @contextmanager
    def database_away(self) -> Iterator[None]:
        """PostgreSQL refusing the test's processes (what a restart does while it lasts): their connections
        dropped and new ones refused until the block ends."""
        import psycopg

        db = connection.settings_dict
        name = connection.ops.quote_name(db["NAME"])
        # A database cannot shut its own door: this is said from the server's maintenance database.
        with psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"],
            dbname="postgres",
            autocommit=True,
        ) as maintenance:
            maintenance.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
            try:
                self.terminate_connections()
                yield
            finally:
                maintenance.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")

    def terminate_connections(self) -> int:
        """What a database restart does to the connections of the test's processes (PostgreSQL)."""
        rows = self.rows(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE application_name = '{APPLICATION}' AND datname = current_database()"
        )
        return len(rows)


@dataclass
class Process:
    process: subprocess.Popen[bytes]
    log_path: Path

    @classmethod
    @contextmanager
    def start(cls, command: list[str], env: dict[str, str], log_path: Path, *, ready: bytes) -> Iterator[Process]:
        with log_path.open("ab") as log:
            popen = subprocess.Popen(
                command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        started = cls(process=popen, log_path=log_path)
        try:
            started.wait_for(ready, timeout=60)
            yield started
        finally:
            started.stop()

    def log(self) -> bytes:
        return self.log_path.read_bytes()

    def wait_for(self, text: bytes, *, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.process.args} exited:\n{self.log().decode(errors='replace')[-4000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"no {text!r} from {self.process.args}:\n{self.log().decode(errors='replace')[-4000:]}"
                )
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the whole process group (the worker and its pool), as the OOM killer or a power cut does."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def site(transactional_db: None, tmp_path: Path, smtp_inbox, settings) -> Site:  # type: ignore[no-untyped-def]
    broker, processed = tmp_path / "broker", tmp_path / "processed"
    broker.mkdir()
    processed.mkdir()
    (tmp_path / "faults_settings.py").write_text(SETTINGS_MODULE.format(broker=str(broker), processed=str(processed)))
    sqlite_path: Path | None = None
    if connection.vendor == "sqlite":
        sqlite_path = tmp_path / "db.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(sqlite_path) as copy:
            connection.connection.backup(copy)
        database_url = f"sqlite:///{sqlite_path}"
    else:
        db = connection.settings_dict
        database_url = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
            f"?application_name={APPLICATION}"
        )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "faults_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(BASE_DIR)]),
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "True",
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_TASK_DEFAULT_QUEUE": "faults",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": str(settings.EMAIL_HOST),
        "EMAIL_PORT": str(settings.EMAIL_PORT),
        # The safety net takes messages stored for more than a second (production: 120 s).
        "INTAKE_REQUEUE_AFTER_SECONDS": "1",
        "INTAKE_IMAP_POLL_SECONDS": "0",
    }
    return Site(workdir=tmp_path, env=env, sqlite_path=sqlite_path)


def _letter(index: int) -> bytes:
    return mail_with_files(
        [("anyktama.pdf", b"%PDF-1.4\n" + os.urandom(256 * 1024) + b"\n%%EOF\n", "application/pdf")],
        subject=f"Анықтама №{index}",
        sender=f"citizen{index}@example.kz",
        message_id=f"<fault-{index}@example.kz>",
    )


def _exactly_once(site: Site, inbox, indexes: list[int]) -> None:  # type: ignore[no-untyped-def]
    """One registered message, one appeal and one acknowledgement for each letter."""
    assert site.messages() == [(f"fault-{i}@example.kz", "registered", 1) for i in indexes]
    assert sorted(site.appeals()) == [(f"citizen{i}@example.kz", f"fault-{i}@example.kz") for i in indexes]
    acknowledged = sorted(str(message["To"]) for message in inbox.wait_for(len(indexes), timeout=30))
    assert acknowledged == [f"citizen{i}@example.kz" for i in indexes]
    time.sleep(1)  # a second acknowledgement would come within this
    assert len(inbox.messages) == len(indexes)


def _wait_for_lock_wait(site: Site) -> None:
    """PostgreSQL: until one of the test's processes waits for the row lock inside its task."""
    waiting = wait_until(
        lambda: site.rows(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            f"AND application_name = '{APPLICATION}' AND datname = current_database()"
        )[0][0],
        timeout=30,
    )
    assert waiting, "the worker never reached the message's row"


def test_a_worker_killed_in_the_middle_leaves_the_message_registered_once_after_recovery(
    site: Site, smtp_inbox
) -> None:  # type: ignore[no-untyped-def]
    # given: a letter delivered and queued, its row held by another transaction when the worker takes the task
    site.deliver(_letter(1))
    assert site.messages() == [("fault-1@example.kz", "stored", 0)]
    assert len(site.queued()) == 1
    with site.row_locked("fault-1@example.kz"), site.worker() as worker:
        worker.wait_for(b"intake.tasks.register_message_task[")
        if site.sqlite_path is None:
            _wait_for_lock_wait(site)
        else:
            time.sleep(1.5)  # within the 10 s the worker's SQLite connection waits for the lock
        # when: the worker is killed while it handles the message
        worker.kill()
    # then: nothing was registered, and the task went with the worker (the broker handed it over)
    assert site.messages() == [("fault-1@example.kz", "stored", 0)]
    assert site.appeals() == []
    assert site.queued() == []
    # when: the worker is back, and the safety net (Celery beat's requeue_stored) runs
    with site.worker():
        site.call("intake.tasks.requeue_stored")
        wait_until(lambda: site.registered(1), timeout=60)
        # then
        _exactly_once(site, smtp_inbox, [1])


@postgresql_only
def test_the_database_restarting_under_a_task_retries_it_to_one_appeal(site: Site, smtp_inbox) -> None:  # type: ignore[no-untyped-def]
    # given: the worker waits for the message's row
    site.deliver(_letter(2))
    with site.row_locked("fault-2@example.kz") as release, site.worker() as worker:
        _wait_for_lock_wait(site)
        # when: the database drops the worker's connections (what a restart does), then the row is free
        assert site.terminate_connections() >= 1
        release()
        # then: the task's own retry registers the letter, without the safety net
        wait_until(lambda: site.registered(1), timeout=60)
        received = re.findall(rb"register_message_task\[([0-9a-f-]+)\] received", worker.log())
        assert len(received) == 2 and received[0] == received[1], received  # the same task, sent again by its retry
        _exactly_once(site, smtp_inbox, [2])


@postgresql_only
def test_a_worker_keeping_its_connection_between_tasks_survives_a_database_restart(site: Site, smtp_inbox) -> None:  # type: ignore[no-untyped-def]
    # given: a worker that keeps its database connection between tasks (as in production) has registered a letter
    with site.worker(keep_connections=True):
        site.deliver(_letter(5))
        wait_until(lambda: site.registered(1), timeout=60)
        # when: the database drops that idle connection (what a restart does) and the next letter comes
        assert site.terminate_connections() >= 1  # it was kept: a worker closing it after each task has none
        site.deliver(_letter(6))
        # then: the next letter is registered too, without the safety net, and each once
        wait_until(lambda: site.registered(2), timeout=60)
    _exactly_once(site, smtp_inbox, [5, 6])


def test_the_smtp_receiver_answers_451_while_the_database_is_away_and_the_retry_makes_one_appeal(
    site: Site, smtp_inbox
) -> None:  # type: ignore[no-untyped-def]
    # given: the receiver has taken one letter (and holds its database connection)
    port = free_port()
    with site.receiver(port):
        _send(port, _letter(3))
        wait_until(lambda: site.registered(1), timeout=60)
        # when: the database is away (PostgreSQL: restarted; SQLite: locked by another writer past the timeout)
        if site.sqlite_path is None:
            with site.database_away():
                refused = _send_expecting_error(port, _letter(4))
        else:
            with site.row_locked("fault-3@example.kz"):
                refused = _send_expecting_error(port, _letter(4))
        # then: a temporary failure, and nothing kept
        assert refused.smtp_code == 451
        assert [key for key, _s, _n in site.messages()] == ["fault-3@example.kz"]
        # when: the sending server tries again
        _send(port, _letter(4))
        wait_until(lambda: site.registered(2), timeout=60)
        # then
        _exactly_once(site, smtp_inbox, [3, 4])


def test_a_broker_away_or_restarted_loses_nothing(site: Site, smtp_inbox) -> None:  # type: ignore[no-untyped-def]
    # given: one letter arrives while the broker is unreachable (nothing listens on its port) ...
    closed = free_port()
    output = site.deliver(_letter(5), CELERY_BROKER_URL=f"amqp://guest:guest@127.0.0.1:{closed}//")
    assert output.startswith("stored")
    # ... and one is queued, then the broker restarts without its queue
    site.deliver(_letter(6))
    assert len(site.queued()) == 1
    for queued in site.queued():
        queued.unlink()
    # then: both are kept, neither registered
    assert site.messages() == [("fault-5@example.kz", "stored", 0), ("fault-6@example.kz", "stored", 0)]
    # when: the broker and a worker are back, and the safety net runs (twice, as beat would)
    with site.worker():
        site.call("intake.tasks.requeue_stored")
        wait_until(lambda: site.registered(2), timeout=60)
        site.call("intake.tasks.requeue_stored")
        # and the mail server delivers the first letter once more
        site.deliver(_letter(5))
        # then
        _exactly_once(site, smtp_inbox, [5, 6])


def _send(port: int, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        # Lines end in CRLF on the wire (smtplib sends bytes as they are).
        client.sendmail("citizen@example.kz", ["egov@nitec.kz"], raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


def _send_expecting_error(port: int, raw: bytes) -> smtplib.SMTPDataError:
    try:
        _send(port, raw)
    except smtplib.SMTPDataError as error:
        return error
    raise AssertionError("the receiver accepted the letter while the database was away")


def test_pipe_delivery_with_the_database_away_asks_the_mail_server_to_retry(site: Site, smtp_inbox) -> None:  # type: ignore[no-untyped-def]
    # given: nothing listens where the database should be
    closed = free_port()
    away = f"postgres://postgres@127.0.0.1:{closed}/bailanys"
    # when
    refused = site.manage("intake_deliver", "--mailbox", "egov@nitec.kz", raw=_letter(7), DATABASE_URL=away)
    # then: EX_TEMPFAIL, so the mail server keeps the letter (any other failure code would bounce it)
    assert refused.returncode == 75, refused.stderr.decode()[-3000:]
    assert site.messages() == []
    # when: the mail server's retry finds the database back (no broker: registered in the command's process)
    site.deliver(_letter(7), CELERY_BROKER_URL="")
    # then
    _exactly_once(site, smtp_inbox, [7])
