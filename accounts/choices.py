from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CONSULTANT = "consultant", _("Consultant")
    SUPERVISOR = "supervisor", _("Supervisor")
    EDITOR = "editor", _("Knowledge editor")
    ORG_OFFICER = "org_officer", _("Organisation officer")
    REGULATOR = "regulator", _("Regulator")
    ADMIN = "admin", _("Administrator")
    INTEGRATION = "integration", _("Integration (API client)")


# Roles grouped by what they do, so views declare intent rather than lists.
CONTACT_CENTER_STAFF = frozenset({Role.CONSULTANT, Role.SUPERVISOR, Role.ADMIN})
KNOWLEDGE_AUTHORS = frozenset({Role.EDITOR, Role.ORG_OFFICER, Role.ADMIN})
KNOWLEDGE_REVIEWERS = frozenset({Role.EDITOR, Role.ADMIN})
ALL_STAFF = frozenset(Role)
