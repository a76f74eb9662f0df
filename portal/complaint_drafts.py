"""Complaint drafts on the portal: how many one client may make, and the files of drafts nobody came back to.

A draft stores the files sent with the form (storage `complaint-drafts/<token>/`) before anything is signed, so one
client (a browser session, an IP address) may make POLICY COMPLAINT_DRAFTS_PER_CLIENT_PER_HOUR new drafts and as many
submits of a signature in an hour (counted apart; correcting a draft already kept, or sending again the signature of
a complaint already filed, is not counted). Drafts leave storage when the session drops them or the complaint is
filed; folders older than POLICY COMPLAINT_DRAFT_KEEP_HOURS are removed by `remove_abandoned_drafts` (every hour).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils import timezone

from audit.services import record_event
from core.policy import policy
from core.ratelimit import Usage, count_action, current_usage
from portal.complaint_forms import DRAFT_FILES_FOLDER
from portal.ratelimit import client_keys

WINDOW_SECONDS = 60 * 60


def drafts_used(request: HttpRequest) -> Usage:
    """The new drafts this client made in its current hour (nothing counted)."""
    return current_usage(client_keys(request, "complaint-draft"), window_seconds=WINDOW_SECONDS)


def count_draft(request: HttpRequest) -> None:
    count_action(client_keys(request, "complaint-draft"), window_seconds=WINDOW_SECONDS)


def submits_used(request: HttpRequest) -> Usage:
    """The signatures this client sent in its current hour (nothing counted)."""
    return current_usage(client_keys(request, "complaint-submit"), window_seconds=WINDOW_SECONDS)


def count_submit(request: HttpRequest) -> None:
    count_action(client_keys(request, "complaint-submit"), window_seconds=WINDOW_SECONDS)


def limit_reached(usage: Usage) -> bool:
    return usage.count >= policy("COMPLAINT_DRAFTS_PER_CLIENT_PER_HOUR")


# --- Abandoned drafts ----------------------------------------------------------------------------------------------


def remove_abandoned_drafts(*, older_than_hours: int | None = None) -> int:
    """Delete the draft folders whose newest file is older than the policy's hours; how many folders went.

    Idempotent (a second run finds nothing); one audit event per run that removed something, with the count.
    """
    hours = policy("COMPLAINT_DRAFT_KEEP_HOURS") if older_than_hours is None else older_than_hours
    cutoff = timezone.now() - timedelta(hours=hours)
    try:
        folders, _files = default_storage.listdir(DRAFT_FILES_FOLDER)
    except FileNotFoundError:  # no draft was ever kept
        return 0
    removed = 0
    for folder in folders:
        path = f"{DRAFT_FILES_FOLDER}/{folder}"
        if _last_modified(path) < cutoff:
            _delete_folder(path)
            removed += 1
    if removed:
        record_event(
            action="portal.complaint_drafts_removed",
            actor_label="system:complaint-drafts",
            details={"folders": removed, "older_than_hours": hours},
        )
    return removed


def _last_modified(path: str) -> datetime:
    """When the folder's newest file was written (an empty folder: the folder's own time where storage has one)."""
    _folders, files = default_storage.listdir(path)
    names = [f"{path}/{name}" for name in files] or [path]
    try:
        return max(default_storage.get_modified_time(name) for name in names)
    except (FileNotFoundError, NotImplementedError):
        return timezone.now() - timedelta(days=366 * 100)  # nothing left to date it by: abandoned


def _delete_folder(path: str) -> None:
    folders, files = default_storage.listdir(path)
    for folder in folders:
        _delete_folder(f"{path}/{folder}")
    for name in files:
        default_storage.delete(f"{path}/{name}")
    default_storage.delete(path)  # the empty folder on a file system; nothing on object storage
