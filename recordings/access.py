"""Pages on recordings are hidden from everyone not entitled: a refusal looks like a missing page, and is audited."""

import hashlib
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404, HttpRequest, HttpResponseBase

from accounts.choices import Role
from accounts.permissions import user_has_any_role
from audit.services import record_access_denied

View = Callable[..., HttpResponseBase]

# Who listens to recordings in the browser.
LISTENERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
# Who works requests of authorized bodies: the center's supervisors and administrators, and the regulators.
REQUEST_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.REGULATOR})
REQUEST_WORKERS = LISTENERS


def hidden_unless(
    roles: Iterable[str],
    *,
    target: Callable[[dict[str, Any]], models.Model | None] = lambda kwargs: None,
    sign_in_first: bool = True,
) -> Callable[[View], View]:
    """Allow `roles` only; anyone else gets a 404 (or, anonymous on a page, the sign-in form), audited.

    `sign_in_first=False` is for the bytes themselves (audio, packages): an anonymous request gets the same 404,
    so a link that leaked says nothing about what is behind it.
    """
    allowed = frozenset(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not user_has_any_role(request.user, allowed):
                record_access_denied(
                    action="recordings.access_denied",
                    actor=request.user,
                    target=target(kwargs),
                    details={
                        "path": audited_path(request),
                        **{k: str(v)[:12] for k, v in kwargs.items() if k != "token"},
                    },
                )
                if sign_in_first and not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise Http404
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapper

    return decorator


def refuse(request: HttpRequest, *, target: models.Model | None, reason: str) -> Http404:
    """An entitled role asking for something outside its reach (another body's request): audited, then a 404."""
    record_access_denied(
        action="recordings.access_denied",
        actor=request.user,
        target=target,
        details={"path": audited_path(request), "reason": reason},
    )
    return Http404()


def audited_path(request: HttpRequest) -> str:
    """The path for the audit log, with a download link's token (a secret: only its SHA-256 is kept) replaced by
    the start of that SHA-256, which names the link without handing it on."""
    match = request.resolver_match
    token = str(match.kwargs.get("token") or "") if match else ""
    if not token:
        return request.path
    return request.path.replace(token, f"sha256:{hashlib.sha256(token.encode()).hexdigest()[:16]}")
