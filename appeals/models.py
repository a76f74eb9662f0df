"""The registry of every contact (clauses 7, 8): one row per appeal, whatever the channel."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appeals.choices import STATUS_COLOURS, AppealEventKind, AppealStatus, AttachmentRefusal, Channel
from knowledge.choices import Language


class AppealQuerySet(models.QuerySet["Appeal"]):
    def visible_to(self, user: object) -> "AppealQuerySet":
        """Contact-center staff see every appeal; an officer sees their organisation's; others none."""
        from accounts.choices import CONTACT_CENTER_STAFF, Role

        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return self.none()
        role = getattr(user, "role", None)
        if role in CONTACT_CENTER_STAFF:
            return self
        if role == Role.ORG_OFFICER and getattr(user, "organisation_id", None):
            org_id = user.organisation_id  # type: ignore[attr-defined]
            return self.filter(models.Q(organisation_id=org_id) | models.Q(referral_organisation_id=org_id))
        return self.none()


class AppealNumberSequence(models.Model):
    """Per-year counter behind registration numbers; locked while a number is taken."""

    year = models.PositiveIntegerField(unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


class Appeal(models.Model):
    number = models.CharField(_("registration number"), max_length=40, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    channel_ref = models.CharField(
        _("channel's own identifier"),
        max_length=255,
        blank=True,
        help_text=_("Message-ID, call id, form token or API idempotency key: registration is idempotent on it."),
    )
    citizen_name = models.CharField(_("citizen's name"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    iin = models.CharField(_("IIN"), max_length=12, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.KAZAKH)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text of the appeal"), blank=True)
    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("public service"),
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("organisation concerned"),
    )
    territory = models.ForeignKey(
        "directory.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territory"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.REGISTERED, db_index=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_appeals",
        verbose_name=_("consultant"),
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    articles = models.ManyToManyField(
        "knowledge.Article",
        through="AppealArticle",
        blank=True,
        related_name="appeals",
        verbose_name=_("articles used"),
    )
    referral_organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referred_appeals",
        verbose_name=_("referred to"),
    )
    referral_contacts = models.TextField(_("contacts given to the citizen"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "channel_ref"],
                condition=~models.Q(channel_ref=""),
                name="one_appeal_per_channel_ref",
            )
        ]
        indexes = [models.Index(fields=["status", "received_at"])]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return self.number

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "grey")


class AppealArticle(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE)
    article = models.ForeignKey("knowledge.Article", on_delete=models.PROTECT)
    attached_at = models.DateTimeField(default=timezone.now)
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appeal", "article"], name="article_once_per_appeal")]

    def __str__(self) -> str:
        return f"{self.appeal_id} ← {self.article_id}"


class AppealEvent(models.Model):
    """The appeal's history as its users read it (the audit log keeps the tamper-evident trail)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=AppealEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.kind}"


class AppealAttachment(models.Model):
    """A file the citizen sent with the appeal or a later message; a refused one is kept without its content,
    so the citizen can be told and staff can see what did not come through."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type (read from the content)"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64, blank=True)
    file = models.FileField(_("file"), upload_to="appeals/attachments/%Y/%m/", blank=True, max_length=300)
    refusal = models.CharField(_("why not accepted"), max_length=20, choices=AttachmentRefusal.choices, blank=True)
    inline = models.BooleanField(_("inline image"), default=False)
    source_ref = models.CharField(_("message it came with"), max_length=255, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename

    @property
    def accepted(self) -> bool:
        return not self.refusal
