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
