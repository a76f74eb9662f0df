"""Processes of the benchmark: each in its own process group (ended as a group), free ports, CPU accounting."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Started:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pgid(self) -> int:
        return self.process.pid  # started with start_new_session: its own session and process group

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@dataclass
class ProcessGroups:
    """Everything the benchmark started; `stop_all` ends each process group (TERM, then KILL)."""

    workdir: Path
    started: list[Started] = field(default_factory=list)

    def start(
        self, name: str, command: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> Started:
        log_path = self.workdir / f"{name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                list(command),
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        item = Started(name, process, log_path)
        self.started.append(item)
        return item

    def stop(self, item: Started, *, grace: float = 10.0) -> None:
        if item.process.poll() is None:
            with suppress(ProcessLookupError):
                item.process.send_signal(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                item.process.wait(timeout=grace)
        # Children left behind (workers, forked children) share the group: end them too.
        for pid in group_pids(item.pgid):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 3
        while group_pids(item.pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        with suppress(ProcessLookupError):
            os.killpg(item.pgid, signal.SIGKILL)
        if item.process.poll() is None:
            item.process.kill()
        item.process.wait()

    def stop_all(self) -> None:
        for item in reversed(self.started):
            self.stop(item)


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # fields after the command name (which may contain spaces)


def group_pids(pgid: int) -> list[int]:
    """Live processes of a process group (zombies excluded)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat_fields(int(entry))
        if fields is not None and fields[0] != "Z" and int(fields[2]) == pgid:
            pids.append(int(entry))
    return pids


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of one process so far."""
    fields = _stat_fields(pid)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def group_cpu(pgid: int) -> dict[int, float]:
    return {pid: cpu for pid in group_pids(pgid) if (cpu := cpu_seconds(pid)) is not None}


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two `group_cpu` snapshots (a process born in between counts from zero)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def box_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return float(sum(values) - idle), float(sum(values))


def _free(port: int, kind: int) -> bool:
    with socket.socket(socket.AF_INET, kind) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_range(count: int, *, start: int, stop: int, udp: bool = True, tcp: bool = False, taken: set[int]) -> int:
    """The first port `p` in [start, stop) with p … p+count-1 free (and not in `taken`); marks them taken."""
    base = start
    while base + count <= stop:
        for port in range(base, base + count):
            if (
                port in taken
                or (udp and not _free(port, socket.SOCK_DGRAM))
                or (tcp and not _free(port, socket.SOCK_STREAM))
            ):
                base = port + 1
                break
        else:
            taken.update(range(base, base + count))
            return base
    raise RuntimeError(f"no {count} free consecutive ports in {start}-{stop}")
