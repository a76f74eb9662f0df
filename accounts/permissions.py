"""Every page and API endpoint declares who may use it.

Pages: `@role_required(...)` or `RoleRequiredMixin` with `allowed_roles`.
API views: `allowed_roles` (and optionally `public_methods`) read by `DeclaredRolesOnly`;
a view that declares nothing is refused to everyone (fail closed).
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

PUBLIC = "public"


def user_has_any_role(user: Any, roles: Iterable[str]) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in set(roles))


def public_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a page anyone may use (citizen pages, sign-in). Declared, so the access test can tell."""
    view.allowed_roles = frozenset({PUBLIC})  # type: ignore[attr-defined]
    return view


def role_required(*roles: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_any_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapper

    return decorator


class RoleRequiredMixin:
    allowed_roles: Iterable[str] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_has_any_role(request.user, self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class DeclaredRolesOnly(BasePermission):
    """Allows a request only when the view declares the user's role (or PUBLIC) for it."""

    def has_permission(self, request: Request, view: Any) -> bool:
        public_methods = getattr(view, "public_methods", ())
        if request.method in public_methods:
            return True
        allowed = getattr(view, "allowed_roles", None)
        if allowed is None:
            return False
        if PUBLIC in allowed:
            return True
        return user_has_any_role(request.user, allowed)
