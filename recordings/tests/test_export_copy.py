"""How the export copies recordings: in the kernel when a recent check vouches for the very file, hashed otherwise."""

import hashlib
import io
import os
import subprocess
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

import pytest

from recordings.choices import RequestStatus, WithheldReason
from recordings.models import Recording
from recordings.package_verify import verify_package
from recordings.services import verify_recording
from recordings.tests.request_steps import build, file_request, package_entries, tamper
from recordings.zipstream import ZipWriter

pytestmark = pytest.mark.django_db


def checked_request(regulator, django_capture_on_commit_callbacks):
    """A filed request whose matched files were checked as its queued task checks them."""
    with django_capture_on_commit_callbacks(execute=True):
        return file_request(regulator)


def test_a_check_keeps_the_files_crc32_and_identity_and_a_broken_file_loses_them(two_calls):
    first, _second = two_calls
    assert verify_recording(first)
    first.refresh_from_db()
    content = Path(first.file.path).read_bytes()
    assert first.crc32 == zlib.crc32(content)
    assert first.verified_fingerprint == file_identity(Path(first.file.path))
    tamper(Path(first.file.path))
    assert not verify_recording(first)
    first.refresh_from_db()
    assert (first.is_intact, first.crc32, first.verified_fingerprint) == (False, None, "")


def test_checked_recordings_go_out_byte_for_byte_and_the_package_verifies(
    two_calls, body_regulator, supervisor, center_signing_key, tasks_in_process, django_capture_on_commit_callbacks
):
    # given a request whose two recordings were checked when it was filed
    request = checked_request(body_regulator, django_capture_on_commit_callbacks)
    assert all(item.recording.verified_fingerprint for item in request.items.select_related("recording"))
    # when its package is built
    request = build(request, supervisor)
    # then both recordings are in it byte for byte, the package verifies, and its digest is the file's
    assert request.status == RequestStatus.READY
    entries = package_entries(request)
    for item in request.items.select_related("recording"):
        assert item.exported
        assert entries[item.package_path] == Path(item.recording.file.path).read_bytes()
    assert verify_package(Path(request.package.path), pinned_certificate=center_signing_key.read_bytes()).ok
    assert request.package_sha256 == hashlib.sha256(Path(request.package.path).read_bytes()).hexdigest()


def test_a_file_changed_after_its_check_is_read_again_even_with_its_times_put_back(
    two_calls, body_regulator, supervisor, center_signing_key, tasks_in_process, django_capture_on_commit_callbacks
):
    # given a checked request, then one file altered with its access and modification times restored
    first, second = two_calls
    request = checked_request(body_regulator, django_capture_on_commit_callbacks)
    path = Path(first.file.path)
    before = os.stat(path)
    tamper(path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    # when the package is built
    request = build(request, supervisor)
    # then the altered file is withheld as tampered (its inode's change time moved) and the other goes out
    assert request.status == RequestStatus.READY
    withheld = request.items.get(recording=first)
    assert (withheld.exported, withheld.withheld_reason) == (False, WithheldReason.CHECKSUM_MISMATCH)
    assert request.items.get(recording=second).exported
    assert not Recording.objects.get(pk=first.pk).is_intact


def test_a_check_older_than_the_policy_is_not_trusted(
    two_calls,
    body_regulator,
    supervisor,
    center_signing_key,
    tasks_in_process,
    django_capture_on_commit_callbacks,
    settings,
):
    # given a checked request, then a file altered and its new identity written in as if checked: only a check
    # younger than RECORDINGS_EXPORT_TRUSTS_CHECK_HOURS vouches for a file, and with 0 none does
    settings.RECORDINGS_EXPORT_TRUSTS_CHECK_HOURS = 0
    first, _second = two_calls
    request = checked_request(body_regulator, django_capture_on_commit_callbacks)
    tamper(Path(first.file.path))
    Recording.objects.filter(pk=first.pk).update(verified_fingerprint=file_identity(Path(first.file.path)))
    # when the package is built with no trust in earlier checks
    request = build(request, supervisor)
    # then the file is hashed at export and withheld
    assert request.items.get(recording=first).withheld_reason == WithheldReason.CHECKSUM_MISMATCH


def file_identity(path: Path) -> str:
    found = os.stat(path)
    return f"{found.st_dev}:{found.st_ino}:{found.st_size}:{found.st_mtime_ns}:{found.st_ctime_ns}"


# --- The zip writer ---------------------------------------------------------------------------------------------


MODIFIED = datetime(2026, 12, 6, 15, 4, 10)


def test_a_written_zip_is_read_by_zipfile_and_tested_by_unzip(tmp_path):
    source = tmp_path / "call.wav"
    content = os.urandom(300_000)
    source.write_bytes(content)
    target = tmp_path / "package.zip"
    with target.open("wb") as out, source.open("rb") as opened:
        writer = ZipWriter(out, modified=MODIFIED)
        writer.reserve(10_000_000)  # far more than is written: the rest is trimmed at the end
        assert writer.add_copy("recordings/қоңырау.wav", opened, size=len(content), crc32=zlib.crc32(content)) == len(
            content
        )
        writer.add_bytes("request.json", b'{"number": "01-12/345"}')
        writer.add_streamed(
            "streamed.bin", lambda write: [write(content[i : i + 70_000]) for i in range(0, 300_000, 70_000)]
        )
        size = writer.close()
    assert size == target.stat().st_size
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["recordings/қоңырау.wav", "request.json", "streamed.bin"]
        assert archive.read("recordings/қоңырау.wav") == archive.read("streamed.bin") == content
        assert archive.getinfo("request.json").date_time == (2026, 12, 6, 15, 4, 10)
    tested = subprocess.run(["unzip", "-t", str(target)], capture_output=True, text=True, check=False)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "No errors detected" in tested.stdout


def test_a_copy_into_a_stream_without_a_file_goes_through_python(tmp_path):
    source = tmp_path / "call.wav"
    content = os.urandom(50_000)
    source.write_bytes(content)
    out = io.BytesIO()
    with source.open("rb") as opened:
        writer = ZipWriter(out, modified=MODIFIED)
        assert writer.add_copy("call.wav", opened, size=len(content), crc32=zlib.crc32(content)) == len(content)
        writer.close()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert archive.read("call.wav") == content


def test_a_source_shorter_than_its_recorded_size_is_reported(tmp_path):
    source = tmp_path / "call.wav"
    source.write_bytes(b"x" * 1000)
    with (tmp_path / "package.zip").open("wb") as out, source.open("rb") as opened:
        assert ZipWriter(out, modified=MODIFIED).add_copy("call.wav", opened, size=5000, crc32=0) == 1000
