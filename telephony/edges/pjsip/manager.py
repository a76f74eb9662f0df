"""Starts TELEPHONY_EDGE_WORKERS worker processes (one pjsua2 each), restarts a worker that dies, and
stops them all on SIGTERM/SIGINT. Worker i listens on SIP port base+i and control port base+i."""

import logging
import signal
import subprocess
import sys
import time
from types import FrameType

from .config import EdgeSettings

log = logging.getLogger("telephony.edge.manager")

RESTART_DELAY_SECONDS = 2.0
STOP_GRACE_SECONDS = 10.0


def worker_command(index: int) -> list[str]:
    return [sys.executable, "-m", "telephony.edges.pjsip", "worker", "--index", str(index)]


def run_manager(settings: EdgeSettings) -> int:
    stopping = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    workers: dict[int, subprocess.Popen[bytes]] = {}
    started_at: dict[int, float] = {}
    for index in range(settings.workers):
        workers[index] = subprocess.Popen(worker_command(index))  # noqa: S603 - our own module
        started_at[index] = time.monotonic()
    log.info("edge %s: %d worker(s); call %s", settings.edge_name, settings.workers, settings.public_address())
    while not stopping:
        time.sleep(0.2)
        for index, process in list(workers.items()):
            code = process.poll()
            if code is None or stopping:
                continue
            if time.monotonic() - started_at[index] < RESTART_DELAY_SECONDS:
                time.sleep(RESTART_DELAY_SECONDS)
            log.error("worker %d exited with %s; restarting it", index, code)
            workers[index] = subprocess.Popen(worker_command(index))  # noqa: S603
            started_at[index] = time.monotonic()
    for process in workers.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in workers.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return 0
