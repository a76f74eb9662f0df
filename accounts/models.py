from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role


class User(AbstractUser):
    """A member of staff. Citizens do not log in; they track appeals by number and contact."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CONSULTANT)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        help_text=_("Required for organisation officers and regulators: the body they act for."),
    )
    languages = models.CharField(
        _("languages spoken"), max_length=20, default="kk,ru", help_text=_("Comma-separated: kk, ru.")
    )
    failed_login_count = models.PositiveIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="org_officer") | models.Q(organisation__isnull=False),
                name="org_officer_has_organisation",
            )
        ]

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()
