"""Phone line benchmark: real SIP calls through Kamailio and the PJSIP edge to the platform, measured end to end.

    .venv/bin/python bench/telephony/run.py --calls 100 [--hold 60] [--rate 10] [--answer-delay 1.0] [--json]

Brings up, on loopback, and tears down at the end (every process in its own process group, ports chosen free):
- a fresh PostgreSQL database `bench_telephony` (dropped and created, migrated) on BENCH_TELEPHONY_POSTGRES
  (default postgres://postgres@127.0.0.1:5432/postgres), kept after the run for inspection;
- the platform under gunicorn with production settings (DEBUG=False, no Celery broker: commands to the edge are
  sent in-process, as `CELERY_TASK_ALWAYS_EAGER` does without a broker), one edge registered
  (`telephony.services.register_edge`) and calls + spare consultant lines (`accounts.services.create_staff_user`,
  `telephony.services.open_consultant_line`), all ready (`set_consultant_state`), whose SIP addresses point at
  one SIPp UAS that answers after `--answer-delay` and plays the consultant's tone;
- the PJSIP edge (`python -m telephony.edges.pjsip`, 2 conversations per worker, ceil(calls/2) + spare workers)
  behind Kamailio's dispatcher (deploy/kamailio/kamailio.cfg, list from `... dispatcher-list`) on one port;
- SIPp callers (`--rate` per second) that dial the dispatcher, press 1 (RFC 2833 pcap) a second into the
  language prompt, play their own tone (`rtp_stream`, PCMU) and hang up `--hold` seconds after pressing 1.

Measures: concurrent conversations held with every one recorded; recorded duration (the platform's
`Recording.duration_seconds`) over the conversation's wall duration (the consultant UAS: its 200 OK to the edge's
BYE) per call; call setup rate; CPU per call over the steady state (all calls connected); and the average speed
of answer the platform computed (`telephony.statistics.figures_between`) beside the generator's (caller pressed 1
→ consultant UAS sent 200 OK). Caller and consultant legs are paired through the extension the platform connected
the call to (the edge puts no header of the caller's call on the consultant leg); the generator's average is also
given without any pairing (mean answer time − mean time of pressing 1, valid when every call was answered once).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from bench import postgres  # noqa: E402
from bench.telephony import processes  # noqa: E402
from bench.telephony.constants import CALLER_HZ, CONSULTANT_HZ  # noqa: E402
from bench.telephony.figures import Snapshot, figures, postgres_pgids, report, snapshot  # noqa: E402
from bench.telephony.scenarios import (  # noqa: E402
    DTMF_ONE_PCAP,
    caller_scenario,
    consultant_scenario,
)

DATABASE = "bench_telephony"
EDGE_NAME = "bench-edge"
FIRST_EXTENSION = 7000
CONVERSATIONS_PER_WORKER = 2  # telephony/edges/pjsip/config.py: the wheel's 4 calls per process
RTP_PORTS_PER_WORKER = 40  # TELEPHONY_EDGE_RTP_PORTS_PER_WORKER: 4 calls x 2 ports, with room to spare
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=10, help="simultaneous calls to hold")
    parser.add_argument("--hold", type=float, default=60.0, help="seconds a caller stays after pressing 1")
    parser.add_argument("--rate", type=float, default=10.0, help="new calls per second")
    parser.add_argument("--answer-delay", type=float, default=1.0, help="seconds a consultant's phone rings")
    parser.add_argument("--workers", type=int, default=0, help="edge workers (default: ceil(calls/2) + spare)")
    parser.add_argument("--platform-workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, SIPp traces)")
    return parser.parse_args()


def say(args: argparse.Namespace, message: str) -> None:
    if not args.json:
        print(message, flush=True)


# --- Bring-up ----------------------------------------------------------------------------------------------


@dataclass
class Plan:
    calls: int
    lines: int
    workers: int
    platform_port: int
    dispatcher_port: int
    caller_port: int
    consultant_port: int
    caller_media: int
    consultant_media: int
    edge_sip: int
    edge_control: int
    edge_rtp: int

    @classmethod
    def make(cls, args: argparse.Namespace) -> Plan:
        calls = args.calls
        workers = args.workers or math.ceil(calls / CONVERSATIONS_PER_WORKER) + max(1, math.ceil(calls / 40))
        taken: set[int] = set()

        def one(*, tcp: bool = False) -> int:
            return processes.free_range(1, start=10000, stop=32700, udp=not tcp, tcp=tcp, taken=taken)

        media = 4 * calls + 100  # SIPp's rtp_stream takes ports from -mp upwards
        # the largest range first
        edge_rtp = processes.free_range(RTP_PORTS_PER_WORKER * workers, start=2000, stop=32700, taken=taken)
        return cls(
            calls=calls,
            lines=calls + max(2, math.ceil(calls / 10)),
            workers=workers,
            platform_port=one(tcp=True),
            dispatcher_port=one(),
            caller_port=one(),
            consultant_port=one(),
            caller_media=processes.free_range(media, start=10000, stop=32700, taken=taken),
            consultant_media=processes.free_range(media, start=10000, stop=32700, taken=taken),
            edge_sip=processes.free_range(workers, start=10000, stop=32700, taken=taken),
            edge_control=processes.free_range(workers, start=10000, stop=32700, udp=False, tcp=True, taken=taken),
            edge_rtp=edge_rtp,
        )


def fresh_database() -> str:
    """Drop and create the benchmark's database; returns its URL."""
    return postgres.fresh_database(DATABASE, server_variable="BENCH_TELEPHONY_POSTGRES")


