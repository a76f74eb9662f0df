from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.choices import ALL_STAFF, Role
from accounts.forms import LockoutAuthenticationForm
from accounts.permissions import PUBLIC, role_required
from accounts.services import register_login_success, register_logout

HOME_BY_ROLE: dict[str, str] = {
    Role.CONSULTANT: "workspace:desk",
    Role.SUPERVISOR: "workspace:appeal_list",
    Role.ADMIN: "workspace:appeal_list",
    Role.ORG_OFFICER: "workspace:appeal_list",
    Role.EDITOR: "knowledge:article_list",
    Role.REGULATOR: "recordings:request_list",
    Role.INTEGRATION: "swagger-ui",
}


class LoginView(auth_views.LoginView):
    """Public: anyone may try to sign in."""

    allowed_roles = frozenset({PUBLIC})
    template_name = "accounts/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        register_login_success(user=form.get_user())
        return response


class LogoutView(auth_views.LogoutView):
    """Any signed-in user; anyone else is simply sent on."""

    allowed_roles = frozenset({PUBLIC})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            register_logout(user=request.user)
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have signed out."))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Any signed-in user, for their own password."""

    template_name = "accounts/password_change.html"

    def get_success_url(self) -> str:
        messages.success(self.request, _("Your password has been changed."))
        return reverse("accounts:home")


@role_required(*ALL_STAFF)
def home(request: HttpRequest) -> HttpResponse:
    """Any signed-in user: sends each role to its own start page."""
    role = getattr(request.user, "role", "")
    return redirect(HOME_BY_ROLE.get(role, "portal:home"))
