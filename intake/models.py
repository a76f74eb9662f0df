"""Mail as it arrived: kept raw and durable before anything else happens to it (nothing accepted is lost)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InboundStatus(models.TextChoices):
    STORED = "stored", _("Stored, not yet registered")
    REGISTERED = "registered", _("Registered as an appeal")
    JOINED = "joined", _("Joined an existing appeal")
    FAILED = "failed", _("Could not be registered")


class InboundSource(models.TextChoices):
    SMTP = "smtp", _("SMTP receiver")
    IMAP = "imap", _("IMAP mailbox")
    PIPE = "pipe", _("Handed over by a mail server")


class AckDecision(models.TextChoices):
    SENT = "sent", _("Acknowledgement queued")
    AUTOMATIC = "automatic", _("No acknowledgement: automatic message")
    RATE_LIMITED = "rate_limited", _("No acknowledgement: too many from this sender")
    JOINED = "joined", _("No acknowledgement: a reply to an appeal")


class InboundMessage(models.Model):
    """One message, whichever way it came; its key (the Message-ID, else a digest) makes a redelivery one row."""

    key = models.CharField(_("message key"), max_length=255, unique=True)
    mailbox = models.CharField(_("mailbox"), max_length=254, blank=True)
    source = models.CharField(_("arrived through"), max_length=8, choices=InboundSource.choices)
    raw = models.FileField(_("raw message"), upload_to="intake/raw/%Y/%m/", max_length=300)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=InboundStatus.choices, default=InboundStatus.STORED)
    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("appeal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inbound_messages",
    )
    automatic = models.BooleanField(_("automatic message"), default=False)
    acknowledgement = models.CharField(_("acknowledgement"), max_length=16, choices=AckDecision.choices, blank=True)
    # SHA-256 of the sender's address: the per-sender limit counts without keeping the address twice.
    sender_digest = models.CharField(max_length=64, blank=True, db_index=True)
    error = models.TextField(_("why it could not be registered"), blank=True)
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["sender_digest", "processed_at"]),
        ]

    def __str__(self) -> str:
        return self.key
