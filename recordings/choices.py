from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordingCategory(models.TextChoices):
    """What a recording holds; each category has its own retention period (a policy setting)."""

    CONVERSATION = "conversation", _("Conversation with a consultant")
    MENU_ONLY = "menu_only", _("Call that ended in the voice menu")


# The policy setting holding each category's retention period in days (0: kept for good).
RETENTION_POLICY = {
    RecordingCategory.CONVERSATION: "RECORDING_RETENTION_DAYS",
    RecordingCategory.MENU_ONLY: "RECORDING_MENU_ONLY_RETENTION_DAYS",
}


class AlertKind(models.TextChoices):
    FILE_MISSING = "file_missing", _("File missing from storage")
    CHECKSUM_MISMATCH = "checksum_mismatch", _("File does not match its SHA-256")


class RequestStatus(models.TextChoices):
    """A regulator's request for recordings (clause 18), from registration to the package handed over."""

    REGISTERED = "registered", _("Registered, awaiting a supervisor's confirmation")
    CONFIRMED = "confirmed", _("Confirmed, package being prepared")
    READY = "ready", _("Package ready for the regulator")
    DELIVERED = "delivered", _("Package downloaded by the regulator")
    FAILED = "failed", _("Package could not be prepared")


# Requests still running against the clock (their package is not yet in the regulator's hands).
OPEN_REQUEST_STATUSES = frozenset({RequestStatus.REGISTERED, RequestStatus.CONFIRMED, RequestStatus.FAILED})

REQUEST_STATUS_COLOURS: dict[str, str] = {
    RequestStatus.REGISTERED: "blue",
    RequestStatus.CONFIRMED: "orange",
    RequestStatus.READY: "green",
    RequestStatus.DELIVERED: "grey",
    RequestStatus.FAILED: "red",
}


class WithheldReason(models.TextChoices):
    """Why a matched recording is not in the package as good."""

    CHECKSUM_MISMATCH = "checksum_mismatch", _("The file no longer matches its SHA-256")
    FILE_MISSING = "file_missing", _("The file is missing from storage")
    DELETED_BY_RETENTION = "deleted", _("The file was deleted under the retention policy")
