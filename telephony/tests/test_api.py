"""The telephony API's edges: signatures, bad events, recordings, queue look-ups, live figures."""

import hashlib
import io
import json
import time
import wave
from urllib.parse import urlencode

import pytest
from django.test import Client

from audit.models import AuditEvent
from recordings.models import Recording
from telephony.models import Call, CallEvent
from telephony.signing import signed_headers

from .conftest import EDGE_SECRET, make_ready

pytestmark = pytest.mark.django_db(transaction=True)


def _wav(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\x01\x00" * int(8000 * seconds))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {
            "X-Bailanys-Edge": "test-edge",
            "X-Bailanys-Timestamp": str(int(time.time())),
            "X-Bailanys-Signature": "v1=00",
        },
        {
            "X-Bailanys-Edge": "no-such-edge",
            "X-Bailanys-Timestamp": str(int(time.time())),
            "X-Bailanys-Signature": "v1=00",
        },
    ],
    ids=["unsigned", "wrong-signature", "unknown-edge"],
)
def test_a_request_not_signed_by_a_known_edge_is_refused_applies_nothing_and_is_audited(engine, headers):
    body = json.dumps(engine.event("x1", "call.offered", 0, caller="87011234567")).encode()
    # when
    response = Client().post("/api/v1/telephony/events/", data=body, content_type="application/json", headers=headers)
    # then
    assert response.status_code == 401
    assert not Call.objects.exists()
    assert AuditEvent.objects.filter(action="telephony.request_refused").exists()


def test_a_stale_or_tampered_request_is_refused(engine):
    event = engine.event("x2", "call.offered", 0, caller="87011234567")
    body = json.dumps(event).encode()
    path = "/api/v1/telephony/events/"
    stale = signed_headers(
        edge="test-edge", secret=EDGE_SECRET, method="POST", path=path, body=body, now=time.time() - 3600
    )
    fresh = signed_headers(edge="test-edge", secret=EDGE_SECRET, method="POST", path=path, body=body)
    tampered_body = body.replace(b"87011234567", b"87019999999")
    client = Client()
    assert client.post(path, data=body, content_type="application/json", headers=stale).status_code == 401
    assert client.post(path, data=tampered_body, content_type="application/json", headers=fresh).status_code == 401
    assert engine.post(event, secret="another-secret-0123456789abcdef0123").status_code == 401
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"events": []}, None),
        (
            {"event_id": "e", "type": "call.exploded", "call_id": "c", "occurred_at": "2026-11-25T10:00:00+05:00"},
            "events[0]",
        ),
        ({"event_id": "e", "type": "call.queued", "call_id": "c", "occurred_at": "yesterday"}, "events[0]"),
        ({"event_id": "e", "type": "call.queued", "call_id": "c", "occurred_at": "2026-11-25T10:00:00"}, "events[0]"),
        (
            {"event_id": "", "type": "call.queued", "call_id": "c", "occurred_at": "2026-11-25T10:00:00+05:00"},
            "events[0]",
        ),
        (
            {
                "event_id": "e",
                "type": "rating.given",
                "call_id": "c",
                "occurred_at": "2026-11-25T10:00:00+05:00",
                "data": {"score": 9},
            },
            "events[0]",
        ),
        (
            {
                "event_id": "e",
                "type": "call.language_chosen",
                "call_id": "c",
                "occurred_at": "2026-11-25T10:00:00+05:00",
                "data": {"language": "en"},
            },
            "events[0]",
        ),
        (
            {"event_id": "e\x00", "type": "call.queued", "call_id": "c", "occurred_at": "2026-11-25T10:00:00+05:00"},
            "events[0]",
        ),
        ([1, 2, 3], None),
    ],
)
def test_malformed_events_are_refused_with_a_message_and_nothing_is_applied(engine, payload, field):
    response = engine.post(payload)
    assert response.status_code == 400
    if field:
        assert field in response.json()
    assert not Call.objects.exists()


def test_one_bad_event_refuses_the_whole_batch(engine, lines):
    good = engine.event("x3", "call.offered", 0, caller="87011234567")
    bad = engine.event("x3", "call.connected", 3, consultant="9999")
    response = engine.post({"events": [good, bad]})
    assert response.status_code == 400
    assert "9999" in json.dumps(response.json(), ensure_ascii=False)
    assert not CallEvent.objects.exists()


@pytest.mark.parametrize(
    "control_url", ["http://10.0.0.9/steal", "http://127.0.0.1.evil.example/", "file:///etc/passwd"]
)
def test_a_control_url_outside_the_edge_prefix_is_refused(engine, control_url):
    event = engine.event("x4", "call.offered", 0, caller="87011234567", control_url=control_url)
    assert engine.post(event).status_code == 400


