"""E-mail intake benchmark: a realistic mix of citizens' mail registered end to end on PostgreSQL by a real worker.

    .venv/bin/python bench/intake/run.py [--messages 2000] [--connections 4] [--concurrency 2] [--json]

Brings up, on loopback, and tears down at the end (every process in its own process group, ports chosen free):
- a fresh PostgreSQL database `bench_intake` (dropped and created, migrated) on BENCH_INTAKE_POSTGRES (default
  postgres://postgres@127.0.0.1:5432/postgres), kept after the run for inspection;
- a Celery worker (`celery -A config worker`, prefork, `--concurrency` processes) on Redis
  (BENCH_INTAKE_REDIS, default redis://127.0.0.1:6379/7) consuming a queue of this run only;
- the built-in SMTP receiver (`manage.py run_smtp_receiver`, i.e. intake.email.smtp.start_receiver);
- an aiosmtpd sink (in this process) that the acknowledgements are really mailed to (EMAIL_HOST/EMAIL_PORT).
Everything runs with production settings (DEBUG=False); files go to a temporary MEDIA_ROOT.

Figures:
1. SMTP: `--messages` mails (bench/intake/corpus.py; seed `--seed`) sent over `--connections` concurrent SMTP
   sessions; messages per second from the first message sent until the poll (every 50 ms) sees the last one
   committed as registered or joined. A reply, a reply to our acknowledgement, an auto-reply or a bounce is sent
   only once the message it answers is registered (a citizen answers what they got).
2. Direct: the same mails through `intake.services.accept_message` called by as many threads here, the same
   worker registering them.
3. Bare inserts: the Appeal + InboundMessage rows of run 1 inserted into a fresh schema (bulk_create; COPY
   beside it): `vs_bare_inserts` = messages_per_s / bare_inserts_per_s.
4. Stages: with the worker stopped, a sample of the same mails taken in, registered and acknowledged one after
   the other in this process, with timers around the project's functions (bench/intake/stages.py), then a
   cProfile pass.
Each run checks that every message ended registered or joined exactly once, as expected, and that duplicates
made no extra appeal. The tables are emptied between runs (and after a short warm-up of each path).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import smtplib
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import postgres  # noqa: E402
from bench.intake.corpus import ACK_PLACEHOLDER, Corpus, Mail, generate  # noqa: E402
from bench.telephony import processes  # noqa: E402

DATABASE = "bench_intake"
TARGET_MESSAGES_PER_S = 100.0
STALL_S = 180.0  # no message committed for this long: the run is stopped and reported as it stands
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="messages per run")
    parser.add_argument("--connections", type=int, default=4, help="concurrent SMTP sessions (and direct threads)")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--seed", type=int, default=1414)
    parser.add_argument("--stage-sample", type=int, default=400, help="messages timed stage by stage")
    parser.add_argument("--profile-sample", type=int, default=150, help="messages run under cProfile")
    parser.add_argument("--skip-direct", action="store_true", help="no run through accept_message")
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, files)")
    return parser.parse_args()


def say(args: argparse.Namespace, message: str) -> None:
    if not args.json:
        print(message, flush=True)


# --- Bring-up ----------------------------------------------------------------------------------------------


def fresh_database() -> str:
    """Drop and create the benchmark's database; returns its URL."""
    return postgres.fresh_database(DATABASE, server_variable="BENCH_INTAKE_POSTGRES")


