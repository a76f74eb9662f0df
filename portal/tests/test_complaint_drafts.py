"""Complaint drafts on the portal (issue 7): one client's limit on new drafts and on signatures sent, and the removal
of the files of drafts nobody signed (the hourly clock)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from complaints.models import Complaint
from complaints.tests.conftest import eds_dirs, pki  # noqa: F401 - the test PKI and the folders the verifier reads
from complaints.tests.pki import NcaTestPki, detached_cms
from directory.tests.fixtures import reference_territories  # noqa: F401 - KATO oblasts and districts
from portal.complaint_drafts import remove_abandoned_drafts
from portal.tests.test_complaint_pages import (  # noqa: F401 - the pages' fixtures and steps
    DESCRIPTION,
    SERVICE_ORDER,
    fill_service_order,
    licence,
    new_url,
    place,
    signing_page,
    submit,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("eds_dirs"),
    pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning"),  # NCA names pass 64 bytes
]

HOUR = 60 * 60
DRAFTS_REMOVED = "portal.complaint_drafts_removed"


def scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("анықтама.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def draft_folders(media_root: Path) -> set[str]:
    folder = media_root / "complaint-drafts"
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def age(media_root: Path, token: str, *, hours: float) -> None:
    """The draft's files written `hours` ago."""
    written = time.time() - hours * HOUR
    for path in (media_root / "complaint-drafts" / token).iterdir():
        os.utime(path, (written, written))


@pytest.fixture
def at_most_two(settings) -> None:  # type: ignore[no-untyped-def]
    settings.POLICY = {**settings.POLICY, "COMPLAINT_DRAFTS_PER_CLIENT_PER_HOUR": 2}


# --- The limit on new drafts ---------------------------------------------------------------------------------------


def test_past_the_policys_drafts_the_form_answers_429_and_keeps_what_was_typed(
    licence,  # noqa: F811
    place,  # noqa: F811
    at_most_two,
    media_root,
) -> None:
    # given a browser that prepared two complaints with files this hour
    client = Client()
    for _ in range(2):
        assert fill_service_order(client, place, attachments=scan()).status_code == 302  # type: ignore[arg-type]
    # when it sends a third
    response = fill_service_order(client, place, attachments=scan(), citizen_name="Үшінші Шағым Иесі")  # type: ignore[arg-type]
    # then it is refused with the reason, everything typed shown again, and nothing stored
    body = response.content.decode()
    assert response.status_code == 429
    assert 'data-testid="rate-limited"' in body
    assert 'data-testid="files-dropped"' in body
    assert f"{DESCRIPTION}</textarea>" in body
    assert 'value="Үшінші Шағым Иесі"' in body
    assert len(draft_folders(media_root)) == 2


def test_the_limit_counts_the_ip_address_across_browser_sessions(licence, place, at_most_two) -> None:  # noqa: F811
    # given two browsers on one address that prepared two complaints between them
    assert fill_service_order(Client(), place).status_code == 302
    assert fill_service_order(Client(), place).status_code == 302
    # when a third browser on that address sends the form
    response = fill_service_order(Client(), place)
    # then
    assert response.status_code == 429


def test_correcting_a_kept_draft_is_not_a_new_one(licence, place, at_most_two) -> None:  # noqa: F811
    # given a browser at the limit, one of its drafts open on the signing page
    client = Client()
    _page, token, _document = signing_page(client, fill_service_order(client, place))
    assert fill_service_order(client, place).status_code == 302
    # when it goes back and corrects the first draft
    response = fill_service_order(client, place, form_token=token, description="Түзетілген мәтін.")
    # then the correction is kept
    _page, same_token, document = signing_page(client, response)
    assert same_token == token
    assert "Түзетілген мәтін." in document.decode()


# --- The limit on signatures sent ----------------------------------------------------------------------------------


def test_past_the_policys_signatures_the_submit_answers_429_and_keeps_the_complaint(
    pki: NcaTestPki,  # noqa: F811
    licence,  # noqa: F811
    place,  # noqa: F811
    settings,
) -> None:
    # given a browser that sent one signature made with the wrong key, under a limit of one an hour
    settings.POLICY = {**settings.POLICY, "COMPLAINT_DRAFTS_PER_CLIENT_PER_HOUR": 1}
    client = Client()
    _page, token, document = signing_page(client, fill_service_order(client, place))
    assert submit(client, token, document, detached_cms(pki.auth, document)).status_code == 400
    # when it signs again, now with the right key
    response = submit(client, token, document, detached_cms(pki.sign, document))
    # then it is refused for now, on the signing page of the same complaint
    body = response.content.decode()
    assert response.status_code == 429
    assert 'data-testid="refusal-message"' in body
    assert 'data-testid="sign-button"' in body and f'value="{token}"' in body
    assert not Complaint.objects.exists()


