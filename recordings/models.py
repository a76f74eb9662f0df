"""Recorded conversations (clause 21): the file through the storage API, its SHA-256 taken at ingest."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from core.policy import policy

from .choices import (
    OPEN_REQUEST_STATUSES,
    REQUEST_STATUS_COLOURS,
    AlertKind,
    RecordingCategory,
    RequestStatus,
    WithheldReason,
)


def recording_path(instance: "Recording", filename: str) -> str:
    started = timezone.localtime(instance.started_at)
    return f"recordings/{started:%Y/%m/%d}/{filename}"


class RecordingQuerySet(models.QuerySet["Recording"]):
    def visible_to(self, user: Any) -> "RecordingQuerySet":
        """Supervisors and administrators reach recordings; nobody else does (a 404)."""
        if user is not None and user.is_authenticated and user.has_role(Role.SUPERVISOR, Role.ADMIN):
            return self
        return self.none()

    def kept(self) -> "RecordingQuerySet":
        """Recordings whose file has not been deleted under the retention policy."""
        return self.filter(deleted_at__isnull=True)


class Recording(models.Model):
    call = models.ForeignKey("telephony.Call", on_delete=models.PROTECT, related_name="recordings")
    source_ref = models.CharField(_("source reference"), max_length=200, unique=True)
    file = models.FileField(_("file"), upload_to=recording_path, max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.PositiveBigIntegerField(_("size, bytes"))
    duration_seconds = models.FloatField(_("duration, seconds"), null=True, blank=True)
    audio_format = models.CharField(_("format"), max_length=10)
    caller_phone = models.CharField(_("caller's phone"), max_length=16, blank=True)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    category = models.CharField(
        _("category"), max_length=20, choices=RecordingCategory.choices, default=RecordingCategory.CONVERSATION
    )
    # Integrity: false once the file went missing or stopped matching `sha256` (see RecordingAlert).
    is_intact = models.BooleanField(_("intact"), default=True)
    verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    # Taken by the last check that found the file intact: its CRC-32 (a zip entry's header needs it) and the stored
    # file's identity then (`recordings.fingerprints`). An export copies a file whose identity has not changed since a
    # recent check without reading it (RECORDINGS_EXPORT_TRUSTS_CHECK_HOURS).
    crc32 = models.PositiveBigIntegerField(_("CRC-32"), null=True, blank=True)
    verified_fingerprint = models.CharField(_("file identity when verified"), max_length=120, blank=True)
    legal_hold = models.BooleanField(
        _("legal hold"), default=False, help_text=_("A held recording is never deleted under the retention policy.")
    )
    deleted_at = models.DateTimeField(_("file deleted"), null=True, blank=True)

    objects = RecordingQuerySet.as_manager()

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        indexes = [
            models.Index(fields=["caller_phone", "started_at"]),
            # The integrity walk's next batch (`selectors.due_for_verification`): kept recordings never checked,
            # then those checked longest ago, each read in this index's order. (One ORDER BY verified_at NULLS
            # FIRST would need NULLS FIRST in the index, which SQLite refuses in CREATE INDEX.)
            models.Index(
                fields=["verified_at", "id"], name="recordings_verify_due_idx", condition=Q(deleted_at__isnull=True)
            ),
            models.Index(fields=["category", "ended_at"], name="recordings_retention_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.call} {self.started_at:%Y-%m-%d %H:%M}"


class RecordingAlert(models.Model):
    """A recording found broken: its file missing or no longer matching the SHA-256 taken at ingest."""

    recording = models.ForeignKey(Recording, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    expected_sha256 = models.CharField(_("expected SHA-256"), max_length=64)
    found_sha256 = models.CharField(_("found SHA-256"), max_length=64, blank=True)
    detected_at = models.DateTimeField(_("detected"), default=timezone.now)

    class Meta:
        verbose_name = _("recording alert")
        verbose_name_plural = _("recording alerts")
        ordering = ["-detected_at"]

    def __str__(self) -> str:
        return f"{self.recording_id} {self.kind}"


def letter_path(instance: "RecordingRequest", filename: str) -> str:
    return f"recording-requests/{timezone.localtime(instance.registered_at):%Y/%m}/letters/{filename}"


class RecordingRequestQuerySet(models.QuerySet["RecordingRequest"]):
    def visible_to(self, user: Any) -> "RecordingRequestQuerySet":
        """Supervisors and administrators see every request; a regulator only those of their own body."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_role(Role.SUPERVISOR, Role.ADMIN):
            return self
        if user.has_role(Role.REGULATOR) and user.organisation_id:
            return self.filter(requesting_body_id=user.organisation_id)
        return self.none()

    def open(self) -> "RecordingRequestQuerySet":
        return self.filter(status__in=OPEN_REQUEST_STATUSES)


