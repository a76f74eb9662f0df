"""The phone line: edges, consultants' lines, calls folded from engine events, commands to edges."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from knowledge.choices import Language

from .choices import (
    BreakReason,
    CallOutcome,
    CallState,
    CommandStatus,
    CommandType,
    ConsultantState,
    EndedBy,
    EventType,
)


class TelephonyEdge(models.Model):
    """A telephony engine known to the platform: our PJSIP edge or a PBX. Requests are signed with its secret."""

    name = models.SlugField(_("name"), max_length=60, unique=True)
    secret = models.CharField(_("shared secret"), max_length=200)
    control_url_prefix = models.CharField(
        _("control address prefix"),
        max_length=300,
        help_text=_("Commands are sent only to addresses that start with this prefix."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("telephony edge")
        verbose_name_plural = _("telephony edges")

    def __str__(self) -> str:
        return self.name


class ConsultantLineQuerySet(models.QuerySet["ConsultantLine"]):
    def speaking(self, language: str) -> "ConsultantLineQuerySet":
        if language == Language.RUSSIAN:
            return self.filter(speaks_russian=True)
        return self.filter(speaks_kazakh=True)

    def longest_idle_first(self) -> "ConsultantLineQuerySet":
        return self.order_by(models.F("idle_since").asc(nulls_first=True), "pk")


class ConsultantLine(models.Model):
    """A consultant's place on the phone line: their extension, SIP address, languages and state."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="phone_line",
        limit_choices_to={"role": Role.CONSULTANT},
    )
    extension = models.CharField(_("extension"), max_length=20, unique=True)
    sip_uri = models.CharField(_("SIP address"), max_length=300)
    speaks_kazakh = models.BooleanField(_("takes calls in Kazakh"), default=True)
    speaks_russian = models.BooleanField(_("takes calls in Russian"), default=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ConsultantState.choices, default=ConsultantState.OFFLINE
    )
    state_since = models.DateTimeField(_("in this state since"), default=timezone.now)
    idle_since = models.DateTimeField(_("free since"), null=True, blank=True)
    break_reason = models.CharField(_("break reason"), max_length=20, choices=BreakReason.choices, blank=True)
    current_call = models.ForeignKey(
        "Call", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("current call")
    )

    objects = ConsultantLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultant's line")
        verbose_name_plural = _("consultants' lines")
        indexes = [models.Index(fields=["state", "idle_since"])]

    def __str__(self) -> str:
        return f"{self.extension} ({self.user})"

    @property
    def languages(self) -> list[str]:
        return [code for code, speaks in (("kk", self.speaks_kazakh), ("ru", self.speaks_russian)) if speaks]


class CallQuerySet(models.QuerySet["Call"]):
    def waiting(self) -> "CallQuerySet":
        """Calls in the queue that no consultant is being offered, oldest wait first."""
        return self.filter(state=CallState.QUEUED, reserved_line__isnull=True, transfer_pending=False).order_by(
            "queued_at", "pk"
        )

    def in_queue(self) -> "CallQuerySet":
        return self.filter(state__in=[CallState.QUEUED, CallState.RINGING], answered_at__isnull=True)

    def visible_to(self, user: Any) -> "CallQuerySet":
        if user.role in (Role.SUPERVISOR, Role.ADMIN):
            return self
        if user.role == Role.CONSULTANT:
            return self.filter(Q(consultant=user) | Q(segments__consultant=user)).distinct()
        return self.none()


class Call(models.Model):
    """One citizen's call. Everything but `reserved_line` is folded from the call's events (services.fold_call)."""

    edge = models.ForeignKey(TelephonyEdge, on_delete=models.PROTECT, related_name="calls")
    call_id = models.CharField(_("engine's call id"), max_length=200)
    caller_phone = models.CharField(_("caller's phone"), max_length=16, blank=True, db_index=True)
    dialled = models.CharField(_("dialled number"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=CallState.choices, default=CallState.IVR)
    outcome = models.CharField(_("outcome"), max_length=14, choices=CallOutcome.choices, blank=True)
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    wait_seconds = models.FloatField(_("wait, seconds"), null=True, blank=True)
    ended_by = models.CharField(_("ended by"), max_length=10, choices=EndedBy.choices, blank=True)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last consultant"),
    )
    transfer_pending = models.BooleanField(_("transfer warning pending"), default=False)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    control_url = models.CharField(_("control address"), max_length=300, blank=True)
    appeal = models.OneToOneField(
        "appeals.Appeal", on_delete=models.PROTECT, null=True, blank=True, related_name="call"
    )
    # Set by the platform when it offers the call to a consultant; cleared when the offer resolves.
    reserved_line = models.ForeignKey(
        ConsultantLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [models.UniqueConstraint(fields=["edge", "call_id"], name="call_once_per_edge")]
        indexes = [models.Index(fields=["state", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.edge}:{self.call_id}"


class CallSegment(models.Model):
    """One consultant's part of a call: rung, answered or not, ended. Folded from events."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="segments")
    position = models.PositiveSmallIntegerField()
    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    alerted_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    missed = models.BooleanField(default=False)
    transferred = models.BooleanField(default=False)

    class Meta:
        ordering = ["call", "position"]
        constraints = [models.UniqueConstraint(fields=["call", "position"], name="segment_position_once")]

    def __str__(self) -> str:
        return f"{self.call} #{self.position}"


class CallEvent(models.Model):
    """An event as the engine (or the platform itself) reported it; idempotent on (edge, event_id)."""

    edge = models.ForeignKey(TelephonyEdge, on_delete=models.PROTECT, related_name="+")
    event_id = models.CharField(max_length=200)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=30, choices=EventType.choices)
    occurred_at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    from_platform = models.BooleanField(default=False)

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["edge", "event_id"], name="event_once_per_edge")]
        indexes = [models.Index(fields=["call", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class TelephonyCommand(models.Model):
    """A command to the edge that holds a call; delivered by a task, idempotent at the edge on its id."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="commands")
    type = models.CharField(max_length=10, choices=CommandType.choices)
    data = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=CommandStatus.choices, default=CommandStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.command_id

    @property
    def command_id(self) -> str:
        return f"c-{self.pk}"
