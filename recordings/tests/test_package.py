"""The export package of a request: built from the intact recordings only, signed, and checked by its verifier."""

import hashlib
import io
import json
import logging
import re
import resource
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from recordings import export, regulator_requests
from recordings.choices import AlertKind, RequestStatus, WithheldReason
from recordings.models import RecordingAlert
from recordings.package_verify import CERTIFICATE, MANIFEST, REQUEST, SIGNATURE, PackageError, main, verify_package
from recordings.services import apply_retention
from recordings.signing import write_self_signed
from recordings.tests.request_steps import (
    OTHER_PHONE,
    PHONE,
    at,
    build,
    file_request,
    package_entries,
    rewrite_package,
    tamper,
)


@pytest.fixture
def ready_request(two_calls, body_regulator, supervisor, center_signing_key):
    return build(file_request(body_regulator), supervisor)


def test_a_confirmed_request_gets_a_signed_package_of_its_recordings(
    two_calls, body_regulator, supervisor, center_signing_key, tasks_in_process, django_capture_on_commit_callbacks
):
    # given a request matching two recordings
    first, second = two_calls
    request = file_request(body_regulator)
    # when a supervisor confirms it and the queued task runs
    with django_capture_on_commit_callbacks(execute=True):
        regulator_requests.confirm_request(request=request, supervisor=supervisor)
    # then the package is ready, its digest and size recorded, holding both recordings byte for byte
    request.refresh_from_db()
    assert request.status == RequestStatus.READY
    assert (request.confirmed_by, request.package_ready_at is not None) == (supervisor, True)
    content = Path(request.package.path).read_bytes()
    assert (request.package_sha256, request.package_size) == (hashlib.sha256(content).hexdigest(), len(content))
    entries = package_entries(request)
    items = {item.recording_id: item for item in request.items.all()}
    assert all(item.exported and not item.withheld_reason for item in items.values())
    for recording in (first, second):
        assert entries[items[recording.pk].package_path] == Path(recording.file.path).read_bytes()
    assert items[second.pk].package_path == f"recordings/20261120-235500-{second.pk}.wav"
    assert set(entries) == {items[first.pk].package_path, items[second.pk].package_path} | {
        REQUEST,
        CERTIFICATE,
        MANIFEST,
        SIGNATURE,
    }
    # and request.json says what was asked and what was found, in Almaty time
    document = json.loads(entries[REQUEST])
    assert document["request"]["number"] == "01-12/345"
    assert document["request"]["phone"] == PHONE
    assert document["request"]["date"] == "2026-11-20"
    assert document["request"]["registered_at"] == "2026-11-21T09:00:00+05:00"
    assert document["request"]["due_at"] == "2026-11-21T13:00:00+05:00"
    assert [entry["id"] for entry in document["recordings"]] == [first.pk, second.pk]
    assert (document["matched"], document["withheld"]) == (2, [])
    # and the manifest lists every file with its SHA-256
    manifest = entries[MANIFEST].decode().splitlines()
    assert sorted(manifest) == sorted(
        f"{hashlib.sha256(entries[name]).hexdigest()}  {name}" for name in entries if name not in (MANIFEST, SIGNATURE)
    )
    ready = AuditEvent.objects.get(action="recordings.package_ready")
    assert ready.details == {"size": len(content), "recordings": 2, "withheld": 0}
    # and its SHA-256, taken once it was ready, is recorded too
    digest = AuditEvent.objects.get(action="recordings.package_digest")
    assert (digest.details, digest.sequence > ready.sequence) == ({"sha256": request.package_sha256}, True)


