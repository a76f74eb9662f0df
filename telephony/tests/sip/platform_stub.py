"""A throwaway stand-in for the platform's telephony API, for edge-level tests.

A real HTTP server (ThreadingHTTPServer in a thread) that checks signatures exactly as the contract
says, records events (deduplicated on event_id) and recordings (checking X-Content-SHA256), answers
queue look-ups, and sends signed commands to the edge. `outage` makes it answer 503 to events.
"""

import hashlib
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from telephony.signing import EDGE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, check_signature, signed_headers


@dataclass
class Recording:
    meta: dict[str, str]
    path: Path
    sha256: str


@dataclass
class PlatformStub:
    edge: str
    secret: str
    port: int
    recordings_dir: Path
    events: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0
    refused: int = 0
    recordings: list[Recording] = field(default_factory=list)
    queue_lookups: list[str] = field(default_factory=list)
    queue_answer: dict[str, Any] = field(
        default_factory=lambda: {"state": "queued", "position": 2, "expected_wait_s": 75}
    )
    outage: bool = False
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _commands: Iterator[int] = field(default_factory=lambda: count(1))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    @contextmanager
    def start(cls, *, edge: str, secret: str, port: int, recordings_dir: Path) -> Iterator["PlatformStub"]:
        stub = cls(edge=edge, secret=secret, port=port, recordings_dir=recordings_dir)
        recordings_dir.mkdir(parents=True, exist_ok=True)
        handler = type("Handler", (_Handler,), {"stub": stub})
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield stub
        finally:
            server.shutdown()
            server.server_close()

    # --- what tests read ----------------------------------------------------------------------------

    def wait_for(
        self,
        event_type: str,
        *,
        call_id: str | None = None,
        timeout: float = 20.0,
        where: Callable[[dict[str, Any]], bool] | None = None,
    ) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            for event in self.events:
                matches = event["type"] == event_type and call_id in (None, event["call_id"])
                if matches and (where is None or where(event)):
                    return event
            return None

        with self._changed:
            if not self._changed.wait_for(lambda: found() is not None, timeout=timeout):
                raise AssertionError(f"no {event_type} within {timeout}s; got {[e['type'] for e in self.events]}")
            result = found()
            assert result is not None
            return result

    def types(self, call_id: str) -> list[str]:
        """The call's event types in the order they occurred at the edge."""
        with self._changed:
            events = [event for event in self.events if event["call_id"] == call_id]
        return [event["type"] for event in sorted(events, key=lambda event: (event["occurred_at"], _seq(event)))]

    def wait_for_recording(self, call_id: str, timeout: float = 20.0) -> Recording:
        with self._changed:
            self._changed.wait_for(lambda: any(r.meta["call_id"] == call_id for r in self.recordings), timeout=timeout)
            for recording in self.recordings:
                if recording.meta["call_id"] == call_id:
                    return recording
        raise AssertionError(f"no recording for {call_id} within {timeout}s")

    # --- commands to the edge -------------------------------------------------------------------

    def command(
        self, call_id: str, kind: str, data: dict[str, Any], *, command_id: str | None = None, sign: bool = True
    ) -> int:
        """POST a command to the control_url the edge gave in call.offered; returns the HTTP status."""
        offered = self.wait_for("call.offered", call_id=call_id)
        body = json.dumps(
            {
                "command_id": command_id or f"c-{next(self._commands)}",
                "type": kind,
                "call_id": call_id,
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
                "data": data,
            }
        ).encode()
        return post_signed(offered["data"]["control_url"], body, edge=self.edge, secret=self.secret if sign else None)

    # --- request handling -----------------------------------------------------------------------

    def signed(self, handler: BaseHTTPRequestHandler, body: bytes) -> bool:
        check = check_signature(
            headers={name: handler.headers.get(name, "") for name in (TIMESTAMP_HEADER, SIGNATURE_HEADER)},
            secret=self.secret,
            method=handler.command,
            path=handler.path,
            body=body,
            max_skew_seconds=300,
        )
        if handler.headers.get(EDGE_HEADER) != self.edge or not check.valid:
            with self._changed:
                self.refused += 1
            return False
        return True

    def receive_events(self, payload: Any) -> dict[str, int]:
        batch = payload["events"] if isinstance(payload, dict) and "events" in payload else [payload]
        accepted = duplicates = 0
        with self._changed:
            known = {event["event_id"] for event in self.events}
            for event in batch:
                if event["event_id"] in known:
                    duplicates += 1
                    self.duplicates += 1
                    continue
                known.add(event["event_id"])
                self.events.append(event)
                accepted += 1
            self._changed.notify_all()
        return {"accepted": accepted, "duplicates": duplicates}

    def receive_recording(self, query: dict[str, str], body: bytes, digest: str) -> bool:
        if hashlib.sha256(body).hexdigest() != digest:
            return False
        path = self.recordings_dir / f"{len(self.recordings) + 1}.wav"
        path.write_bytes(body)
        with self._changed:
            self.recordings.append(Recording(meta=query, path=path, sha256=digest))
            self._changed.notify_all()
        return True


def _seq(event: dict[str, Any]) -> int:
    tail = str(event["event_id"]).rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def post_signed(url: str, body: bytes, *, edge: str, secret: str | None) -> int:
    """A signed (or, with secret=None, unsigned) POST; returns the status code."""
    path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers |= signed_headers(edge=edge, secret=secret, method="POST", path=path, body=body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


class _Handler(BaseHTTPRequestHandler):
    stub: PlatformStub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if not self.stub.signed(self, b""):
            self._answer(401, {"error": "signature"})
            return
        parts = urlsplit(self.path).path.strip("/").split("/")
        if parts[:4] == ["api", "v1", "telephony", "calls"] and parts[-1] == "queue":
            with self.stub._changed:
                self.stub.queue_lookups.append(unquote(parts[4]))
            self._answer(200, self.stub.queue_answer)
        else:
            self._answer(404, {})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.stub.signed(self, body):
            self._answer(401, {"error": "signature"})
            return
        url = urlsplit(self.path)
        if url.path == "/api/v1/telephony/events/":
            if self.stub.outage:
                self._answer(503, {"error": "down"})
                return
            self._answer(200, self.stub.receive_events(json.loads(body)))
        elif url.path == "/api/v1/telephony/recordings/":
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            ok = self.stub.receive_recording(query, body, self.headers.get("X-Content-SHA256", ""))
            self._answer(201 if ok else 400, {"stored": ok})
        else:
            self._answer(404, {})
