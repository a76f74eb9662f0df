"""Recorded conversations (clause 21): the file through the storage API, its SHA-256 taken at ingest."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def recording_path(instance: "Recording", filename: str) -> str:
    started = timezone.localtime(instance.started_at)
    return f"recordings/{started:%Y/%m/%d}/{filename}"


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

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        indexes = [models.Index(fields=["caller_phone", "started_at"])]

    def __str__(self) -> str:
        return f"{self.call} {self.started_at:%Y-%m-%d %H:%M}"
