"""API helpers shared by every app's `api/` package."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import translation
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django's ValidationError turned into a 400 with its messages."""
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


class AskedLanguageMixin:
    """API messages in the language the client asks for with Accept-Language (kk or ru); Kazakh otherwise."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        asked = request.headers.get("Accept-Language", "")[:2].lower()
        if asked in {code for code, _name in settings.LANGUAGES}:
            translation.activate(asked)
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