def test_the_regulator_hears_when_the_package_is_ready(
    two_calls,
    body_regulator,
    supervisor,
    center_signing_key,
    tasks_in_process,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    request = file_request(body_regulator)
    with django_capture_on_commit_callbacks(execute=True):
        regulator_requests.confirm_request(request=request, supervisor=supervisor)
    ready = [message for message in mailoutbox if message.to == [body_regulator.email]]
    assert len(ready) == 1
    assert "01-12/345" in ready[0].subject
    assert f"/recordings/requests/{request.pk}/" in ready[0].body


def test_a_request_with_no_matches_gets_a_package_that_says_so(
    make_recording, body_regulator, supervisor, center_signing_key
):
    # given recordings of another phone only
    make_recording(OTHER_PHONE, at(20, 10), at(20, 10, 5))
    request = file_request(body_regulator)
    assert not request.items.exists()
    # when it is confirmed and built
    request = build(request, supervisor)
    # then an honest, signed, empty answer: no recordings, request.json saying nothing matched
    assert request.status == RequestStatus.READY
    entries = package_entries(request)
    assert set(entries) == {REQUEST, CERTIFICATE, MANIFEST, SIGNATURE}
    document = json.loads(entries[REQUEST])
    assert (document["matched"], document["recordings"], document["withheld"]) == (0, [], [])
    verification = verify_package(Path(request.package.path), pinned_certificate=center_signing_key.read_bytes())
    assert verification.ok, verification.problems


def test_a_tampered_recording_is_alerted_and_withheld_not_exported_as_good(
    two_calls, body_regulator, supervisor, center_signing_key
):
    # given a request whose first recording is changed on disk after it was matched
    first, second = two_calls
    request = file_request(body_regulator)
    tamper(Path(first.file.path))
    # when the package is built
    request = build(request, supervisor)
    # then the package goes out with the intact recording only, and says why the other is withheld
    assert request.status == RequestStatus.READY
    withheld = request.items.get(recording=first)
    assert (withheld.exported, withheld.withheld_reason, withheld.package_path) == (
        False,
        WithheldReason.CHECKSUM_MISMATCH,
        "",
    )
    kept = request.items.get(recording=second)
    assert kept.exported
    entries = package_entries(request)
    assert [name for name in entries if name.startswith("recordings/")] == [kept.package_path]
    document = json.loads(entries[REQUEST])
    assert [entry["id"] for entry in document["recordings"]] == [second.pk]
    assert [(entry["id"], entry["reason"]) for entry in document["withheld"]] == [(first.pk, "checksum_mismatch")]
    # and the broken file is alerted and marked, once
    alert = RecordingAlert.objects.get()
    assert (alert.recording, alert.kind) == (first, AlertKind.CHECKSUM_MISMATCH)
    first.refresh_from_db()
    assert not first.is_intact
    assert AuditEvent.objects.filter(action="recordings.integrity_failed", object_id=str(first.pk)).count() == 1
    assert AuditEvent.objects.get(action="recordings.package_ready").details["withheld"] == 1
    # and what went out verifies
    assert verify_package(Path(request.package.path), pinned_certificate=center_signing_key.read_bytes()).ok


def test_a_missing_file_is_withheld_as_missing(two_calls, body_regulator, supervisor, center_signing_key):
    first, _second = two_calls
    request = file_request(body_regulator)
    Path(first.file.path).unlink()
    request = build(request, supervisor)
    assert request.status == RequestStatus.READY
    assert request.items.get(recording=first).withheld_reason == WithheldReason.FILE_MISSING
    assert RecordingAlert.objects.get().kind == AlertKind.FILE_MISSING
    assert json.loads(package_entries(request)[REQUEST])["withheld"][0]["reason"] == "file_missing"


def test_a_recording_deleted_under_retention_is_listed_as_withheld(
    make_recording, body_regulator, supervisor, center_signing_key, settings, django_capture_on_commit_callbacks
):
    # given a menu-only call whose file was deleted under a one-day retention period
    settings.POLICY = {**settings.POLICY, "RECORDING_MENU_ONLY_RETENTION_DAYS": 1}
    recording = make_recording(PHONE, at(20, 10), at(20, 10, 5))
    with django_capture_on_commit_callbacks(execute=True):
        assert apply_retention(now=at(25, 8)) == 1
    # when a request names its phone and day
    request = build(file_request(body_regulator, now=at(25, 9)), supervisor)
    # then the package says it existed and why it is not there
    assert request.items.get(recording=recording).withheld_reason == WithheldReason.DELETED_BY_RETENTION
    entries = package_entries(request)
    assert not [name for name in entries if name.startswith("recordings/")]
    assert json.loads(entries[REQUEST])["withheld"][0]["reason"] == "deleted"


def test_without_the_centers_key_the_package_fails_and_is_retried_once_mended(
    two_calls,
    body_regulator,
    supervisor,
    center_signing_key,
    settings,
    tasks_in_process,
    django_capture_on_commit_callbacks,
):
    # given a production install whose signing key is not configured
    key_file, cert_file = settings.RECORDINGS_SIGNING_KEY_FILE, settings.RECORDINGS_SIGNING_CERT_FILE
    settings.DEBUG = False
    settings.RECORDINGS_SIGNING_KEY_FILE = settings.RECORDINGS_SIGNING_CERT_FILE = ""
    request = file_request(body_regulator)
    # when the package is built
    request = build(request, supervisor)
    # then it failed, saying why, and nothing was written
    assert request.status == RequestStatus.FAILED
    assert "RECORDINGS_SIGNING_KEY_FILE" in request.failure
    assert not request.package
    assert AuditEvent.objects.filter(action="recordings.package_failed").count() == 1
    # when the key is configured and a supervisor retries
    settings.RECORDINGS_SIGNING_KEY_FILE, settings.RECORDINGS_SIGNING_CERT_FILE = key_file, cert_file
    with django_capture_on_commit_callbacks(execute=True):
        regulator_requests.retry_package(request=request, supervisor=supervisor)
    # then the package is ready, and a ready one cannot be retried
    request.refresh_from_db()
    assert (request.status, request.failure) == (RequestStatus.READY, "")
    with pytest.raises(ValidationError):
        regulator_requests.retry_package(request=request, supervisor=supervisor)


def test_a_built_package_is_left_as_it_is_and_confirming_twice_is_refused(ready_request, supervisor):
    # when the task runs again (a redelivered message) or someone confirms again
    again = regulator_requests.build_package(request_id=ready_request.pk)
    # then the same package stays
    assert (again.package.name, again.package_sha256) == (ready_request.package.name, ready_request.package_sha256)
    assert AuditEvent.objects.filter(action="recordings.package_ready").count() == 1
    with pytest.raises(ValidationError):
        regulator_requests.confirm_request(request=ready_request, supervisor=supervisor)


# --- The signature -----------------------------------------------------------------------------------


def test_the_manifests_cms_signature_verifies_against_the_centers_certificate(
    ready_request, center_signing_key, tmp_path
):
    # given the manifest and its detached signature as the authorized body receives them
    entries = package_entries(ready_request)
    (tmp_path / MANIFEST).write_bytes(entries[MANIFEST])
    (tmp_path / SIGNATURE).write_bytes(entries[SIGNATURE])
    assert entries[CERTIFICATE] == center_signing_key.read_bytes()

    def openssl_verify(manifest: Path) -> subprocess.CompletedProcess:
        command = ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / SIGNATURE)]
        command += ["-content", str(manifest), "-CAfile", str(center_signing_key), "-purpose", "any"]
        return subprocess.run([*command, "-out", "/dev/null"], capture_output=True, check=False)

    # when OpenSSL (no part of the platform) checks it against the center's certificate
    verified = openssl_verify(tmp_path / MANIFEST)
    # then it verifies; and it does not for a manifest changed by one byte
    assert verified.returncode == 0, verified.stderr.decode()
    changed = tmp_path / "changed.txt"
    changed.write_bytes(entries[MANIFEST].replace(b"  ", b" *", 1))
    assert openssl_verify(changed).returncode != 0


