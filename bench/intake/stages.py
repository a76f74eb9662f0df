"""Where the time goes: the same messages taken in and registered one after the other in this process, with
explicit timers around the project's real functions (wrapped here, at run time: no project code is edited).

Each stage's time is exclusive (a stage called inside another is not counted twice), SQL time and queries are
attributed to the stage that ran them, and `commit` is the database's COMMIT (its WAL flush). A second pass runs
under cProfile for the functions that cost most.
"""

from __future__ import annotations

import cProfile
import functools
import pstats
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

# (module, attribute, stage): the calls timed; the module attribute is replaced for the run and put back.
TIMED = (
    ("intake.services", "message_key", "message key (accept: header parse)"),
    ("intake.services", "_store_raw", "store raw message (file)"),
    ("intake.services", "queue_registration", "queue registration task (Redis)"),
    ("intake.services", "parse_mail", "parse (parse_mail)"),
    ("intake.services", "appeal_continued_by", "threading look-up"),
    ("intake.services", "register_appeal", "register_appeal (checks, appeal + event rows)"),
    ("intake.services", "add_citizen_message", "join (add_citizen_message)"),
    ("intake.services", "add_attachments", "attachment rows (add_attachments)"),
    ("intake.services", "record_event", "audit record"),
    ("appeals.services", "record_event", "audit record"),
    ("appeals.services", "next_registration_number", "registration number (locked sequence)"),
    ("appeals.services", "_store_content", "attachments storage (files)"),
)
ACCEPT = "accept (look-up, insert)"
REGISTER = "register transaction (lock, read raw, decide, save)"
ACK_QUEUE = "queue acknowledgement task (Redis)"
ACK_TASK = "acknowledgement task (claim, render, SMTP to sink)"
COMMIT = "commit"


