"""Recordings on real files in a per-test MEDIA_ROOT, their calls made through the telephony services."""

import hashlib
import io
import wave
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from recordings.models import Recording
from recordings.services import store_recording
from telephony import services as telephony
from telephony.events import IncomingEvent
from telephony.models import Call, TelephonyEdge


def wav_bytes(seconds: float = 1.0) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(bytes(range(256)) * int(8000 * 2 * seconds / 256))
    return buffer.getvalue()


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def recordings_edge(db: None) -> TelephonyEdge:
    return telephony.register_edge(name="rec-edge", secret="s" * 32, control_url_prefix="http://127.0.0.1:")


@pytest.fixture
def consultant_line(consultant: Any) -> Any:
    return telephony.open_consultant_line(user=consultant, extension="1001", sip_uri="sip:1001@127.0.0.1:5801")


@pytest.fixture
def make_recording(media_root: Path, recordings_edge: TelephonyEdge) -> Callable[..., Recording]:
    """A call from `caller` recorded from `started` to `ended` (aware datetimes), stored like an edge upload."""
    made = 0

    def make(caller: str, started: datetime, ended: datetime, seconds: float = 1.0, answered_by: str = "") -> Recording:
        """`answered_by`: the extension of an open consultant line that took the call (none: the menu only)."""
        nonlocal made
        made += 1
        call_id = f"rec-call-{made}"
        events = [
            IncomingEvent(
                event_id=f"{call_id}:1",
                type="call.offered",
                call_id=call_id,
                occurred_at=started,
                data={"caller": caller, "control_url": "http://127.0.0.1:9/"},
            )
        ]
        if answered_by:
            events.append(
                IncomingEvent(
                    event_id=f"{call_id}:2",
                    type="call.connected",
                    call_id=call_id,
                    occurred_at=started,
                    data={"consultant": answered_by},
                )
            )
        telephony.accept_events(edge=recordings_edge, events=events)
        call = Call.objects.get(edge=recordings_edge, call_id=call_id)
        content = wav_bytes(seconds)
        recording, _created = store_recording(
            call=call,
            upload=ContentFile(content, name="upload.wav"),
            declared_sha256=hashlib.sha256(content).hexdigest(),
            started_at=started,
            ended_at=ended,
            audio_format="wav",
            source_ref=f"{call_id}:recording",
        )
        return recording

    return make