def test_errors_come_in_the_language_asked_for(engine):
    body = json.dumps(
        {"event_id": "e", "type": "nope", "call_id": "c", "occurred_at": "2026-11-25T10:00:00+05:00"}
    ).encode()
    headers = signed_headers(
        edge="test-edge", secret=EDGE_SECRET, method="POST", path="/api/v1/telephony/events/", body=body
    )
    response = Client().post(
        "/api/v1/telephony/events/",
        data=body,
        content_type="application/json",
        headers={**headers, "Accept-Language": "ru"},
    )
    assert response.status_code == 400
    assert "Неизвестный тип события" in json.dumps(response.json(), ensure_ascii=False)


def test_an_unreadable_caller_number_still_registers_the_call(engine):
    engine.send(engine.event("x5", "call.offered", 0, caller="anonymous"))
    call = Call.objects.get(call_id="x5")
    assert call.caller_phone == ""
    assert call.appeal.phone == ""


def test_the_queue_position_and_expected_wait(engine, lines):
    # given three Kazakh callers waiting, nobody ready
    for index in range(3):
        engine.send(
            engine.event(f"q{index}", "call.offered", index, caller="87011234567"),
            engine.event(f"q{index}", "call.queued", 10 + index, language="kk"),
        )
    # when the third asks where it stands
    response = engine.get("/api/v1/telephony/calls/q2/queue/")
    # then it is third; no history yet, so no expected wait
    assert response.status_code == 200
    assert response.json() == {"state": "queued", "position": 3, "expected_wait_s": None}
    assert engine.get("/api/v1/telephony/calls/unknown/queue/").status_code == 404


def _upload(engine, call_id, content, *, sha=None, event_id="rec-1"):  # type: ignore[no-untyped-def]
    query = urlencode(
        {
            "call_id": call_id,
            "event_id": event_id,
            "started_at": "2026-11-25T10:00:00+05:00",
            "ended_at": "2026-11-25T10:03:00+05:00",
            "format": "wav",
        }
    )
    path = f"/api/v1/telephony/recordings/?{query}"
    headers = signed_headers(edge="test-edge", secret=EDGE_SECRET, method="POST", path=path, body=content)
    headers["X-Content-SHA256"] = sha or hashlib.sha256(content).hexdigest()
    return Client().post(path, data=content, content_type="audio/wav", headers=headers)


def test_a_recording_is_stored_with_its_checksum_once(engine, lines, settings, tmp_path):
    # given a call and its recording
    settings.MEDIA_ROOT = tmp_path
    engine.send(engine.event("r1", "call.offered", 0, caller="87011234567"))
    content = _wav(2.0)
    # when the engine uploads it twice
    first = _upload(engine, "r1", content)
    second = _upload(engine, "r1", content)
    # then one recording with the digest of its bytes and its duration
    assert (first.status_code, second.status_code) == (201, 200)
    recording = Recording.objects.get()
    assert recording.sha256 == hashlib.sha256(content).hexdigest()
    assert recording.duration_seconds == pytest.approx(2.0)
    assert recording.caller_phone == "+77011234567"
    assert recording.file.read() == content
    assert CallEvent.objects.filter(type="recording.ready").count() == 1


def test_a_recording_that_does_not_match_its_checksum_or_is_not_audio_is_refused(engine, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    engine.send(engine.event("r2", "call.offered", 0, caller="87011234567"))
    assert _upload(engine, "r2", _wav(), sha="0" * 64).status_code == 400
    assert _upload(engine, "r2", b"not a wav file", event_id="rec-2").status_code == 400
    assert _upload(engine, "no-such-call", _wav(), event_id="rec-3").status_code == 404
    assert not Recording.objects.exists()


def test_a_tampered_recording_upload_is_refused(engine, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    engine.send(engine.event("r3", "call.offered", 0, caller="87011234567"))
    content = _wav()
    times = "started_at=2026-11-25T10:00:00%2B05:00&ended_at=2026-11-25T10:01:00%2B05:00"
    path = f"/api/v1/telephony/recordings/?call_id=r3&event_id=e&{times}&format=wav"
    headers = signed_headers(edge="test-edge", secret=EDGE_SECRET, method="POST", path=path, body=content)
    headers["X-Content-SHA256"] = hashlib.sha256(content + b"x").hexdigest()
    response = Client().post(path, data=content + b"x", content_type="audio/wav", headers=headers)
    assert response.status_code == 401
    assert not Recording.objects.exists()


def test_live_figures_are_for_supervisors(engine, lines, supervisor_client, consultant_client):
    make_ready(lines["1001"])
    assert supervisor_client.get("/api/v1/telephony/live/").status_code == 200
    assert consultant_client.get("/api/v1/telephony/live/").status_code == 403
    assert Client().get("/api/v1/telephony/live/").status_code in (401, 403)