class Clock:
    """Exclusive time per stage, with the SQL each stage ran."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.sql_seconds: defaultdict[str, float] = defaultdict(float)
        self.queries: Counter[str] = Counter()
        self.stack: list[list[Any]] = []

    def wrap(self, stage: str, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.stack.append([stage, time.perf_counter(), 0.0])
            try:
                return func(*args, **kwargs)
            finally:
                name, started, inner = self.stack.pop()
                elapsed = time.perf_counter() - started
                self.seconds[name] += elapsed - inner
                self.calls[name] += 1
                if self.stack:
                    self.stack[-1][2] += elapsed

        return timed

    def sql(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            stage = self.stack[-1][0] if self.stack else "outside"
            self.sql_seconds[stage] += time.perf_counter() - started
            self.queries[stage] += 1


class _DelayTimed:
    """The acknowledgement task with its `.delay` timed (appeals.services imports it at call time)."""

    def __init__(self, task: Any, clock: Clock) -> None:
        self._task = task
        self.delay = clock.wrap(ACK_QUEUE, task.delay)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._task, name)


@contextmanager
def instrumented(clock: Clock) -> Iterator[dict[str, Callable[..., Any]]]:
    import importlib

    from django.db import connection

    import appeals.tasks
    from appeals.services import deliver_acknowledgement
    from intake.services import accept_message, register_message

    with ExitStack() as stack:
        for module_name, attribute, stage in TIMED:
            module = importlib.import_module(module_name)
            original = getattr(module, attribute)
            setattr(module, attribute, clock.wrap(stage, original))
            stack.callback(setattr, module, attribute, original)
        task = appeals.tasks.send_acknowledgement
        appeals.tasks.send_acknowledgement = _DelayTimed(task, clock)  # type: ignore[assignment]
        stack.callback(setattr, appeals.tasks, "send_acknowledgement", task)
        connection.ensure_connection()
        original_commit = connection._commit
        connection._commit = clock.wrap(COMMIT, original_commit)  # type: ignore[method-assign]
        stack.callback(setattr, connection, "_commit", original_commit)
        stack.enter_context(connection.execute_wrapper(clock.sql))
        yield {
            "accept": clock.wrap(ACCEPT, accept_message),
            "register": clock.wrap(REGISTER, register_message),
            "acknowledge": clock.wrap(ACK_TASK, deliver_acknowledgement),
        }


def process(mails: list[Any], calls: dict[str, Callable[..., Any]], resolve: Callable[[Any], bytes]) -> int:
    """Take in, register and acknowledge each message in turn, as the receiver and the worker would."""
    from intake.models import AckDecision, InboundMessage, InboundSource

    registered = 0
    for mail in mails:
        raw = resolve(mail)
        accepted = calls["accept"](raw=raw, mailbox=mail.rcpt, source=InboundSource.PIPE)
        if not accepted.created:
            continue
        calls["register"](message_id=accepted.message.pk)
        decision, appeal_id = InboundMessage.objects.values_list("acknowledgement", "appeal_id").get(
            pk=accepted.message.pk
        )
        registered += 1
        if decision == AckDecision.SENT and appeal_id:
            calls["acknowledge"](appeal_id=appeal_id)
    return registered


def time_stages(mails: list[Any], resolve: Callable[[Any], bytes]) -> dict[str, Any]:
    clock = Clock()
    started = time.perf_counter()
    with instrumented(clock) as calls:
        process(mails, calls, resolve)
    wall = time.perf_counter() - started
    count = len(mails)
    stages = sorted(clock.seconds, key=lambda name: -clock.seconds[name])
    total = sum(clock.seconds.values())
    return {
        "messages": count,
        "wall_s": round(wall, 3),
        "timed_ms_per_message": round(total * 1000 / count, 3),
        "single_process_messages_per_s": round(count / total, 1) if total else None,
        "stages": [
            {
                "stage": name,
                "ms_per_message": round(clock.seconds[name] * 1000 / count, 3),
                "share": round(clock.seconds[name] / total, 3) if total else 0.0,
                "calls": clock.calls[name],
                "queries_per_message": round(clock.queries[name] / count, 2),
                "sql_ms_per_message": round(clock.sql_seconds[name] * 1000 / count, 3),
            }
            for name in stages
        ],
        "queries_per_message": round(sum(n for name, n in clock.queries.items() if name != "outside") / count, 2),
        "sql_ms_per_message": round(
            sum(s for name, s in clock.sql_seconds.items() if name != "outside") * 1000 / count, 3
        ),
    }


def profile(mails: list[Any], resolve: Callable[[Any], bytes], *, top: int = 15) -> dict[str, Any]:
    """cProfile over the same work: the project's functions by cumulative time, and everything by own time."""
    from appeals.services import deliver_acknowledgement
    from intake.services import accept_message, register_message

    calls = {"accept": accept_message, "register": register_message, "acknowledge": deliver_acknowledgement}
    profiler = cProfile.Profile()
    profiler.enable()
    process(mails, calls, resolve)
    profiler.disable()
    stats = pstats.Stats(profiler)
    count = max(1, len(mails))
    rows = []
    for (filename, line, function), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((filename, line, function, ncalls, tottime, cumtime))

    def label(filename: str, line: int, function: str) -> str:
        path = Path(filename)
        try:
            return f"{path.relative_to(ROOT)}:{line}:{function}"
        except ValueError:
            parts = path.parts
            cut = parts.index("site-packages") + 1 if "site-packages" in parts else max(0, len(parts) - 2)
            return f"{'/'.join(parts[cut:]) or filename}:{line}:{function}"

    def ours(filename: str) -> bool:
        return filename.startswith(str(ROOT)) and "/.venv/" not in filename and "/bench/" not in filename

    project = sorted((row for row in rows if ours(row[0])), key=lambda row: -row[5])[:top]
    own_time = sorted(rows, key=lambda row: -row[4])[:top]
    return {
        "messages": len(mails),
        "project_by_cumulative": [
            {"function": label(*row[:3]), "calls": row[3], "cumulative_ms_per_message": round(row[5] * 1000 / count, 3)}
            for row in project
        ],
        "all_by_own_time": [
            {"function": label(*row[:3]), "calls": row[3], "own_ms_per_message": round(row[4] * 1000 / count, 3)}
            for row in own_time
        ],
    }
