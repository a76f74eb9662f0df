"""Recorded conversations (clause 21): the file through the storage API, its SHA-256 taken at ingest."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role

from .choices import AlertKind, RecordingCategory


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
            models.Index(fields=["verified_at"], name="recordings_verified_idx"),
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
