"""Telephony test characters: an edge with its shared secret, consultants' lines, an edge's command inbox.

The command inbox is a real HTTP server standing in for a telephony engine's control port: it checks the
platform's signature and records each command. End-to-end tests with real SIP use the PJSIP edge instead.
"""

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from accounts.services import create_staff_user
from conftest import PASSWORD
from telephony import services
from telephony.models import ConsultantLine, TelephonyEdge
from telephony.signing import check_signature, signed_headers

EDGE_SECRET = "edge-secret-for-tests-0123456789abcdef"


class CommandInbox:
    """What an engine's control port would receive; refuses unsigned commands like a real edge must."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.commands: list[dict[str, Any]] = []
        self.refused = 0
        self._arrived = threading.Condition()
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                check = check_signature(
                    headers=dict(self.headers.items()),
                    secret=inbox.secret,
                    method="POST",
                    path=self.path,
                    body=body,
                    max_skew_seconds=300,
                )
                if not check.valid:
                    inbox.refused += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                with inbox._arrived:
                    inbox.commands.append(json.loads(body))
                    inbox._arrived.notify_all()
                self.send_response(202)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/commands"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.commands) >= count, timeout=timeout)
        assert len(self.commands) >= count, f"expected {count} commands, got {self.commands}"
        return list(self.commands)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def command_inbox() -> Iterator[CommandInbox]:
    inbox = CommandInbox(EDGE_SECRET)
    yield inbox
    inbox.close()


@pytest.fixture
def edge(transactional_db: None) -> TelephonyEdge:
    return services.register_edge(name="test-edge", secret=EDGE_SECRET, control_url_prefix="http://127.0.0.1:")


def _consultant(username: str) -> Any:
    return create_staff_user(username=username, password=PASSWORD, role=Role.CONSULTANT)


@pytest.fixture
def lines(edge: TelephonyEdge, consultant: Any) -> dict[str, ConsultantLine]:
    """Three consultants: 1001 (the fixed consultant) and 1002 speak both languages, 1003 only Russian."""
    return {
        "1001": services.open_consultant_line(user=consultant, extension="1001", sip_uri="sip:1001@127.0.0.1:5801"),
        "1002": services.open_consultant_line(
            user=_consultant("dauren"), extension="1002", sip_uri="sip:1002@127.0.0.1:5802"
        ),
        "1003": services.open_consultant_line(
            user=_consultant("oleg"), extension="1003", sip_uri="sip:1003@127.0.0.1:5803", speaks_kazakh=False
        ),
    }


def make_ready(line: ConsultantLine, *, idle_minutes: float = 0) -> ConsultantLine:
    services.set_consultant_state(line=line, state="ready", actor=line.user)
    if idle_minutes:
        ConsultantLine.objects.filter(pk=line.pk).update(idle_since=timezone.now() - timedelta(minutes=idle_minutes))
    line.refresh_from_db()
    return line


class EdgeClient:
    """Posts signed events the way an engine would; `at` seconds count from the call's start."""

    def __init__(self, edge: TelephonyEdge, control_url: str) -> None:
        self.edge = edge
        self.control_url = control_url
        self.client = Client()
        self.started = timezone.now() - timedelta(minutes=5)
        self.sequence = 0

    def event(self, call_id: str, type: str, at: float, **data: Any) -> dict[str, Any]:
        self.sequence += 1
        moment: datetime = self.started + timedelta(seconds=at)
        if type == "call.offered":
            data.setdefault("control_url", self.control_url)
        return {
            "event_id": f"{call_id}:{self.sequence}",
            "type": type,
            "call_id": call_id,
            "occurred_at": moment.isoformat(),
            "data": data,
        }

    def post(self, payload: Any, *, secret: str | None = None, path: str = "/api/v1/telephony/events/") -> Any:
        body = json.dumps(payload).encode()
        headers = signed_headers(
            edge=self.edge.name, secret=secret or self.edge.secret, method="POST", path=path, body=body
        )
        return self.client.post(path, data=body, content_type="application/json", headers=headers)

    def send(self, *events: dict[str, Any]) -> Any:
        response = self.post({"events": list(events)})
        assert response.status_code == 200, response.content
        return response.json()

    def get(self, path: str) -> Any:
        headers = signed_headers(edge=self.edge.name, secret=self.edge.secret, method="GET", path=path, body=b"")
        return self.client.get(path, headers=headers)


def queue_call(engine: "EdgeClient", call_id: str, *, language: str = "kk", queued_at: float = 2) -> list[Any]:
    """A caller rings and, after the voice menu, waits in the queue."""
    return [
        engine.event(call_id, "call.offered", 0, caller="87011234567"),
        engine.event(call_id, "call.queued", queued_at, language=language),
    ]


@pytest.fixture
def engine(edge: TelephonyEdge, command_inbox: CommandInbox) -> EdgeClient:
    return EdgeClient(edge, command_inbox.url)
