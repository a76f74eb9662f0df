"""Files past their category's retention period are deleted on schedule; held ones never are."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from audit.models import AuditEvent
from recordings import tasks
from recordings.choices import RecordingCategory
from recordings.models import Recording
from recordings.services import apply_retention, set_legal_hold

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=ALMATY)


def test_files_past_retention_are_deleted_and_rows_kept(make_recording, settings, django_capture_on_commit_callbacks):
    # given a 30-day retention, one recording ended 31 days ago and one 29 days ago
    settings.POLICY = {**settings.POLICY, "RECORDING_RETENTION_DAYS": 30, "RECORDING_MENU_ONLY_RETENTION_DAYS": 30}
    old = make_recording("+77011234567", NOW - timedelta(days=31, minutes=5), NOW - timedelta(days=31))
    recent = make_recording("+77011234567", NOW - timedelta(days=29, minutes=5), NOW - timedelta(days=29))
    old_path, recent_path = Path(old.file.path), Path(recent.file.path)
    # when retention runs
    with django_capture_on_commit_callbacks(execute=True):
        deleted = apply_retention(now=NOW)
    # then the old file is gone, its row kept with the time of deletion and an audit event; the recent one stays
    assert deleted == 1
    assert not old_path.exists() and recent_path.exists()
    old.refresh_from_db()
    assert old.deleted_at == NOW and old.sha256
    assert Recording.objects.get(pk=recent.pk).deleted_at is None
    event = AuditEvent.objects.get(action="recordings.deleted_by_retention")
    assert (event.object_id, event.details["retention_days"]) == (str(old.pk), 30)


def test_a_held_recording_is_never_deleted(make_recording, settings, supervisor, django_capture_on_commit_callbacks):
    # given an old recording under legal hold
    settings.POLICY = {**settings.POLICY, "RECORDING_MENU_ONLY_RETENTION_DAYS": 30}
    held = make_recording("+77011234567", NOW - timedelta(days=400, minutes=5), NOW - timedelta(days=400))
    set_legal_hold(recording=held, held=True, actor=supervisor, reason="Request 12/345")
    # when retention runs
    with django_capture_on_commit_callbacks(execute=True):
        deleted = apply_retention(now=NOW)
    # then nothing is deleted, and the hold is audited with its actor
    assert deleted == 0
    assert Path(held.file.path).exists()
    assert Recording.objects.get(pk=held.pk).deleted_at is None
    event = AuditEvent.objects.get(action="recordings.legal_hold_set")
    assert (event.actor, event.details["reason"]) == (supervisor, "Request 12/345")
    # and once released, the next run deletes it
    set_legal_hold(recording=held, held=False, actor=supervisor, reason="Request closed")
    with django_capture_on_commit_callbacks(execute=True):
        assert apply_retention(now=NOW) == 1
    assert not Path(held.file.path).exists()


def test_each_category_has_its_own_period(
    make_recording, consultant_line, settings, django_capture_on_commit_callbacks
):
    # given two 100-day-old recordings, a conversation and a menu-only call, and different periods
    settings.POLICY = {**settings.POLICY, "RECORDING_RETENTION_DAYS": 365, "RECORDING_MENU_ONLY_RETENTION_DAYS": 90}
    menu_only = make_recording("+77011234567", NOW - timedelta(days=100, minutes=5), NOW - timedelta(days=100))
    conversation = make_recording(
        "+77011234567", NOW - timedelta(days=100, minutes=5), NOW - timedelta(days=100), answered_by="1001"
    )
    assert (menu_only.category, conversation.category) == (RecordingCategory.MENU_ONLY, RecordingCategory.CONVERSATION)
    # when retention runs
    with django_capture_on_commit_callbacks(execute=True):
        apply_retention(now=NOW)
    # then only the menu-only call's file is deleted
    assert Recording.objects.get(pk=menu_only.pk).deleted_at == NOW
    assert Recording.objects.get(pk=conversation.pk).deleted_at is None


def test_zero_days_keeps_recordings_for_good(make_recording, settings, django_capture_on_commit_callbacks):
    settings.POLICY = {**settings.POLICY, "RECORDING_MENU_ONLY_RETENTION_DAYS": 0}
    ancient = make_recording("+77011234567", NOW - timedelta(days=9000, minutes=5), NOW - timedelta(days=9000))
    with django_capture_on_commit_callbacks(execute=True):
        assert apply_retention(now=NOW) == 0
    assert Path(ancient.file.path).exists()


def test_a_second_run_deletes_nothing_more(make_recording, settings, django_capture_on_commit_callbacks):
    # given a recording already deleted under retention
    settings.POLICY = {**settings.POLICY, "RECORDING_MENU_ONLY_RETENTION_DAYS": 30}
    make_recording("+77011234567", NOW - timedelta(days=60, minutes=5), NOW - timedelta(days=60))
    with django_capture_on_commit_callbacks(execute=True):
        apply_retention(now=NOW)
    # when the scheduled task runs again
    with django_capture_on_commit_callbacks(execute=True):
        again = tasks.apply_retention.apply().get()
    # then nothing more happens
    assert again == 0
    assert AuditEvent.objects.filter(action="recordings.deleted_by_retention").count() == 1


def test_deleted_recordings_are_not_verified_as_missing(make_recording, settings, django_capture_on_commit_callbacks):
    # given a recording deleted under retention
    settings.POLICY = {**settings.POLICY, "RECORDING_MENU_ONLY_RETENTION_DAYS": 30}
    make_recording("+77011234567", NOW - timedelta(days=60, minutes=5), NOW - timedelta(days=60))
    with django_capture_on_commit_callbacks(execute=True):
        apply_retention(now=NOW)
    # when the integrity task runs, then it raises no alert for the deliberately deleted file
    assert tasks.verify_recordings.apply().get() == 0


def test_the_defaults_keep_recordings_for_years_and_retention_is_scheduled(settings):
    assert settings.POLICY["RECORDING_RETENTION_DAYS"] >= 365
    assert settings.CELERY_BEAT_SCHEDULE["recordings-retention"]["task"] == "recordings.tasks.apply_retention"
