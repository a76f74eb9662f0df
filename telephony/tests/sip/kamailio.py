"""Run Kamailio with deploy/kamailio/kamailio.cfg in front of the edge's workers, for a test or a benchmark.

with Dispatcher.start(workdir, port=ports.dispatcher, workers=["sip:127.0.0.1:31000", ...]) as proxy:
    phone.dial(proxy.sip_uri)
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]
CONFIG = BASE_DIR / "deploy" / "kamailio" / "kamailio.cfg"


def kamailio_binary() -> str | None:
    return shutil.which("kamailio") or shutil.which("kamailio", path="/usr/sbin:/usr/local/sbin")


def sip_options_ok(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a SIP server on udp:host:port answers an OPTIONS with 200."""
    tag = secrets.token_hex(6)
    request = (
        f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {host}:9;branch=z9hG4bK{tag}\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:probe@{host}>;tag={tag}\r\n"
        f"To: <sip:{host}:{port}>\r\n"
        f"Call-ID: {tag}@probe\r\n"
        "CSeq: 1 OPTIONS\r\n"
        "Content-Length: 0\r\n\r\n"
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        request = request.replace(f"{host}:9;", f"{host}:{sock.getsockname()[1]};")
        sock.settimeout(0.5)
        try:
            sock.sendto(request.encode(), (host, port))
            answer = sock.recv(4096)
        except OSError:
            return False
    return answer.startswith(b"SIP/2.0 200")


@dataclass
class Dispatcher:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def sip_uri(self) -> str:
        return f"sip:1414@127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:]

    @classmethod
    @contextmanager
    def start(cls, workdir: Path, *, port: int, workers: list[str], children: int = 2) -> Iterator["Dispatcher"]:
        binary = kamailio_binary()
        if binary is None:
            raise RuntimeError("kamailio is not installed: run `make system-test-deps`")
        workdir.mkdir(parents=True, exist_ok=True)
        destinations = workdir / "dispatcher.list"
        destinations.write_text("".join(f"1 {uri}\n" for uri in workers))
        log_path = workdir / "kamailio.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    binary,
                    "-DD",
                    "-E",
                    "-f",
                    str(CONFIG),
                    "-A",
                    f"LISTEN=udp:127.0.0.1:{port}",
                    "-A",
                    f'DISPATCHER_LIST="{destinations}"',
                    "-A",
                    f"CHILDREN={children}",
                    "-Y",
                    str(workdir),
                    "-P",
                    str(workdir / "kamailio.pid"),
                    "-w",
                    str(workdir),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        dispatcher = cls(process=process, port=port, log_path=log_path)
        try:
            dispatcher.wait_ready()
            yield dispatcher
        finally:
            dispatcher.stop()

    def wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not sip_options_ok(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"kamailio exited with {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"kamailio does not answer OPTIONS:\n{self.log()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
