"""A recording whose file goes missing or changes is found out, marked and alerted, on real files."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from audit.models import AuditEvent
from recordings import tasks
from recordings.choices import AlertKind
from recordings.models import Recording, RecordingAlert
from recordings.services import verify_recording

STARTED = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Almaty"))
ENDED = datetime(2026, 11, 20, 10, 5, tzinfo=ZoneInfo("Asia/Almaty"))


def test_an_untouched_recording_is_intact(make_recording):
    # given a stored recording
    recording = make_recording("+77011234567", STARTED, ENDED)
    # when it is verified
    intact = verify_recording(recording)
    # then it is intact, checked, and nothing is alerted
    recording.refresh_from_db()
    assert intact and recording.is_intact and recording.verified_at is not None
    assert not RecordingAlert.objects.exists()


def test_a_tampered_file_is_detected_marked_and_alerted_once(make_recording, media_root):
    # given a stored recording whose bytes on disk are changed afterwards (same length)
    recording = make_recording("+77011234567", STARTED, ENDED)
    path = Path(recording.file.path)
    assert path.is_relative_to(media_root)
    content = bytearray(path.read_bytes())
    content[-1] ^= 0xFF
    path.write_bytes(bytes(content))
    # when it is verified twice
    first = verify_recording(recording)
    second = verify_recording(Recording.objects.get(pk=recording.pk))
    # then it is marked as not intact with one alert and one audit event naming both digests
    recording.refresh_from_db()
    assert (first, second, recording.is_intact) == (False, False, False)
    alert = RecordingAlert.objects.get()
    assert alert.kind == AlertKind.CHECKSUM_MISMATCH
    assert alert.expected_sha256 == recording.sha256
    assert alert.found_sha256 not in ("", recording.sha256)
    event = AuditEvent.objects.get(action="recordings.integrity_failed")
    assert event.object_id == str(recording.pk)
    assert event.details["found"] == alert.found_sha256


def test_a_missing_file_is_detected(make_recording):
    # given a stored recording whose file is removed from disk
    recording = make_recording("+77011234567", STARTED, ENDED)
    Path(recording.file.path).unlink()
    # when it is verified
    assert not verify_recording(recording)
    # then a missing-file alert
    alert = RecordingAlert.objects.get()
    assert (alert.kind, alert.found_sha256) == (AlertKind.FILE_MISSING, "")
    assert not Recording.objects.get(pk=recording.pk).is_intact
    assert AuditEvent.objects.filter(action="recordings.integrity_failed", object_id=str(recording.pk)).exists()


def test_a_file_restored_to_its_bytes_is_intact_again(make_recording):
    # given a recording found tampered
    recording = make_recording("+77011234567", STARTED, ENDED)
    path = Path(recording.file.path)
    original = path.read_bytes()
    path.write_bytes(original + b"extra")
    assert not verify_recording(recording)
    # when the original bytes are put back (from a backup) and it is verified again
    path.write_bytes(original)
    # then it is intact again, and the restoration is audited
    assert verify_recording(recording)
    assert Recording.objects.get(pk=recording.pk).is_intact
    assert AuditEvent.objects.filter(action="recordings.integrity_restored").count() == 1


def test_the_periodic_task_checks_the_archive_and_reports_broken_ones(make_recording, settings):
    # given three recordings, one tampered on disk, and a batch large enough for all
    settings.RECORDINGS_VERIFY_BATCH = 10
    good = [make_recording("+77011234567", STARTED, ENDED) for _ in range(2)]
    bad = make_recording("+77011234567", STARTED, ENDED)
    Path(bad.file.path).write_bytes(b"RIFF not the recording")
    # when the scheduled task runs
    broken = tasks.verify_recordings.apply().get()
    # then the tampered one is alerted and every recording has been checked
    assert broken == 1
    assert list(RecordingAlert.objects.values_list("recording", flat=True)) == [bad.pk]
    assert not Recording.objects.filter(verified_at__isnull=True).exists()
    assert all(Recording.objects.get(pk=r.pk).is_intact for r in good)


def test_the_task_walks_the_archive_oldest_checked_first(make_recording, settings):
    # given three recordings and a batch of two
    settings.RECORDINGS_VERIFY_BATCH = 2
    recordings = [make_recording("+77011234567", STARTED, ENDED) for _ in range(3)]
    # when the task runs twice
    tasks.verify_recordings.apply().get()
    checked_first = set(Recording.objects.filter(verified_at__isnull=False).values_list("pk", flat=True))
    tasks.verify_recordings.apply().get()
    # then the first run checks two, the second reaches the third
    assert len(checked_first) == 2
    assert not Recording.objects.filter(pk__in=[r.pk for r in recordings], verified_at__isnull=True).exists()


def test_the_beat_schedule_runs_the_integrity_check(settings):
    assert settings.CELERY_BEAT_SCHEDULE["recordings-verify"]["task"] == "recordings.tasks.verify_recordings"