class Sink:
    """Outgoing mail (the acknowledgements) really sent over SMTP, received and counted here."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.count = 0
        self.lock = threading.Lock()
        self.port = processes.free_range(1, start=20000, stop=30000, udp=False, tcp=True, taken=set())
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"

    def stop(self) -> None:
        self.controller.stop()


def environment(workdir: Path, database_url: str, broker: str, queue: str, sink_port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "EMAIL_", "POLICY_"))}
    return {
        **postgres.production_environment(env, name="bench-intake", workdir=workdir, database_url=database_url),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink_port),
        "INTAKE_IMAP_POLL_SECONDS": "0",
    }


def wait_for(what: str, ready: Callable[[], bool], *, timeout: float, started: processes.Started | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if started is not None and started.process.poll() is not None:
            raise RuntimeError(f"{what} exited with {started.process.returncode}:\n{started.log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {timeout:.0f} s\n{started.log_tail() if started else ''}")
        time.sleep(0.2)


def smtp_answers(port: int) -> bool:
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=2) as client:
            return client.noop()[0] == 250
    except OSError:
        return False


def worker_answers(node: str) -> bool:
    from config.celery import app

    return bool(app.control.ping(destination=[node], timeout=1.0))


@dataclass
class Platform:
    groups: processes.ProcessGroups
    sink: Sink
    broker: str
    queue: str
    node: str
    smtp_port: int
    worker: processes.Started | None = None
    receiver: processes.Started | None = None
    env: dict[str, str] = field(default_factory=dict)


def start_platform(args: argparse.Namespace, groups: processes.ProcessGroups) -> Platform:
    workdir = groups.workdir
    queue = f"bench_intake_{os.getpid()}"
    broker = os.environ.get("BENCH_INTAKE_REDIS", "redis://127.0.0.1:6379/7")
    sink = Sink()
    say(args, f"database {DATABASE}: drop, create, migrate …")
    env = environment(workdir, fresh_database(), broker, queue, sink.port)
    migrate = subprocess_run([PY, "manage.py", "migrate", "--noinput"], env)
    if migrate.returncode:
        raise RuntimeError(f"migrate failed:\n{migrate.stdout[-2000:]}\n{migrate.stderr[-3000:]}")
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    smtp_port = processes.free_range(1, start=30000, stop=40000, udp=False, tcp=True, taken={sink.port})
    platform = Platform(
        groups=groups, sink=sink, broker=broker, queue=queue, node=f"{queue}@bench", smtp_port=smtp_port, env=env
    )
    platform.worker = groups.start(
        "worker",
        [
            *(PY, "-m", "celery", "-A", "config", "worker", "-Q", queue, "-n", platform.node),
            *("-c", str(args.concurrency), "-P", "prefork", "-l", "WARNING"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        env=env,
        cwd=ROOT,
    )
    platform.receiver = groups.start(
        "smtp-receiver",
        [PY, "manage.py", "run_smtp_receiver", "--host", "127.0.0.1", "--port", str(smtp_port)],
        env=env,
        cwd=ROOT,
    )
    wait_for("SMTP receiver", lambda: smtp_answers(smtp_port), timeout=60, started=platform.receiver)
    wait_for("Celery worker", lambda: worker_answers(platform.node), timeout=90, started=platform.worker)
    return platform


def subprocess_run(command: list[str], env: dict[str, str]) -> Any:
    import subprocess

    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)


def empty_tables() -> None:
    """Everything a run writes, gone (and the files), so that each run starts alike."""
    from django.conf import settings
    from django.db import connection

    from appeals.models import Appeal, AppealAttachment, AppealEvent, AppealNumberSequence
    from audit.models import AuditChainHead, AuditEvent
    from intake.models import InboundMessage

    models = (InboundMessage, AppealAttachment, AppealEvent, Appeal, AppealNumberSequence, AuditEvent, AuditChainHead)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(m._meta.db_table for m in models)} RESTART IDENTITY CASCADE")
    for folder in ("intake", "appeals"):
        shutil.rmtree(Path(settings.MEDIA_ROOT) / folder, ignore_errors=True)


def forget_queue(platform: Platform) -> None:
    """Tasks left in this run's queue (the stage run queues tasks no worker takes)."""
    import redis

    client = redis.Redis.from_url(platform.broker)
    client.delete(platform.queue, *client.keys(f"_kombu.binding*{platform.queue}"))
    client.close()


