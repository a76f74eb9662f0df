from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    WRITE = "write", _("Change")
    READ = "read", _("Read of personal data")
    AUTH = "auth", _("Sign-in and sign-out")
    DENIED = "denied", _("Refused access")
