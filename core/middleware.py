"""Request-wide middleware: Kazakh-first language choice and the request context for audit."""

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

if TYPE_CHECKING:
    from django.http.request import _ImmutableQueryDict


@dataclass(frozen=True)
class RequestContext:
    ip: str
    user_agent: str
    path: str


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_current: ContextVar[RequestContext | None] = ContextVar("bailanys_request", default=None)


def current_request_context() -> RequestContext | None:
    return _current.get()


def client_ip(request: HttpRequest) -> str:
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or ""


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(
            RequestContext(
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                path=request.path[:300],
            )
        )
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


class CleanQueryStringMiddleware:
    """Drops NUL and other control characters from query-string values.

    Filters and searches read `request.GET` directly; PostgreSQL refuses NUL in text, and no
    citizen means one. Form and API bodies are validated by their fields (NUL gets a clear error).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any(_CONTROL_CHARACTERS.search(value) for _key, values in request.GET.lists() for value in values):
            cleaned = request.GET.copy()
            for key, values in request.GET.lists():
                cleaned.setlist(key, [_CONTROL_CHARACTERS.sub("", value) for value in values])
            cleaned._mutable = False
            request.GET = cast("_ImmutableQueryDict", cleaned)  # made immutable just above
        return self.get_response(request)


class KazakhFirstLocaleMiddleware:
    """Kazakh unless the visitor chose Russian (cookie) or asked for it (`?lang=ru`).

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is not consulted:
    the state language is the default on every surface (clause 4.1).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.GET.get("lang") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
