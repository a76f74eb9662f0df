from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.services import register_login_failure


class LockoutAuthenticationForm(AuthenticationForm):
    """Refuses a locked account before checking the password, and counts failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("This account is locked after too many failed attempts. Try again later or ask an administrator."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        user = get_user_model().objects.filter(username=username).first()
        if user is not None and user.is_locked:
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            if username:
                register_login_failure(username=username)
            raise
