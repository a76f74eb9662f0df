"""Supervisors and administrators listen in the browser (byte ranges); everyone else is refused, audibly in the log."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from audit.choices import AuditKind
from audit.models import AuditEvent
from recordings.models import Recording

STARTED = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Almaty"))
ENDED = datetime(2026, 11, 20, 10, 5, tzinfo=ZoneInfo("Asia/Almaty"))


@pytest.fixture
def recording(make_recording) -> Recording:
    return make_recording("+77011234567", STARTED, ENDED, seconds=2.0)


def listen_url(recording: Recording) -> str:
    return f"/recordings/{recording.pk}/listen/"


def body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


def reads_of(recording: Recording) -> int:
    return AuditEvent.objects.filter(
        action="recording.personal_data_read", kind=AuditKind.READ, object_id=str(recording.pk)
    ).count()


@pytest.mark.parametrize("who", ["supervisor_client", "admin_client_user"])
def test_a_listener_gets_the_whole_file_and_the_access_is_audited(request, who, recording):
    # given a supervisor or an administrator
    client = request.getfixturevalue(who)
    content = Path(recording.file.path).read_bytes()
    # when they fetch the audio without a range
    response = client.get(listen_url(recording))
    # then the whole WAV, announcing byte ranges, and one audited read
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(content))
    assert body(response) == content
    assert reads_of(recording) == 1


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", -50, None), ("bytes=10-10", 10, 10)],
)
def test_a_range_is_answered_with_206_and_exactly_those_bytes(supervisor_client, recording, header, first, last):
    # given the recording's bytes
    content = Path(recording.file.path).read_bytes()
    size = len(content)
    expected = content[first:] if last is None else content[first : last + 1]
    start = first if first >= 0 else size + first
    end = start + len(expected) - 1
    # when a range is asked
    response = supervisor_client.get(listen_url(recording), headers={"Range": header})
    # then 206 with the right Content-Range and body
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert response["Content-Length"] == str(len(expected))
    assert body(response) == expected
    assert reads_of(recording) == 1


def test_a_range_past_the_end_is_clipped_and_one_beyond_is_416(supervisor_client, recording):
    size = Path(recording.file.path).stat().st_size
    clipped = supervisor_client.get(listen_url(recording), headers={"Range": f"bytes={size - 10}-{size + 1000}"})
    assert (clipped.status_code, clipped["Content-Range"]) == (206, f"bytes {size - 10}-{size - 1}/{size}")
    assert len(body(clipped)) == 10
    refused = supervisor_client.get(listen_url(recording), headers={"Range": f"bytes={size}-"})
    assert (refused.status_code, refused["Content-Range"]) == (416, f"bytes */{size}")


def test_several_ranges_or_a_stale_if_range_get_the_whole_file(supervisor_client, recording):
    size = Path(recording.file.path).stat().st_size
    several = supervisor_client.get(listen_url(recording), headers={"Range": "bytes=0-1,5-6"})
    stale = supervisor_client.get(listen_url(recording), headers={"Range": "bytes=0-1", "If-Range": '"other"'})
    fresh = supervisor_client.get(
        listen_url(recording), headers={"Range": "bytes=0-1", "If-Range": f'"{recording.sha256}"'}
    )
    assert (several.status_code, len(body(several))) == (200, size)
    assert (stale.status_code, len(body(stale))) == (200, size)
    assert (fresh.status_code, body(fresh)) == (206, b"RI")


def test_head_tells_the_size_without_the_body(supervisor_client, recording):
    response = supervisor_client.head(listen_url(recording))
    assert response.status_code == 200
    assert response["Content-Length"] == str(recording.size_bytes)
    assert body(response) == b""


@pytest.mark.parametrize("who", ["consultant_client", "editor_client", "officer_client", "regulator_client"])
@pytest.mark.parametrize("page", ["player", "listen"])
def test_other_roles_get_404_and_the_refusal_is_audited(request, who, page, recording):
    # given a logged-in user of a role that may not listen
    client: Client = request.getfixturevalue(who)
    url = f"/recordings/{recording.pk}/" + ("listen/" if page == "listen" else "")
    # when they try the page or the audio
    response = client.get(url)
    # then 404, no read recorded, and the refusal in the audit log naming them and the recording
    assert response.status_code == 404
    assert reads_of(recording) == 0
    denied = AuditEvent.objects.get(action="recordings.access_denied")
    assert denied.kind == AuditKind.DENIED
    assert denied.actor == request.getfixturevalue(who.removesuffix("_client"))
    assert denied.object_id == str(recording.pk)


def test_the_same_404_whether_the_recording_exists_or_not(consultant_client, recording):
    # a consultant cannot tell an existing recording from a missing one
    assert consultant_client.get(listen_url(recording)).status_code == 404
    assert consultant_client.get("/recordings/999999/listen/").status_code == 404
    assert AuditEvent.objects.filter(action="recordings.access_denied").count() == 2


@pytest.mark.parametrize(("page", "status"), [("", 302), ("listen/", 404)])
def test_anonymous_users_are_refused_and_the_attempt_is_audited(page, status, recording):
    # the player page sends them to sign in; the audio itself is a 404, as for a link that leaked
    response = Client().get(f"/recordings/{recording.pk}/{page}")
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")
    denied = AuditEvent.objects.get(action="recordings.access_denied")
    assert (denied.actor, denied.actor_label) == (None, "anonymous")
    assert reads_of(recording) == 0


def test_the_player_page_plays_the_recording_and_its_view_is_audited(supervisor_client, recording):
    # when a supervisor opens the player
    response = supervisor_client.get(f"/recordings/{recording.pk}/")
    # then an <audio> element points at the stream, the caller's phone shows, and the read is audited
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<audio controls preload="metadata" src="/recordings/{recording.pk}/listen/"' in html
    assert "+77011234567" in html
    assert reads_of(recording) == 1


def test_the_player_warns_about_a_broken_file(supervisor_client, recording):
    from recordings.services import verify_recording

    Path(recording.file.path).write_bytes(b"RIFF tampered")
    verify_recording(recording)
    response = supervisor_client.get(f"/recordings/{recording.pk}/")
    assert 'data-testid="recording-not-intact"' in response.content.decode()


def test_a_missing_file_or_a_deleted_one_is_404_for_listeners(supervisor_client, recording):
    Path(recording.file.path).unlink()
    assert supervisor_client.get(listen_url(recording)).status_code == 404
    assert supervisor_client.get("/recordings/999999/").status_code == 404