def test_the_verifier_accepts_the_centers_signature_and_refuses_another_certificate(
    ready_request, center_signing_key, tmp_path
):
    package = Path(ready_request.package.path)
    pinned = verify_package(package, pinned_certificate=center_signing_key.read_bytes())
    assert pinned.ok, pinned.problems
    assert "Bailanys test contact center" in pinned.signer
    write_self_signed(tmp_path / "other.key", tmp_path / "other.pem", common_name="Someone else")
    other = verify_package(package, pinned_certificate=(tmp_path / "other.pem").read_bytes())
    assert other.problems == ["the manifest was signed by a certificate other than the pinned one"]


# --- The verifier: module and management command --------------------------------------------------------


def verify_command(package: Path, *arguments: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_recordings_package", str(package), *arguments, stdout=out, stderr=err)
    except CommandError as error:
        raise CommandError(f"{error}\n{err.getvalue()}") from error
    return out.getvalue(), err.getvalue()


def test_an_intact_package_is_accepted(ready_request, center_signing_key):
    package = Path(ready_request.package.path)
    # the module: every listed file checked (two recordings, request.json, the certificate)
    verification = verify_package(package, pinned_certificate=center_signing_key.read_bytes())
    assert (verification.ok, verification.checked_files) == (True, 4)
    assert main([str(package), "--certificate", str(center_signing_key)]) == 0
    # the command, pinned explicitly and against the center's own key
    out, _err = verify_command(package, "--certificate", str(center_signing_key))
    assert out.startswith("OK: 4 files match the manifest signed by ")
    out, _err = verify_command(package)
    assert out.startswith("OK: 4 files")


def test_swapped_recordings_are_caught(ready_request, center_signing_key, tmp_path, capsys):
    # given a package whose two recordings were swapped
    entries = package_entries(ready_request)
    first, second = sorted(name for name in entries if name.startswith("recordings/"))
    entries[first], entries[second] = entries[second], entries[first]
    package = rewrite_package(tmp_path / "swapped.zip", entries)
    # then the module, its command line and the management command each name both files
    problems = verify_package(package, pinned_certificate=center_signing_key.read_bytes()).problems
    assert problems == [f"file does not match its SHA-256: {first}", f"file does not match its SHA-256: {second}"]
    assert main([str(package), "--certificate", str(center_signing_key)]) == 1
    assert f"FAILED: file does not match its SHA-256: {first}" in capsys.readouterr().out
    both = f"(?s)not intact: 2 problem.*FAILED: file does not match its SHA-256: {re.escape(second)}"
    with pytest.raises(CommandError, match=both):
        verify_command(package, "--certificate", str(center_signing_key))


def test_an_extra_file_is_caught(ready_request, center_signing_key, tmp_path):
    # given a package with a recording slipped in that the center never listed
    entries = package_entries(ready_request)
    entries["recordings/20261120-120000-999.wav"] = next(v for k, v in entries.items() if k.startswith("recordings/"))
    package = rewrite_package(tmp_path / "extra.zip", entries)
    # then it is named
    problems = verify_package(package, pinned_certificate=center_signing_key.read_bytes()).problems
    assert problems == ["file not in the manifest: recordings/20261120-120000-999.wav"]
    with pytest.raises(CommandError, match=re.escape("FAILED: file not in the manifest: recordings/20261120-120000-")):
        verify_command(package, "--certificate", str(center_signing_key))


def test_a_removed_file_or_a_rewritten_manifest_is_caught(ready_request, center_signing_key, tmp_path):
    entries = package_entries(ready_request)
    recording = next(name for name in entries if name.startswith("recordings/"))
    # a recording taken out
    without = rewrite_package(tmp_path / "without.zip", {k: v for k, v in entries.items() if k != recording})
    assert verify_package(without).problems == [f"file in the manifest is missing: {recording}"]
    # a recording replaced and the manifest rewritten to match it: the signature no longer holds
    entries[recording] = b"RIFF other audio"
    entries[MANIFEST] = b"".join(
        f"{hashlib.sha256(entries[name]).hexdigest()}  {name}\n".encode()
        for name in entries
        if name not in (MANIFEST, SIGNATURE)
    )
    forged = rewrite_package(tmp_path / "forged.zip", entries)
    problems = verify_package(forged, pinned_certificate=center_signing_key.read_bytes()).problems
    assert problems == ["the manifest's signature does not verify: the manifest was changed or signed by another key"]


def test_something_that_is_not_a_package_cannot_be_read(tmp_path, center_signing_key):
    not_a_zip = tmp_path / "package.zip"
    not_a_zip.write_bytes(b"%PDF-1.4 not a package")
    with pytest.raises(PackageError):
        verify_package(not_a_zip)
    assert main([str(not_a_zip)]) == 2
    with pytest.raises(CommandError, match="not a readable package"):
        verify_command(not_a_zip, "--certificate", str(center_signing_key))


def test_recordings_of_many_chunks_go_out_byte_for_byte_through_the_reused_buffers(
    two_calls, body_regulator, supervisor, center_signing_key, monkeypatch
):
    # given buffers far smaller than the recordings (16 and 32 kB), so each is copied through them many times over
    monkeypatch.setattr(export, "CHUNK", 1000)
    monkeypatch.setattr(export, "IN_FLIGHT", 3)
    # when the package is built
    request = build(file_request(body_regulator), supervisor)
    # then both recordings are in it byte for byte, and the package's recorded digest is the file's
    assert request.status == RequestStatus.READY
    entries = package_entries(request)
    assert request.items.filter(exported=True).count() == len(two_calls)
    for item in request.items.all():
        assert entries[item.package_path] == Path(item.recording.file.path).read_bytes()
    assert request.package_sha256 == hashlib.sha256(Path(request.package.path).read_bytes()).hexdigest()
    assert verify_package(Path(request.package.path), pinned_certificate=center_signing_key.read_bytes()).ok


# --- A package that cannot be built -------------------------------------------------------------------


def unfinished_packages(request) -> list[Path]:
    """Package files written for the request in MEDIA_ROOT (its letter aside)."""
    return list(Path(request.letter.path).parents[1].glob(f"package-{request.pk}*"))


@contextmanager
def storage_full_at(size: int) -> Iterator[None]:
    """Writes past `size` bytes fail with "File too large" (EFBIG), as a full disk fails them with ENOSPC."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def test_storage_that_fills_up_midway_fails_the_package_saying_why_and_leaves_no_partial_file(
    two_calls,
    body_regulator,
    supervisor,
    center_signing_key,
    caplog,
    tasks_in_process,
    django_capture_on_commit_callbacks,
):
    # given a request for two recordings (about 50 kB) and storage that takes no file past 24 kB
    request = file_request(body_regulator)
    # when the package is built: the first recording fits, the second does not
    with storage_full_at(24_000), caplog.at_level(logging.ERROR, logger="recordings.regulator_requests"):
        request = build(request, supervisor)
    # then the request failed, saying why in words and not in a traceback, which went to the log
    assert request.status == RequestStatus.FAILED
    assert "File too large" in request.failure  # the system's words, inside our sentence in the center's language
    assert "Traceback" not in request.failure and "Error" not in request.failure
    reference = re.search(r"\b([0-9a-f]{8})\b", request.failure).group(1)  # the log line it points to
    [logged] = [record for record in caplog.records if reference in record.getMessage()]
    assert logged.exc_info is not None and isinstance(logged.exc_info[1], OSError)
    assert AuditEvent.objects.filter(action="recordings.package_failed").count() == 1
    # and nothing half-written stays in storage, nothing is marked exported
    assert unfinished_packages(request) == []
    assert (request.package.name, request.package_sha256) == ("", "")
    assert not request.items.filter(exported=True).exists()
    # when the storage has room again and a supervisor retries
    with django_capture_on_commit_callbacks(execute=True):
        regulator_requests.retry_package(request=request, supervisor=supervisor)
    # then the package is ready, complete and intact
    request.refresh_from_db()
    assert (request.status, request.failure) == (RequestStatus.READY, "")
    assert unfinished_packages(request) == [Path(request.package.path)]
    assert verify_package(Path(request.package.path), pinned_certificate=center_signing_key.read_bytes()).ok
    assert request.items.filter(exported=True).count() == 2


def test_a_recording_that_cannot_be_read_midway_fails_the_package_until_it_is_mended(
    two_calls,
    body_regulator,
    supervisor,
    center_signing_key,
    tasks_in_process,
    django_capture_on_commit_callbacks,
):
    # given a request whose second recording opens but fails to read (an I/O error of the disk under it)
    first, second = two_calls
    request = file_request(body_regulator)
    stored = Path(second.file.path)
    content = stored.read_bytes()
    stored.unlink()
    stored.symlink_to("/proc/self/mem")  # readable by name, but reading its first bytes fails with EIO
    # when the package is built
    request = build(request, supervisor)
    # then it failed, not ready with a recording silently missing, and the first recording's bytes are not left
    assert request.status == RequestStatus.FAILED
    assert "Input/output error" in request.failure
    assert unfinished_packages(request) == []
    assert not RecordingAlert.objects.exists()  # a read error is not a tampered file
    # when the disk is mended and a supervisor retries
    stored.unlink()
    stored.write_bytes(content)
    with django_capture_on_commit_callbacks(execute=True):
        regulator_requests.retry_package(request=request, supervisor=supervisor)
    # then both recordings go out
    request.refresh_from_db()
    assert request.status == RequestStatus.READY
    assert {item.recording_id for item in request.items.filter(exported=True)} == {first.pk, second.pk}
