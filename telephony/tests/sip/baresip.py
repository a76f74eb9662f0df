"""Drive Debian's baresip as a test phone through its ctrl_tcp JSON interface (netstring framing).

    with Baresip.start(workdir, user="caller", sip_port=..., ctrl_port=..., rtp_port=..., tone=wav) as phone:
        phone.dial("sip:1414@127.0.0.1:5070")
        phone.wait_for("CALL_ESTABLISHED")
        phone.send_digit("1")
        phone.hangup()
    phone.heard()  # WAV files of what the phone received (baresip's sndfile module)

Each instance has its own config dir, SIP port (baresip also opens TLS on port+1: space ports by 2),
RTP range and control port; its microphone is `aufile` playing a WAV (the call ends at the end of
the file, so use long tones) and its speaker is a null bridge, while `sndfile` saves what it hears.
A consultant's phone uses `auto_answer=True`: `sip:<user>@127.0.0.1:<sip_port>` is its sip_uri.
"""

import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MODULE_PATH = "/usr/lib/baresip/modules"


class BaresipError(RuntimeError):
    pass


def netstring(payload: bytes) -> bytes:
    return str(len(payload)).encode() + b":" + payload + b","


def parse_netstrings(buffer: bytearray) -> list[bytes]:
    """Remove and return every complete netstring at the start of `buffer`."""
    messages = []
    while True:
        colon = buffer.find(b":")
        if colon < 0:
            return messages
        if not buffer[:colon].isdigit():
            raise BaresipError(f"not a netstring: {bytes(buffer[:40])!r}")
        end = colon + 1 + int(buffer[:colon])
        if len(buffer) < end + 1:
            return messages
        if buffer[end : end + 1] != b",":
            raise BaresipError("netstring without its trailing comma")
        messages.append(bytes(buffer[colon + 1 : end]))
        del buffer[: end + 1]


@dataclass
class Baresip:
    workdir: Path
    user: str
    sip_port: int
    ctrl_port: int
    process: subprocess.Popen[bytes] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)
    _socket: socket.socket | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _tokens: int = 0

    @property
    def uri(self) -> str:
        return f"sip:{self.user}@127.0.0.1:{self.sip_port}"

    @property
    def sound_dir(self) -> Path:
        return self.workdir / "heard"

    @classmethod
    @contextmanager
    def start(
        cls,
        workdir: Path,
        *,
        user: str,
        sip_port: int,
        ctrl_port: int,
        rtp_port: int,
        tone: Path,
        auto_answer: bool = False,
    ) -> Iterator["Baresip"]:
        """A running baresip phone; always stopped (and its process reaped) on exit."""
        workdir.mkdir(parents=True, exist_ok=True)
        phone = cls(workdir=workdir, user=user, sip_port=sip_port, ctrl_port=ctrl_port)
        phone.sound_dir.mkdir(exist_ok=True)
        (workdir / "config").write_text(
            "\n".join(
                [
                    "poll_method\tepoll",
                    f"sip_listen\t127.0.0.1:{sip_port}",
                    "audio_player\taubridge,nil",
                    f"audio_source\taufile,{tone}",
                    "audio_alert\taubridge,nil",
                    f"rtp_ports\t{rtp_port}-{rtp_port + 39}",
                    "rtp_timeout\t0",
                    f"module_path\t{MODULE_PATH}",
                    "module\tg711.so",
                    "module\taufile.so",
                    "module\taubridge.so",
                    "module\tsndfile.so",
                    "module_app\taccount.so",
                    "module_app\tmenu.so",
                    "module_app\tctrl_tcp.so",
                    f"ctrl_tcp_listen\t127.0.0.1:{ctrl_port}",
                    f"snd_path\t{phone.sound_dir}",
                    "",
                ]
            )
        )
        answer = ";answermode=auto" if auto_answer else ";answermode=manual"
        (workdir / "accounts").write_text(f"<sip:{user}@127.0.0.1:{sip_port}>;regint=0{answer}\n")
        log = (workdir / "baresip.log").open("wb")
        phone.process = subprocess.Popen(
            ["baresip", "-f", str(workdir)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            phone._connect()
            yield phone
        finally:
            phone.stop()
            log.close()

    def _connect(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise BaresipError(f"baresip exited: {(self.workdir / 'baresip.log').read_text()[-2000:]}")
            try:
                self._socket = socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self._socket.settimeout(None)
        threading.Thread(target=self._read, name=f"baresip-{self.user}", daemon=True).start()

    def _read(self) -> None:
        buffer = bytearray()
        connection = self._socket
        assert connection is not None
        while True:
            try:
                chunk = connection.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            for raw in parse_netstrings(buffer):
                message = json.loads(raw)
                with self._changed:
                    if message.get("event"):
                        message["at"] = time.monotonic()
                        self.events.append(message)
                    elif message.get("response"):
                        self.responses[str(message.get("token"))] = message
                    self._changed.notify_all()

    def command(self, command: str, params: str = "", timeout: float = 5.0) -> dict[str, Any]:
        """Run a baresip command (as typed in its menu) and return its response."""
        with self._changed:
            self._tokens += 1
            token = f"t{self._tokens}"
        assert self._socket is not None
        payload = json.dumps({"command": command, "params": params, "token": token}).encode()
        self._socket.sendall(netstring(payload))
        with self._changed:
            if not self._changed.wait_for(lambda: token in self.responses, timeout=timeout):
                raise BaresipError(f"no response to {command!r}")
            response = self.responses.pop(token)
        if not response.get("ok"):
            raise BaresipError(f"{command} {params}: {response.get('data')}")
        return response

    def dial(self, uri: str) -> None:
        self.command("dial", uri)

    def answer(self) -> None:
        self.command("accept")

    def send_digit(self, digit: str) -> None:
        """An RFC 2833 DTMF digit in the current call."""
        self.command("sndcode", digit)

    def hangup(self) -> None:
        self.command("hangup")

    def wait_for(
        self,
        event_type: str,
        *,
        timeout: float = 15.0,
        after: int = 0,
        where: Callable[[dict[str, Any]], bool] | None = None,
    ) -> dict[str, Any]:
        """The first event of `event_type` (e.g. CALL_ESTABLISHED, CALL_CLOSED) at index ≥ `after`."""

        def found() -> dict[str, Any] | None:
            for event in self.events[after:]:
                if event.get("type") == event_type and (where is None or where(event)):
                    return event
            return None

        with self._changed:
            if not self._changed.wait_for(lambda: found() is not None, timeout=timeout):
                seen = [event.get("type") for event in self.events]
                raise BaresipError(f"{self.user}: no {event_type} within {timeout}s (saw {seen})")
            result = found()
            assert result is not None
            return result

    def count(self, event_type: str) -> int:
        with self._changed:
            return sum(1 for event in self.events if event.get("type") == event_type)

    def heard(self) -> list[Path]:
        """What the phone received, one WAV per call, oldest first (sndfile's `*-dec.wav`)."""
        return sorted(self.sound_dir.glob("*-dec.wav"), key=lambda path: path.stat().st_mtime)

    def stop(self) -> None:
        if self._socket is not None:
            with suppress(OSError, BaresipError):
                self.command("quit", timeout=1)
            with suppress(OSError):
                self._socket.close()
            self._socket = None
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