class RecordingRequest(models.Model):
    """A written request of an authorized body for the recordings of one phone on one day (clause 18).

    The clock starts at registration: the package is due `RECORDING_REQUEST_HOURS` later (a policy setting).
    """

    number = models.CharField(_("request number"), max_length=60)
    requesting_body = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        related_name="recording_requests",
        verbose_name=_("requesting body"),
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("citizen's phone"), max_length=16)
    day = models.DateField(_("date of the calls"))
    letter = models.FileField(_("scanned letter"), upload_to=letter_path, max_length=300)
    letter_sha256 = models.CharField(_("letter's SHA-256"), max_length=64)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.REGISTERED
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    package = models.FileField(_("package"), max_length=300, blank=True)
    package_sha256 = models.CharField(_("package's SHA-256"), max_length=64, blank=True)
    package_size = models.PositiveBigIntegerField(_("package size, bytes"), null=True, blank=True)
    package_ready_at = models.DateTimeField(_("package ready"), null=True, blank=True)
    failure = models.CharField(_("why the package failed"), max_length=300, blank=True)
    first_downloaded_at = models.DateTimeField(_("first downloaded"), null=True, blank=True)
    # How many of the reminders before the deadline (RECORDING_REQUEST_REMINDER_MINUTES) have gone out.
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    deadline_missed_at = models.DateTimeField(_("deadline missed"), null=True, blank=True)

    objects = RecordingRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("request for recordings")
        verbose_name_plural = _("requests for recordings")
        ordering = ["-registered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["requesting_body", "number"], name="recording_request_once_per_body")
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="recording_requests_open_idx")]

    def __str__(self) -> str:
        return f"{self.number} ({self.phone}, {self.day:%d.%m.%Y})"

    @property
    def exported_count(self) -> int:
        return self.items.filter(exported=True).count()

    @property
    def status_colour(self) -> str:
        return REQUEST_STATUS_COLOURS.get(self.status, "grey")

    @property
    def handed_over_at(self) -> Any:
        """When the package became available to the regulator: the moment the 4-hour clock stops."""
        return self.package_ready_at

    @property
    def met_deadline(self) -> bool | None:
        """Whether the package was ready in time; None while the request is still running."""
        if self.package_ready_at is None:
            return None if self.deadline_missed_at is None else False
        return self.package_ready_at <= self.due_at

    @property
    def clock_colour(self) -> str:
        """The 4-hour clock at a glance: green when handed over in time, red when late or nearly so."""
        if self.met_deadline is not None:
            return "green" if self.met_deadline else "red"
        left = (self.due_at - timezone.now()).total_seconds() / 60
        reminders = sorted(int(m) for m in policy("RECORDING_REQUEST_REMINDER_MINUTES"))
        if left <= (reminders[0] if reminders else 0):
            return "red"
        if left <= (reminders[-1] if reminders else 0):
            return "orange"
        return "blue"


class RequestedRecording(models.Model):
    """A recording matched by a request (date + phone), with what became of it in the package."""

    request = models.ForeignKey(RecordingRequest, on_delete=models.PROTECT, related_name="items")
    recording = models.ForeignKey(Recording, on_delete=models.PROTECT, related_name="requests")
    exported = models.BooleanField(_("in the package"), default=False)
    withheld_reason = models.CharField(
        _("why not in the package"), max_length=20, choices=WithheldReason.choices, blank=True
    )
    package_path = models.CharField(_("path in the package"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("requested recording")
        verbose_name_plural = _("requested recordings")
        constraints = [models.UniqueConstraint(fields=["request", "recording"], name="recording_once_per_request")]
        ordering = ["recording__started_at", "recording_id"]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.recording_id}"


class PackageDownloadLink(models.Model):
    """A one-time, short-lived link to a request's package, issued after the regulator re-entered their password.

    Only the SHA-256 of the token is stored; the token itself lives in the link alone.
    """

    request = models.ForeignKey(RecordingRequest, on_delete=models.PROTECT, related_name="download_links")
    token_sha256 = models.CharField(max_length=64, unique=True)
    issued_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("package download link")
        verbose_name_plural = _("package download links")

    def __str__(self) -> str:
        return f"{self.request_id}:{self.token_sha256[:8]}"