# --- Feeding mail --------------------------------------------------------------------------------------------


def committed(message_id: str) -> bool:
    from intake.models import InboundMessage, InboundStatus

    return InboundMessage.objects.filter(key=message_id).exclude(status=InboundStatus.STORED).exists()


def resolve(mail: Mail, *, timeout: float = 300.0) -> bytes:
    """The bytes to send: for an answer, once its parent is registered, with our acknowledgement's real id."""
    if not mail.waits_for_parent:
        return mail.raw
    deadline = time.monotonic() + timeout
    while not committed(mail.parent):
        if time.monotonic() > deadline:
            raise RuntimeError(f"message {mail.parent} was never registered")
        time.sleep(0.05)
    placeholder = ACK_PLACEHOLDER % mail.parent.encode()
    if placeholder not in mail.raw:
        return mail.raw
    from appeals.choices import Channel
    from appeals.mail_threading import outbound_message_id
    from appeals.models import Appeal

    appeal = Appeal.objects.get(channel=Channel.EMAIL, channel_ref=mail.parent)
    return mail.raw.replace(placeholder, outbound_message_id(appeal, "ack").encode())


def with_return_path(mail: Mail, raw: bytes) -> bytes:
    return f"Return-Path: <{mail.mail_from}>\r\n".encode() + raw


@dataclass
class Feed:
    latencies: list[float] = field(default_factory=list)
    waited_s: float = 0.0
    retries: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def feed(mails: list[Mail], *, via: str, connections: int, smtp_port: int, result: Feed) -> list[threading.Thread]:
    """One thread per SMTP session (or direct caller); message i goes through thread i mod `connections`."""
    from django.db import connections as django_connections

    def send_all(share: list[Mail]) -> None:
        client = smtplib.SMTP("127.0.0.1", smtp_port, timeout=300) if via == "smtp" else None
        try:
            for mail in share:
                waited = time.perf_counter()
                raw = resolve(mail)
                started = time.perf_counter()
                deliver(client, mail, raw, result)
                done = time.perf_counter()
                with result.lock:
                    result.latencies.append(done - started)
                    result.waited_s += started - waited
        except Exception as error:  # reported with the figures; the run goes on to its checks
            with result.lock:
                result.errors.append(f"{type(error).__name__}: {error}")
        finally:
            if client is not None:
                client.quit()
            django_connections.close_all()

    threads = [
        threading.Thread(target=send_all, args=(mails[offset::connections],), daemon=True)
        for offset in range(connections)
    ]
    for thread in threads:
        thread.start()
    return threads


def deliver(client: smtplib.SMTP | None, mail: Mail, raw: bytes, result: Feed) -> None:
    if client is None:
        from intake.models import InboundSource
        from intake.services import accept_message

        accept_message(raw=with_return_path(mail, raw), mailbox=mail.rcpt, source=InboundSource.PIPE)
        return
    for _attempt in range(20):
        try:
            client.sendmail(mail.mail_from, [mail.rcpt], raw)
            return
        except smtplib.SMTPResponseException as error:
            if error.smtp_code != 451:
                raise
            with result.lock:
                result.retries += 1
            time.sleep(0.5)
    raise RuntimeError(f"{mail.message_id}: deferred 20 times")


# --- One run -------------------------------------------------------------------------------------------------


def our_backends() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [DATABASE])
        return [row[0] for row in cursor.fetchall()]


def cpu_now(platform: Platform) -> dict[str, dict[int, float]]:
    assert platform.worker is not None and platform.receiver is not None
    return {
        "worker": processes.group_cpu(platform.worker.pgid),
        "smtp_receiver": processes.group_cpu(platform.receiver.pgid),
        "bench_process": {os.getpid(): processes.cpu_seconds(os.getpid()) or 0.0},
        "postgres_backends": {pid: cpu for pid in our_backends() if (cpu := processes.cpu_seconds(pid)) is not None},
    }


