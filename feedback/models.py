"""Ratings the citizen gives after a contact (clause 17), tied to the consultant and the contact."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appeals.choices import Channel


class Rating(models.Model):
    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.PROTECT, related_name="ratings")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings_received",
        verbose_name=_("consultant"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    source_ref = models.CharField(_("source reference"), max_length=200, unique=True)
    given_at = models.DateTimeField(_("given"), default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        indexes = [models.Index(fields=["consultant", "given_at"])]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.score}"
