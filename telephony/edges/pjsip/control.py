"""The edge's command endpoint: signed commands from the platform, handed to the pjsua2 thread.

`POST /calls/<call_id>/commands/` — the `control_url` the edge gives in `call.offered`. Answers 202
at once (the outcome is reported later as events), 401 on a bad signature, 404 when this worker does
not hold the call, 400 on a malformed command. `GET /health` reports the worker's load (no personal
data, unsigned). Handlers never call pjsua2: they put the command on a queue the owner thread drains.
"""

import json
import logging
import queue
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote

from telephony.signing import EDGE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, check_signature

from .config import EdgeSettings

log = logging.getLogger("telephony.edge.control")

COMMAND_TYPES = ("connect", "transfer", "hangup")
COMMAND_PATH = re.compile(r"^/calls/(?P<call_id>[^/]+)/commands/?$")
MAX_BODY_BYTES = 64 * 1024
REMEMBERED_COMMANDS = 10_000


@dataclass(frozen=True)
class Command:
    command_id: str
    type: str
    call_id: str
    data: dict[str, Any]


def control_url(settings: EdgeSettings, call_id: str) -> str:
    return f"{settings.control_base_url}/calls/{quote(call_id, safe='')}/commands/"


def parse_command(payload: Any, call_id: str) -> Command:
    """The command in `payload`, or ValueError with what is wrong."""
    if not isinstance(payload, dict):
        raise ValueError("the body must be a JSON object")
    command_id, kind, data = payload.get("command_id"), payload.get("type"), payload.get("data") or {}
    if not isinstance(command_id, str) or not command_id:
        raise ValueError("command_id is required")
    if kind not in COMMAND_TYPES:
        raise ValueError(f"type must be one of {', '.join(COMMAND_TYPES)}")
    if payload.get("call_id", call_id) != call_id:
        raise ValueError("call_id in the body differs from the URL")
    if not isinstance(data, dict):
        raise ValueError("data must be an object")
    if kind == "connect" and not isinstance(data.get("sip_uri"), str):
        raise ValueError("connect needs data.sip_uri")
    return Command(command_id=command_id, type=kind, call_id=call_id, data=data)


class ControlServer:
    """A ThreadingHTTPServer in a daemon thread; `holds(call_id)` says whether the worker has the call."""

    def __init__(
        self,
        settings: EdgeSettings,
        commands: "queue.Queue[Command]",
        holds: Callable[[str], bool],
        health: Callable[[], dict[str, Any]],
    ) -> None:
        self.settings = settings
        self.commands = commands
        self.holds = holds
        self.health = health
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._seen_lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"control": self})
        self.httpd = ThreadingHTTPServer((settings.control_host, settings.worker_control_port), handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="control-http", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def first_time(self, command_id: str) -> bool:
        """Whether this command id is new (commands are idempotent on their id)."""
        with self._seen_lock:
            if command_id in self._seen:
                return False
            self._seen[command_id] = None
            if len(self._seen) > REMEMBERED_COMMANDS:
                self._seen.popitem(last=False)
            return True


class _Handler(BaseHTTPRequestHandler):
    control: ControlServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/health":
            self._answer(200, self.control.health())
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._answer(413, {"error": "body too large"})
            return
        body = self.rfile.read(length)
        settings = self.control.settings
        check = check_signature(
            headers={name: self.headers.get(name, "") for name in (TIMESTAMP_HEADER, SIGNATURE_HEADER)},
            secret=settings.edge_secret,
            method="POST",
            path=self.path,
            body=body,
            max_skew_seconds=settings.max_skew_seconds,
        )
        if self.headers.get(EDGE_HEADER) != settings.edge_name or not check.valid:
            log.warning("refused an unsigned or badly signed command: %s", check.reason or "unknown edge")
            self._answer(401, {"error": "signature refused"})
            return
        match = COMMAND_PATH.match(self.path)
        if match is None:
            self._answer(404, {"error": "not found"})
            return
        call_id = unquote(match["call_id"])
        try:
            command = parse_command(json.loads(body or b"null"), call_id)
        except ValueError as error:
            self._answer(400, {"error": str(error)})
            return
        if not self.control.holds(call_id):
            self._answer(404, {"error": "this edge does not hold the call"})
            return
        if self.control.first_time(command.command_id):
            self.control.commands.put(command)
        self._answer(202, {"accepted": command.command_id})