def finished_count() -> int:
    from intake.models import InboundMessage, InboundStatus

    return InboundMessage.objects.exclude(status=InboundStatus.STORED).count()


def acknowledgements_due() -> int:
    from intake.models import AckDecision, InboundMessage

    return InboundMessage.objects.filter(acknowledgement=AckDecision.SENT).count()


def acknowledged_count() -> int:
    from audit.models import AuditEvent

    return AuditEvent.objects.filter(action="appeal.acknowledged").count()


def run_once(args: argparse.Namespace, platform: Platform, corpus: Corpus, *, via: str, label: str) -> dict[str, Any]:
    empty_tables()
    platform.sink.count = 0
    mails = corpus.mails
    expected_keys = len({mail.message_id for mail in mails})
    before = cpu_now(platform)
    busy_before = processes.box_cpu()
    load_before = os.getloadavg()
    result = Feed()
    started = time.perf_counter()
    threads = feed(mails, via=via, connections=args.connections, smtp_port=platform.smtp_port, result=result)
    done, last_change, last_done, next_said = 0, started, -1, started + 10
    while done < expected_keys:
        time.sleep(0.05)
        done = finished_count()
        now = time.perf_counter()
        if done != last_done:
            last_done, last_change = done, now
        if now - last_change > STALL_S or (result.errors and not any(t.is_alive() for t in threads)):
            break
        if now >= next_said:
            say(args, f"  {label}: {done}/{expected_keys} committed after {now - started:.0f} s")
            next_said += 10
    elapsed = time.perf_counter() - started
    after = cpu_now(platform)
    busy_after = processes.box_cpu()
    for thread in threads:
        thread.join(timeout=30)
    # Acknowledgements: sent by the worker after the appeals are committed.
    due = acknowledgements_due()
    deadline = time.monotonic() + 120
    while acknowledged_count() < due and time.monotonic() < deadline:
        time.sleep(0.1)
    acks_done_s = time.perf_counter() - started
    figures = {
        "via": via,
        "messages": len(mails),
        "distinct_message_ids": expected_keys,
        "committed": done,
        "seconds": round(elapsed, 3),
        "messages_per_s": round(len(mails) / elapsed, 1),
        "appeals_per_s": None,
        "accept_latency_ms": percentiles([value * 1000 for value in result.latencies]),
        "sender_waited_for_parents_s": round(result.waited_s, 2),
        "deferred_451": result.retries,
        "errors": result.errors[:5],
        "acknowledgements": {
            "due": due,
            "mailed": acknowledged_count(),
            "received_by_sink": platform.sink.count,
            "all_sent_after_s": round(acks_done_s, 2),
        },
        "cpu_s_per_message": cpu_per_message(before, after, len(mails)),
        "machine": {
            "busy_share": round(share_busy(busy_before, busy_after), 3),
            "load_avg_before": [round(x, 2) for x in load_before],
            "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        },
        "verification": verify(corpus),
    }
    appeals = figures["verification"]["appeals"]
    figures["appeals_per_s"] = round(appeals / elapsed, 1)
    return figures


def cpu_per_message(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]], count: int) -> dict:
    return {
        name: round(processes.cpu_between(before.get(name, {}), after[name]) / count * 1000, 2) for name in after
    } | {"unit": "ms"}


def share_busy(before: tuple[float, float], after: tuple[float, float]) -> float:
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else 0.0


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1], 2)}


