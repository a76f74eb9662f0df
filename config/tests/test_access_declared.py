"""Every page and API endpoint declares who may use it (accounts.permissions)."""

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

# Views of Django and libraries, each with its own access rules (the admin site admits only
# administrators: accounts.services gives is_staff to the administrator role alone).
THIRD_PARTY_MODULES = ("django.contrib.admin", "django.views.i18n", "drf_spectacular", "django.views.static")
THIRD_PARTY_ROUTES = ("admin/",)


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def declared_roles(callback: Any) -> Any:
    for holder in (callback, getattr(callback, "view_class", None), getattr(callback, "cls", None)):
        roles = getattr(holder, "allowed_roles", None)
        if roles:
            return roles
    return None


def test_every_view_declares_its_roles() -> None:
    undeclared = [
        route
        for route, callback in walk(get_resolver().url_patterns)
        if not callback.__module__.startswith(THIRD_PARTY_MODULES)
        and not route.startswith(THIRD_PARTY_ROUTES)
        and declared_roles(callback) is None
    ]
    assert undeclared == []
