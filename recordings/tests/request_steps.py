"""Steps shared by the tests of the regulator's requests: filing, confirming, building, all through the services."""

import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from recordings import regulator_requests
from recordings.models import RecordingRequest
from recordings.tests.conftest import PDF_LETTER, letter

ALMATY = ZoneInfo("Asia/Almaty")
PHONE = "+77011234567"
OTHER_PHONE = "+77019999999"
CALLS_DAY = date(2026, 11, 20)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026, Almaty time."""
    return datetime(2026, 11, day, hour, minute, tzinfo=ALMATY)


# The letter arrives the morning after the calls.
REGISTERED_AT = at(21, 9)


def file_request(
    regulator: Any,
    *,
    number: str = "01-12/345",
    phone: str = PHONE,
    day: date = CALLS_DAY,
    now: datetime = REGISTERED_AT,
    content: bytes = PDF_LETTER,
    name: str = "letter.pdf",
) -> RecordingRequest:
    return regulator_requests.file_request(
        regulator=regulator, number=number, phone=phone, day=day, letter=letter(content, name), now=now
    )


def build(request: RecordingRequest, supervisor: Any) -> RecordingRequest:
    """Confirm and build the package right away (as the task queued on commit does)."""
    regulator_requests.confirm_request(request=request, supervisor=supervisor)
    return regulator_requests.build_package(request_id=request.pk)


def package_entries(request: RecordingRequest) -> dict[str, bytes]:
    with zipfile.ZipFile(request.package.path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite_package(target: Path, entries: dict[str, bytes]) -> Path:
    """A copy of a package with `entries` as its content (what someone who altered it would hand on)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return target


def tamper(path: Path) -> None:
    """Change the file's last byte, keeping its length."""
    content = bytearray(path.read_bytes())
    content[-1] ^= 0xFF
    path.write_bytes(bytes(content))