def verify(corpus: Corpus) -> dict[str, Any]:
    """Every distinct message once, registered or joined as its kind says; duplicates made nothing."""
    from appeals.models import Appeal, AppealAttachment
    from intake.models import InboundMessage, InboundStatus

    rows = dict(InboundMessage.objects.values_list("key", "status"))
    expected = {mail.message_id: mail.expected for mail in corpus.mails if mail.kind != "duplicate"}
    kinds = {mail.message_id: mail.kind for mail in corpus.mails if mail.kind != "duplicate"}
    statuses = Counter(rows.values())
    missing = sorted(set(expected) - set(rows))
    unexpected = sorted(set(rows) - set(expected))
    wrong = Counter(
        f"{kinds[key]}: expected {expected[key]}, got {rows[key]}"
        for key in expected
        if key in rows and rows[key] != expected[key]
    )
    appeals = Appeal.objects.count()
    duplicated = {mail.parent for mail in corpus.mails if mail.kind == "duplicate"}
    duplicate_appeals = Appeal.objects.filter(channel_ref__in=duplicated).count()
    registered = statuses.get(InboundStatus.REGISTERED, 0)
    ok = (
        not missing
        and not unexpected
        and not wrong
        and appeals == registered == sum(1 for value in expected.values() if value == "registered")
        and duplicate_appeals == len(duplicated)
    )
    return {
        "ok": ok,
        "appeals": appeals,
        "messages_rows": len(rows),
        "statuses": dict(statuses),
        "expected_registered": sum(1 for value in expected.values() if value == "registered"),
        "expected_joined": sum(1 for value in expected.values() if value == "joined"),
        "duplicates_sent": sum(1 for mail in corpus.mails if mail.kind == "duplicate"),
        "duplicates_made_no_extra_appeal": duplicate_appeals == len(duplicated),
        "missing": missing[:5],
        "unexpected": unexpected[:5],
        "mismatches": dict(wrong),
        "files_kept": AppealAttachment.objects.filter(refusal="").count(),
        "files_refused": AppealAttachment.objects.exclude(refusal="").count(),
    }


def warm_up(args: argparse.Namespace, platform: Platform, *, via: str) -> None:
    """A few messages first (imports, templates, connections), then the tables emptied again."""
    corpus = generate(30, seed=args.seed + 1, tag=f"warm{via}")
    result = Feed()
    threads = feed(corpus.mails, via=via, connections=args.connections, smtp_port=platform.smtp_port, result=result)
    for thread in threads:
        thread.join(timeout=120)
    if result.errors:
        raise RuntimeError(f"warm-up through {via}: {result.errors}")
    distinct = len({mail.message_id for mail in corpus.mails})
    wait_for("warm-up", lambda: finished_count() >= distinct, timeout=120, started=platform.worker)
    wait_for("warm-up acknowledgements", lambda: acknowledged_count() >= acknowledgements_due(), timeout=120)
    time.sleep(0.5)  # the last acknowledgement's task returning


def stage_figures(args: argparse.Namespace, platform: Platform, corpus: Corpus) -> dict[str, Any]:
    from bench.intake.stages import profile, time_stages

    assert platform.worker is not None
    platform.groups.stop(platform.worker)  # from now on nothing takes the queued tasks: this process does the work
    empty_tables()
    sample = corpus.mails[: args.stage_sample]
    rest = corpus.mails[args.stage_sample : args.stage_sample + args.profile_sample]
    say(args, f"stages: {len(sample)} messages one by one in this process, then {len(rest)} under cProfile …")

    def resolve_here(mail: Mail) -> bytes:
        return with_return_path(mail, resolve(mail, timeout=1.0))

    # A parent outside the sample cannot be answered here: such answers are left out.
    inside = {mail.message_id for mail in sample}
    timed = [mail for mail in sample if not mail.waits_for_parent or mail.parent in inside]
    stages = time_stages(timed, resolve_here)
    inside |= {mail.message_id for mail in rest}
    profiled = [mail for mail in rest if not mail.waits_for_parent or mail.parent in inside]
    stages["profile"] = profile(profiled, resolve_here)
    forget_queue(platform)
    return stages


# --- Report --------------------------------------------------------------------------------------------------