def platform_environment(workdir: Path, database_url: str) -> dict[str, str]:
    """Production settings (DEBUG=False) on plain HTTP, no Celery broker (tasks run in-process)."""
    env = {key: value for key, value in os.environ.items() if key != "CELERY_BROKER_URL"}
    return postgres.production_environment(env, name="bench-telephony", workdir=workdir, database_url=database_url)


def set_up_platform(plan: Plan, secret: str) -> None:
    """Consultants, their lines (SIP addresses at the consultant UAS), all ready; the edge registered."""
    import django

    django.setup()
    from django.conf import settings

    from accounts.choices import Role
    from accounts.services import create_staff_user
    from telephony import services
    from telephony.choices import ConsultantState

    # These users never log in: hash their passwords cheaply so setting up 100+ of them takes seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    password = secrets.token_urlsafe(18)
    for index in range(plan.lines):
        extension = str(FIRST_EXTENSION + index)
        user = create_staff_user(
            username=f"bench-consultant-{extension}",
            password=password,
            role=Role.CONSULTANT,
            first_name="Bench",
            last_name=extension,
        )
        line = services.open_consultant_line(
            user=user, extension=extension, sip_uri=f"sip:{extension}@127.0.0.1:{plan.consultant_port}"
        )
        services.set_consultant_state(line=line, state=ConsultantState.READY, actor=user)
    services.register_edge(name=EDGE_NAME, secret=secret, control_url_prefix="http://127.0.0.1:")