def test_the_signature_of_a_filed_complaint_sent_again_is_always_answered(
    pki: NcaTestPki,  # noqa: F811
    licence,  # noqa: F811
    place,  # noqa: F811
    settings,
) -> None:
    # given a complaint filed under a limit of one signature an hour
    settings.POLICY = {**settings.POLICY, "COMPLAINT_DRAFTS_PER_CLIENT_PER_HOUR": 1}
    client = Client()
    _page, token, document = signing_page(client, fill_service_order(client, place))
    signature = detached_cms(pki.sign, document)
    first = submit(client, token, document, signature)
    # when the same signature is sent again
    second = submit(client, token, document, signature)
    # then it shows the same complaint
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Complaint.objects.count() == 1


# --- Abandoned drafts ----------------------------------------------------------------------------------------------


def test_drafts_older_than_the_policy_are_removed_and_fresh_ones_kept(licence, place, media_root) -> None:  # noqa: F811
    # given two drafts with files: one written 25 hours ago, one just now
    old_client, fresh_client = Client(), Client()
    _page, old, _document = signing_page(old_client, fill_service_order(old_client, place, attachments=scan()))  # type: ignore[arg-type]
    _page, fresh, _document = signing_page(fresh_client, fill_service_order(fresh_client, place, attachments=scan()))  # type: ignore[arg-type]
    age(media_root, old, hours=25)
    # when
    removed = remove_abandoned_drafts()
    # then the old folder went, the fresh one stayed, and the run was audited once with the count
    assert removed == 1
    assert draft_folders(media_root) == {fresh}
    event = AuditEvent.objects.get(action=DRAFTS_REMOVED)
    assert event.details == {"folders": 1, "older_than_hours": 24}
    # and a second run finds nothing and records nothing
    assert remove_abandoned_drafts() == 0
    assert AuditEvent.objects.filter(action=DRAFTS_REMOVED).count() == 1


def test_the_age_is_the_policys_or_the_one_given(settings, media_root) -> None:
    # given a draft folder written three hours ago
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    default_storage.save("complaint-drafts/11111111-1111-4111-8111-111111111111/0", ContentFile(b"%PDF-1.4"))
    age(media_root, "11111111-1111-4111-8111-111111111111", hours=3)
    # when the policy keeps drafts four hours, then for two
    settings.POLICY = {**settings.POLICY, "COMPLAINT_DRAFT_KEEP_HOURS": 4}
    kept = remove_abandoned_drafts()
    removed = remove_abandoned_drafts(older_than_hours=2)
    # then
    assert (kept, removed) == (0, 1)
    assert draft_folders(media_root) == set()


def test_nothing_to_remove_when_no_draft_was_ever_kept() -> None:
    assert remove_abandoned_drafts() == 0
    assert not AuditEvent.objects.filter(action=DRAFTS_REMOVED).exists()


def test_a_draft_whose_files_were_removed_asks_for_them_again(licence, place, media_root) -> None:  # noqa: F811
    # given a draft with a file left unsigned for a day and removed
    client = Client()
    _page, token, _document = signing_page(client, fill_service_order(client, place, attachments=scan()))  # type: ignore[arg-type]
    age(media_root, token, hours=25)
    assert remove_abandoned_drafts() == 1
    # when the citizen comes back to the signing page
    response = client.get(reverse("portal:complaint_sign", kwargs={"token": token}))
    # then the form comes back filled in, asking for the files again (nothing is filed without them)
    assert response.status_code == 302
    assert response["Location"] == f"{new_url(SERVICE_ORDER)}?draft={token}"
    body = client.get(response["Location"]).content.decode()
    assert f"{DESCRIPTION}</textarea>" in body
    assert 'data-testid="files-dropped"' in body
    # and the form sent again without files goes on to signing without the lost file
    page, same_token, _document = signing_page(client, fill_service_order(client, place, form_token=token))
    assert same_token == token
    assert "анықтама.pdf" not in page


def test_the_hourly_clock_runs_the_removal(media_root) -> None:
    # given an abandoned draft folder
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from portal.tasks import remove_abandoned_complaint_drafts

    default_storage.save("complaint-drafts/22222222-2222-4222-8222-222222222222/0", ContentFile(b"%PDF-1.4"))
    age(media_root, "22222222-2222-4222-8222-222222222222", hours=48)
    entry = django_settings.CELERY_BEAT_SCHEDULE["complaints-remove-abandoned-drafts"]
    # when the beat entry's task runs
    result = remove_abandoned_complaint_drafts.apply(throw=True)
    # then it removed the folder, every hour
    assert result.get() == 1
    assert (entry["task"], entry["schedule"]) == (remove_abandoned_complaint_drafts.name, 3600.0)
    assert draft_folders(media_root) == set()