def report(result: dict[str, Any]) -> str:
    smtp = result["smtp"]
    lines = [
        f"{result['mix']['messages']} messages ({result['mix']['bytes_total'] / 1e6:.0f} MB; median "
        f"{result['mix']['bytes_median'] / 1000:.0f} KB, p95 {result['mix']['bytes_p95'] / 1e6:.2f} MB, max "
        f"{result['mix']['bytes_max'] / 1e6:.2f} MB); kinds {result['mix']['kinds']}",
        f"charsets {result['mix']['charsets']}; shapes {result['mix']['shapes']}",
        f"worker: Celery prefork x{result['setup']['worker_concurrency']} on {result['setup']['broker']}, queue "
        f"{result['setup']['queue']}; {result['setup']['connections']} concurrent SMTP sessions; acknowledgements "
        f"{result['setup']['outgoing_mail']}",
        "",
        f"{'':<34}{'messages/s':>12}{'appeals/s':>11}{'seconds':>9}{'check':>7}",
    ]
    runs = [("SMTP receiver -> worker", smtp)]
    if result.get("direct"):
        runs.append(("accept_message -> worker", result["direct"]))
    for name, run in runs:
        check = "ok" if run["verification"]["ok"] else "FAIL"
        lines.append(
            f"{name:<34}{run['messages_per_s']:>12.1f}{run['appeals_per_s']:>11.1f}{run['seconds']:>9.1f}{check:>7}"
        )
    bare = result["bare_inserts"]
    lines.append(f"{'bare inserts (bulk_create)':<34}{bare['bare_inserts_per_s']:>12.1f}")
    lines.append(f"{'bare inserts (COPY)':<34}{bare['bare_copy_per_s']:>12.1f}")
    lines.append(
        f"\nvs_bare_inserts = {result['vs_bare_inserts']:.4f}  (messages_per_s {result['messages_per_s']:.1f} / "
        f"bare_inserts_per_s {bare['bare_inserts_per_s']:.1f}); target >= {TARGET_MESSAGES_PER_S:.0f} messages/s: "
        + ("met" if result["messages_per_s"] >= TARGET_MESSAGES_PER_S else "MISSED")
    )
    for name, run in runs:
        v = run["verification"]
        acks = run["acknowledgements"]
        lines.append(
            f"{name}: {v['appeals']} appeals, statuses {v['statuses']}, duplicates {v['duplicates_sent']} made no "
            f"extra appeal: {v['duplicates_made_no_extra_appeal']}; files kept {v['files_kept']}, refused "
            f"{v['files_refused']}; acknowledgements {acks['mailed']}/{acks['due']} mailed (sink got "
            f"{acks['received_by_sink']}) by {acks['all_sent_after_s']} s"
        )
        if not v["ok"]:
            lines.append(f"  CHECK FAILED: missing {v['missing']} unexpected {v['unexpected']} {v['mismatches']}")
        if run["errors"]:
            lines.append(f"  sender errors: {run['errors']}")
        lines.append(
            f"  accept latency ms {run['accept_latency_ms']}; senders waited {run['sender_waited_for_parents_s']} s "
            f"for parents; CPU ms/message {run['cpu_s_per_message']}; machine busy {run['machine']['busy_share']:.0%}"
            f", load {run['machine']['load_avg_before']} -> {run['machine']['load_avg_after']}"
        )
    stages = result["stages"]
    lines.append(
        f"\nwhere the time goes: {stages['messages']} messages one by one in one process: "
        f"{stages['timed_ms_per_message']:.1f} ms/message ({stages['single_process_messages_per_s']} messages/s), "
        f"{stages['queries_per_message']} queries, SQL {stages['sql_ms_per_message']:.1f} ms/message"
    )
    lines.append(f"  {'stage':<56}{'ms/msg':>8}{'share':>7}{'queries':>9}{'SQL ms':>8}")
    for stage in stages["stages"]:
        lines.append(
            f"  {stage['stage']:<56}{stage['ms_per_message']:>8.2f}{stage['share']:>7.1%}"
            f"{stage['queries_per_message']:>9.2f}{stage['sql_ms_per_message']:>8.2f}"
        )
    profile = stages["profile"]
    lines.append(f"\nproject functions by cumulative time (cProfile, {profile['messages']} messages, ms/message):")
    for row in profile["project_by_cumulative"]:
        lines.append(f"  {row['cumulative_ms_per_message']:>8.2f}  {row['function']} ({row['calls']} calls)")
    lines.append("all functions by own time (ms/message):")
    for row in profile["all_by_own_time"]:
        lines.append(f"  {row['own_ms_per_message']:>8.2f}  {row['function']} ({row['calls']} calls)")
    lines.append(f"\nnote: {result['setup']['note']}")
    return "\n".join(lines)