def wait_for(what: str, ready: Any, *, timeout: float, started: processes.Started | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if started is not None and started.process.poll() is not None:
            raise RuntimeError(f"{what} exited with {started.process.returncode}:\n{started.log_tail()}")
        if time.monotonic() > deadline:
            tail = started.log_tail() if started is not None else ""
            raise RuntimeError(f"{what} not ready after {timeout:.0f} s\n{tail}")
        time.sleep(0.2)


def http_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer (401 for an unsigned request) means it serves
    except OSError:
        return False


def edge_environment(plan: Plan, workdir: Path, secret: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TELEPHONY_")}
    env.update(
        TELEPHONY_PLATFORM_URL=f"http://127.0.0.1:{plan.platform_port}",
        TELEPHONY_EDGE_NAME=EDGE_NAME,
        TELEPHONY_EDGE_SECRET=secret,
        TELEPHONY_EDGE_SIP_HOST="127.0.0.1",
        TELEPHONY_EDGE_SIP_PORT=str(plan.edge_sip),
        TELEPHONY_EDGE_RTP_PORT=str(plan.edge_rtp),
        TELEPHONY_EDGE_RTP_PORTS_PER_WORKER=str(RTP_PORTS_PER_WORKER),
        TELEPHONY_EDGE_CONTROL_HOST="127.0.0.1",
        TELEPHONY_EDGE_CONTROL_PORT=str(plan.edge_control),
        TELEPHONY_EDGE_WORKERS=str(plan.workers),
        TELEPHONY_EDGE_PUBLIC_SIP_URI=f"sip:1414@127.0.0.1:{plan.dispatcher_port}",
        TELEPHONY_RECORDINGS_DIR=str(workdir / "edge" / "recordings"),
        TELEPHONY_EDGE_SPOOL_DIR=str(workdir / "edge" / "spool"),
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


def start_everything(args: argparse.Namespace, plan: Plan, groups: processes.ProcessGroups) -> dict[str, Any]:
    from telephony.tests.sip.kamailio import CONFIG, kamailio_binary, sip_options_ok

    workdir = groups.workdir
    secret = secrets.token_hex(32)
    say(args, f"database {DATABASE}: drop, create, migrate …")
    env = platform_environment(workdir, fresh_database())
    migrate = subprocess.run(
        [PY, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if migrate.returncode:
        raise RuntimeError(f"migrate failed:\n{migrate.stdout[-2000:]}\n{migrate.stderr[-3000:]}")
    os.environ.clear()
    os.environ.update(env)
    started_setup = time.monotonic()
    set_up_platform(plan, secret)
    say(args, f"{plan.lines} consultant lines ready, edge registered ({time.monotonic() - started_setup:.1f} s)")

    platform = groups.start(
        "platform",
        [
            GUNICORN,
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{plan.platform_port}",
            "--workers",
            str(args.platform_workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ],
        env=env,
        cwd=ROOT,
    )
    events_url = f"http://127.0.0.1:{plan.platform_port}/api/v1/telephony/events/"
    wait_for("gunicorn", lambda: http_answers(events_url), timeout=30, started=platform)

    edge_env = edge_environment(plan, workdir, secret)
    edge = groups.start("edge", [PY, "-m", "telephony.edges.pjsip"], env=edge_env, cwd=ROOT)
    health = [f"http://127.0.0.1:{plan.edge_control + index}/health" for index in range(plan.workers)]
    wait_for("edge workers", lambda: all(http_answers(url) for url in health), timeout=60, started=edge)

    listing = subprocess.run(
        [PY, "-m", "telephony.edges.pjsip", "dispatcher-list"],
        cwd=ROOT,
        env=edge_env,
        capture_output=True,
        text=True,
        check=True,
    )
    (workdir / "dispatcher.list").write_text(listing.stdout)
    binary = kamailio_binary()
    if binary is None:
        raise RuntimeError("kamailio is not installed: run `make system-test-deps`")
    kamailio = groups.start(
        "kamailio",
        [
            binary,
            "-DD",
            "-E",
            "-f",
            str(CONFIG),
            "-A",
            f"LISTEN=udp:127.0.0.1:{plan.dispatcher_port}",
            "-A",
            f'DISPATCHER_LIST="{workdir / "dispatcher.list"}"',
            "-A",
            "CHILDREN=4",
            "-Y",
            str(workdir),
            "-P",
            str(workdir / "kamailio.pid"),
            "-w",
            str(workdir),
        ],
    )
    wait_for("kamailio", lambda: sip_options_ok(plan.dispatcher_port), timeout=15, started=kamailio)
    return {"platform": platform, "edge": edge, "kamailio": kamailio, "env": env}


def make_audio(workdir: Path) -> tuple[Path, Path]:
    """Each side's own tone, 10 s of raw 8 kHz µ-law (PCMU) looped by SIPp's rtp_stream."""
    caller, consultant = workdir / "caller.ul", workdir / "consultant.ul"
    for path, frequency in ((caller, CALLER_HZ), (consultant, CONSULTANT_HZ)):
        subprocess.run(
            [
                "sox",
                "-n",
                "-r",
                "8000",
                "-c",
                "1",
                "-t",
                "ul",
                str(path),
                "synth",
                "10",
                "sine",
                str(frequency),
                "vol",
                "0.3",
            ],
            check=True,
        )
    return caller, consultant


def start_consultants(args: argparse.Namespace, plan: Plan, groups: processes.ProcessGroups) -> processes.Started:
    workdir = groups.workdir
    _, consultant_audio = make_audio(workdir)
    scenario = workdir / "consultant.xml"
    scenario.write_text(consultant_scenario(answer_ms=int(args.answer_delay * 1000), consultant_audio=consultant_audio))
    return groups.start(
        "sipp-consultants",
        [
            *("sipp", "-sf", str(scenario), "-i", "127.0.0.1", "-p", str(plan.consultant_port)),
            *("-mp", str(plan.consultant_media), "-nostdin", "-aa"),
            *("-trace_logs", "-log_file", str(workdir / "consultants.log")),
            *("-trace_err", "-error_file", str(workdir / "consultants_errors.log")),
        ],
        cwd=workdir,
    )


def start_callers(args: argparse.Namespace, plan: Plan, groups: processes.ProcessGroups) -> processes.Started:
    workdir = groups.workdir
    scenario = workdir / "caller.xml"
    scenario.write_text(caller_scenario(hold_s=args.hold, caller_audio=workdir / "caller.ul"))
    numbers = workdir / "callers.csv"
    numbers.write_text("SEQUENTIAL\n" + "".join(f"+7701{5000000 + index:07d};\n" for index in range(plan.calls)))
    return groups.start(
        "sipp-callers",
        [
            *("sipp", f"127.0.0.1:{plan.dispatcher_port}", "-sf", str(scenario), "-inf", str(numbers), "-s", "1414"),
            *("-i", "127.0.0.1", "-p", str(plan.caller_port), "-mp", str(plan.caller_media)),
            *("-r", str(args.rate), "-m", str(plan.calls), "-l", str(plan.calls), "-nostdin", "-aa"),
            *("-trace_logs", "-log_file", str(workdir / "callers.log")),
            *("-trace_err", "-error_file", str(workdir / "callers_errors.log")),
            *("-trace_stat", "-stf", str(workdir / "callers_stats.csv"), "-fd", "1"),
            *("-trace_screen", "-screen_file", str(workdir / "callers_screen.log")),
        ],
        cwd=workdir,
    )


# --- Main ----------------------------------------------------------------------------------------------------


def main() -> int:
    args = parse_arguments()
    for tool in ("sipp", "sox"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (Debian: sip-tester, sox)", file=sys.stderr)
            return 2
    if not DTMF_ONE_PCAP.exists():
        print(f"{DTMF_ONE_PCAP} is missing (Debian sip-tester)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))  # still tear everything down
    workdir = Path(tempfile.mkdtemp(prefix="bench_telephony_"))
    groups = processes.ProcessGroups(workdir)
    try:
        plan = Plan.make(args)
        say(args, f"work directory {workdir}; {plan.calls} calls, {plan.workers} edge workers, hold {args.hold} s")
        parts = start_everything(args, plan, groups)
        consultants = start_consultants(args, plan, groups)
        time.sleep(1.0)
        if consultants.process.poll() is not None:
            raise RuntimeError(f"SIPp (consultants) exited:\n{consultants.log_tail()}")
        say(args, f"dispatcher sip:1414@127.0.0.1:{plan.dispatcher_port}; calling …")
        watched = {
            "edge": [parts["edge"].pgid],
            "kamailio": [parts["kamailio"].pgid],
            "platform": [parts["platform"].pgid],
            "generator": [consultants.pgid],
            "postgres": postgres_pgids(),
        }
        started_at = datetime.now(UTC)
        callers = start_callers(args, plan, groups)
        watched["generator"].append(callers.pgid)
        snapshots = watch(args, plan, callers, watched)
        wait_for_recordings(args)
        result = figures(args, plan, workdir, snapshots, started_at)
        result["work_directory"] = str(workdir) if args.keep else None
        if args.json:
            print(json.dumps(result))
        else:
            print(report(result))
        return 0
    finally:
        groups.stop_all()
        if "django.db" in sys.modules:
            from django.conf import settings

            if settings.configured:
                from django.db import connections

                connections.close_all()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def watch(
    args: argparse.Namespace, plan: Plan, callers: processes.Started, watched: dict[str, list[int]]
) -> list[Snapshot]:
    """Snapshots every second until the callers' SIPp is done (or its time is up)."""
    deadline = time.monotonic() + plan.calls / args.rate + args.hold + 120
    snapshots: list[Snapshot] = []
    last_said = 0.0
    while callers.process.poll() is None:
        if time.monotonic() > deadline:
            say(args, "callers' SIPp overran its time; stopping it")
            break
        item = snapshot(watched)
        snapshots.append(item)
        if item.at - last_said >= 10:
            say(args, f"  talking {item.talking}, answered {item.answered}, ended {item.ended}")
            last_said = item.at
        time.sleep(max(0.0, 1.0 - (time.monotonic() - item.at)))
    return snapshots


def wait_for_recordings(args: argparse.Namespace, timeout: float = 90.0) -> None:
    """Every answered call's recording at the platform (the edge uploads after the WAV is closed)."""
    from recordings.models import Recording
    from telephony.models import Call

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answered = Call.objects.filter(answered_at__isnull=False).count()
        if Recording.objects.values("call").distinct().count() >= answered:
            return
        time.sleep(1.0)
    say(args, "some recordings did not reach the platform in time")


if __name__ == "__main__":
    sys.exit(main())
