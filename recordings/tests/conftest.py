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
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from accounts.services import create_staff_user
from conftest import PASSWORD
from directory.choices import OrganisationKind
from directory.models import Organisation
from recordings import tasks
from recordings.models import Recording
from recordings.services import store_recording
from recordings.signing import write_self_signed
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


PDF_LETTER = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def letter(content: bytes = PDF_LETTER, name: str = "letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def authorized_body(db: None) -> Organisation:
    return Organisation.objects.create(
        code="mcriap",
        kind=OrganisationKind.AUTHORIZED_BODY,
        name_kk="ҚР Цифрлық даму, инновациялар және аэроғарыш өнеркәсібі министрлігі",
        name_ru="Министерство цифрового развития, инноваций и аэрокосмической промышленности РК",
        short_name_kk="ҚР ЦДИАӨМ",
        short_name_ru="МЦРИАП РК",
    )


@pytest.fixture
def second_body(db: None) -> Organisation:
    return Organisation.objects.create(
        code="adgs",
        kind=OrganisationKind.AUTHORIZED_BODY,
        name_kk="ҚР Мемлекеттік қызмет істері агенттігі",
        name_ru="Агентство РК по делам государственной службы",
        short_name_kk="ҚР МҚІА",
        short_name_ru="АДГС РК",
    )


@pytest.fixture
def body_regulator(authorized_body: Organisation) -> Any:
    return create_staff_user(
        username="gulnar",
        password=PASSWORD,
        role=Role.REGULATOR,
        organisation=authorized_body,
        first_name="Гүлнар",
        last_name="Исаева",
        email="gulnar@mcriap.example.kz",
    )


@pytest.fixture
def other_body_regulator(second_body: Organisation) -> Any:
    return create_staff_user(
        username="marat",
        password=PASSWORD,
        role=Role.REGULATOR,
        organisation=second_body,
        first_name="Марат",
        last_name="Нұрланов",
    )


@pytest.fixture
def tasks_in_process(monkeypatch: Any) -> None:
    """The request's tasks run in the test's process: the CI worker cannot see a per-test MEDIA_ROOT."""
    for task in (tasks.check_request_matches, tasks.build_request_package, tasks.notify_request):
        monkeypatch.setattr(task, "delay", lambda *args, _task=task, **kwargs: _task.apply(args=args, kwargs=kwargs))


@pytest.fixture
def center_signing_key(settings: Any, tmp_path: Path) -> Path:
    """The center's signing key and certificate, made for this test and configured like production's."""
    key_path, cert_path = tmp_path / "center.key", tmp_path / "center.pem"
    write_self_signed(key_path, cert_path, common_name="Bailanys test contact center")
    settings.RECORDINGS_SIGNING_KEY_FILE, settings.RECORDINGS_SIGNING_CERT_FILE = str(key_path), str(cert_path)
    return cert_path


@pytest.fixture
def two_calls(make_recording: Callable[..., Recording]) -> tuple[Recording, Recording]:
    """Two calls of the phone on the day asked (the second crossing midnight) and one of another phone."""
    from recordings.tests.request_steps import OTHER_PHONE, PHONE, at  # request_steps imports this module

    first = make_recording(PHONE, at(20, 10), at(20, 10, 5), seconds=1.0)
    second = make_recording("8 701 123 45 67", at(20, 23, 55), at(21, 0, 7), seconds=2.0)
    make_recording(OTHER_PHONE, at(20, 12), at(20, 12, 3))
    return first, second
