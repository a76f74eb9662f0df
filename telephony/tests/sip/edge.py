"""Run the PJSIP edge as a real process for a test, and pick ports that do not clash between xdist workers.

    ports = PortPlan.for_this_worker()
    with EdgeProcess.start(tmp_path, platform_url=..., secret=..., ports=ports) as edge:
        phone.dial(edge.sip_uri)

The context manager always stops the edge (SIGTERM to the manager, which stops its workers) and
keeps its log in `edge.log_path` for the test's failure message.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parents[3]
PORT_BASE = int(os.environ.get("TELEPHONY_TEST_PORT_BASE", "31000"))
RTP_BASE = int(os.environ.get("TELEPHONY_TEST_RTP_BASE", "42000"))
# Shorter waits than production, for tests (queue announcements every 5 s, 1 s of menu silence, 2 s for a rating).
FAST_FLOW = {
    "TELEPHONY_QUEUE_ANNOUNCE_SECONDS": "5",
    "TELEPHONY_EDGE_MENU_TIMEOUT_SECONDS": "1",
    "TELEPHONY_EDGE_RATING_TIMEOUT_SECONDS": "2",
}


@dataclass(frozen=True)
class PortPlan:
    """100 signalling ports and 1000 RTP ports per xdist worker (base + 100 × worker index)."""

    base: int
    rtp_base: int

    @classmethod
    def for_this_worker(cls) -> "PortPlan":
        worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
        return cls(base=PORT_BASE + 100 * worker, rtp_base=RTP_BASE + 1000 * worker)

    @property
    def edge_sip(self) -> int:  # + worker index, up to 3 workers
        return self.base

    @property
    def edge_control(self) -> int:
        return self.base + 10

    @property
    def platform(self) -> int:
        return self.base + 20

    @property
    def dispatcher(self) -> int:
        return self.base + 24

    @property
    def edge_rtp(self) -> int:  # TELEPHONY_EDGE_RTP_PORTS_PER_WORKER (40) per edge worker
        return self.rtp_base

    def phone(self, index: int) -> dict[str, int]:
        """SIP (baresip also takes SIP port + 1 for TLS), control and RTP ports of test phone `index` (0–9)."""
        return {
            "sip_port": self.base + 30 + 2 * index,
            "ctrl_port": self.base + 60 + index,
            "rtp_port": self.rtp_base + 600 + 40 * index,
        }


@dataclass
class EdgeProcess:
    process: subprocess.Popen[bytes]
    sip_uri: str
    control_ports: list[int]
    log_path: Path

    @classmethod
    @contextmanager
    def start(
        cls,
        workdir: Path,
        *,
        platform_url: str,
        edge: str,
        secret: str,
        ports: PortPlan,
        workers: int = 1,
        env: dict[str, str] | None = None,
    ) -> Iterator["EdgeProcess"]:
        workdir.mkdir(parents=True, exist_ok=True)
        environment = {
            **os.environ,
            "TELEPHONY_PLATFORM_URL": platform_url,
            "TELEPHONY_EDGE_NAME": edge,
            "TELEPHONY_EDGE_SECRET": secret,
            "TELEPHONY_EDGE_SIP_HOST": "127.0.0.1",
            "TELEPHONY_EDGE_SIP_PORT": str(ports.edge_sip),
            "TELEPHONY_EDGE_RTP_PORT": str(ports.edge_rtp),
            "TELEPHONY_EDGE_CONTROL_HOST": "127.0.0.1",
            "TELEPHONY_EDGE_CONTROL_PORT": str(ports.edge_control),
            "TELEPHONY_EDGE_WORKERS": str(workers),
            "TELEPHONY_RECORDINGS_DIR": str(workdir / "recordings"),
            "TELEPHONY_EDGE_SPOOL_DIR": str(workdir / "spool"),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        log_path = workdir / "edge.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "telephony.edges.pjsip"],
                cwd=BASE_DIR,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the workers can be ended with it
            )
        edge_process = cls(
            process=process,
            sip_uri=f"sip:1414@127.0.0.1:{ports.edge_sip}",
            control_ports=[ports.edge_control + index for index in range(workers)],
            log_path=log_path,
        )
        try:
            edge_process.wait_ready()
            yield edge_process
        finally:
            edge_process.stop()

    def health(self, worker: int = 0) -> dict[str, Any]:
        url = f"http://127.0.0.1:{self.control_ports[worker]}/health"
        with urllib.request.urlopen(url, timeout=2) as response:
            return dict(json.loads(response.read()))

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        for worker in range(len(self.control_ports)):
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"edge exited with {self.process.returncode}:\n{self.log()}")
                try:
                    self.health(worker)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"edge worker {worker} not ready:\n{self.log()}") from None
                    time.sleep(0.1)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM to the manager (it stops its workers); after `timeout`, kill the edge's process group."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode
