"""Complaints as registered: what the citizen signed, the signature and its evidence, where it went and its clock."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.choices import (
    OPEN_STATUSES,
    STATUS_COLOURS,
    ComplaintEventKind,
    ComplaintKind,
    ComplaintStatus,
    RoutingBasis,
    RoutingTarget,
    SignatureStatus,
)
from core.policy import policy
from directory.choices import OrganisationKind
from knowledge.choices import Language


class ComplaintQuerySet(models.QuerySet["Complaint"]):
    def visible_to(self, user: Any) -> ComplaintQuerySet:
        """Officers (and their body's integration account) see what was routed to their organisation; supervisors,
        administrators and consultants see all (consultants read only); regulators and the rest see none."""
        from accounts.choices import Role

        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return self.none()
        role = getattr(user, "role", None)
        if role in (Role.SUPERVISOR, Role.ADMIN, Role.CONSULTANT):
            return self
        if role in (Role.ORG_OFFICER, Role.INTEGRATION) and getattr(user, "organisation_id", None):
            return self.filter(routed_to_id=user.organisation_id)
        return self.none()

    def open(self) -> ComplaintQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class ComplaintNumberSequence(models.Model):
    """Per-year counter behind complaint numbers; locked while a number is taken."""

    year = models.PositiveIntegerField(unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"


class RoutingRule(models.Model):
    """Clause 16, as administrators set it: complaints matching every condition given go to the target; the rule
    with the lowest priority number that matches and whose target can be found wins."""

    name = models.CharField(_("name"), max_length=200)
    priority = models.PositiveIntegerField(_("priority"), default=100, help_text=_("Lower numbers are tried first."))
    is_active = models.BooleanField(_("active"), default=True)
    complaint_kind = models.CharField(
        _("type of complaint"), max_length=20, choices=ComplaintKind.choices, blank=True, help_text=_("Any if empty.")
    )
    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("public service"),
        help_text=_("Any if empty."),
    )
    organisation_kind = models.CharField(
        _("kind of the organisation concerned"),
        max_length=30,
        choices=OrganisationKind.choices,
        blank=True,
        help_text=_("Any if empty."),
    )
    kato_prefix = models.CharField(
        _("territory (KATO code prefix)"), max_length=9, blank=True, help_text=_("Any if empty.")
    )
    target = models.CharField(_("send to"), max_length=20, choices=RoutingTarget.choices)
    target_organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("Only when sending to a named organisation."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name = _("complaint routing rule")
        verbose_name_plural = _("complaint routing rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.target == RoutingTarget.ORGANISATION and self.target_organisation_id is None:
            raise ValidationError({"target_organisation": _("Choose the organisation to send to.")})
        if self.target != RoutingTarget.ORGANISATION and self.target_organisation_id is not None:
            raise ValidationError({"target_organisation": _("Only a rule that sends to a named organisation has one.")})
        if self.kato_prefix and not self.kato_prefix.isdigit():
            raise ValidationError({"kato_prefix": _("A KATO code has digits only.")})


def _evidence_path(instance: Complaint, filename: str) -> str:
    return f"complaints/{timezone.now():%Y/%m}/{filename}"


class Complaint(models.Model):
    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=ComplaintKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.KAZAKH)
    status = models.CharField(_("status"), max_length=24, choices=ComplaintStatus.choices, db_index=True)
    # What the citizen stated (read back from the signed document).
    citizen_iin = models.CharField(_("IIN"), max_length=12, db_index=True)
    citizen_name = models.CharField(_("citizen's name"), max_length=300)
    phone = models.CharField(_("phone"), max_length=16, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    organisation = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_about",
        verbose_name=_("body or center complained about"),
    )
    territory = models.ForeignKey(
        "directory.Territory", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stated_service = models.CharField(_("service as stated"), max_length=100, blank=True)
    stated_organisation = models.CharField(_("organisation as stated"), max_length=50, blank=True)
    stated_territory = models.CharField(_("territory as stated (KATO)"), max_length=9, blank=True)
    description = models.TextField(_("non-compliance"), blank=True)
    official_surname = models.CharField(_("official's surname"), max_length=100, blank=True)
    official_name = models.CharField(_("official's name"), max_length=100, blank=True)
    official_patronymic = models.CharField(_("official's patronymic"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    demands = models.TextField(_("demands"), blank=True)
    # The signed document and the signature, as received, with the verification's evidence.
    document = models.FileField(_("signed document"), upload_to=_evidence_path, max_length=300)
    document_sha256 = models.CharField(max_length=64)
    signature = models.FileField(_("signature"), upload_to=_evidence_path, max_length=300)
    signature_sha256 = models.CharField(max_length=64, unique=True)
    signature_format = models.CharField(_("signature format"), max_length=10)
    signature_algorithm = models.CharField(max_length=120, blank=True)
    signature_status = models.CharField(_("signature"), max_length=10, choices=SignatureStatus.choices)
    signature_reason = models.CharField(_("verification result"), max_length=40)
    signer_iin = models.CharField(max_length=12, blank=True)
    signer_name = models.CharField(max_length=300, blank=True)
    certificate_serial = models.CharField(max_length=80, blank=True)
    signing_time = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    chain = models.FileField(_("certificate chain (PEM)"), upload_to=_evidence_path, max_length=300, blank=True)
    crls = models.JSONField(_("CRLs relied on"), default=list, blank=True)
    # Where it went and its clock.
    routed_to = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("competent body"),
    )
    routing_rule = models.ForeignKey(RoutingRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    routing_basis = models.CharField(max_length=20, choices=RoutingBasis.choices, blank=True)
    filed_at = models.DateTimeField(_("filed"), default=timezone.now, db_index=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    answer_sent_at = models.DateTimeField(null=True, blank=True)
    appeal = models.OneToOneField(
        "appeals.Appeal", on_delete=models.PROTECT, null=True, blank=True, related_name="complaint"
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.number

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "grey")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def met_deadline(self) -> bool | None:
        """Whether the answer came in time; None while it is still awaited."""
        if self.answered_at is None or self.due_at is None:
            return None
        return self.answered_at <= self.due_at

    @property
    def clock_colour(self) -> str:
        """The review clock at a glance: green answered in time, red late or overdue, orange within a reminder."""
        if self.due_at is None:
            return "grey"
        if self.met_deadline is not None:
            return "green" if self.met_deadline else "red"
        left_hours = (self.due_at - timezone.now()).total_seconds() / 3600
        reminders = [int(h) for h in policy("COMPLAINT_REMINDER_HOURS")]
        if left_hours <= 0:
            return "red"
        if reminders and left_hours <= max(reminders):
            return "orange"
        return "blue"

    @property
    def official_full_name(self) -> str:
        return " ".join(p for p in (self.official_surname, self.official_name, self.official_patronymic) if p)


class ComplaintEvent(models.Model):
    """The complaint's history as staff and the citizen read it (the audit log keeps the tamper-evident trail)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=ComplaintEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.kind}"