# --- Main ----------------------------------------------------------------------------------------------------


def main() -> int:
    args = parse_arguments()
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))  # still tear everything down
    workdir = Path(tempfile.mkdtemp(prefix="bench_intake_"))
    groups = processes.ProcessGroups(workdir)
    platform: Platform | None = None
    try:
        started = time.monotonic()
        corpus = generate(args.messages, seed=args.seed, tag=f"s{args.seed}")
        say(args, f"work directory {workdir}; {args.messages} messages generated in {time.monotonic() - started:.1f} s")
        platform = start_platform(args, groups)
        result: dict[str, Any] = {"mix": corpus.describe()}
        say(args, "run 1: through the SMTP receiver …")
        warm_up(args, platform, via="smtp")
        result["smtp"] = run_once(args, platform, corpus, via="smtp", label="SMTP")
        from bench.intake.baseline import bare_inserts

        result["bare_inserts"] = bare_inserts(messages=len(corpus.mails))
        if not args.skip_direct:
            say(args, "run 2: through accept_message …")
            warm_up(args, platform, via="direct")
            result["direct"] = run_once(args, platform, corpus, via="direct", label="direct")
        result["stages"] = stage_figures(args, platform, corpus)
        result["messages_per_s"] = result["smtp"]["messages_per_s"]
        result["appeals_per_s"] = result["smtp"]["appeals_per_s"]
        result["bare_inserts_per_s"] = result["bare_inserts"]["bare_inserts_per_s"]
        result["vs_bare_inserts"] = round(result["messages_per_s"] / result["bare_inserts_per_s"], 5)
        result["target_messages_per_s"] = TARGET_MESSAGES_PER_S
        result["target_met"] = result["messages_per_s"] >= TARGET_MESSAGES_PER_S
        result["verified"] = result["smtp"]["verification"]["ok"] and (
            args.skip_direct or result["direct"]["verification"]["ok"]
        )
        result["setup"] = {
            "database": f"PostgreSQL {DATABASE}",
            "broker": platform.broker,
            "queue": platform.queue,
            "worker_concurrency": args.concurrency,
            "connections": args.connections,
            "outgoing_mail": "mailed over SMTP (Django's SMTP backend) to an aiosmtpd sink in the benchmark process "
            f"(127.0.0.1:{platform.sink.port})",
            "cores": os.cpu_count(),
            "note": "the machine (2 cores) is shared with other engineers' work during the run: figures vary "
            "with their load (see machine.busy_share and load averages per run)",
            "work_directory": str(workdir) if args.keep else None,
        }
        if args.json:
            print(json.dumps(result, ensure_ascii=False))
        else:
            print(report(result))
        return 0 if result["verified"] else 1
    finally:
        groups.stop_all()
        if platform is not None:
            platform.sink.stop()
            with contextlib.suppress(Exception):  # the broker may be gone; nothing else to clean
                forget_queue(platform)
        if "django.db" in sys.modules:
            from django.conf import settings

            if settings.configured:
                from django.db import connections

                connections.close_all()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
