"""Who is calling the edge endpoints: an active edge whose HMAC signature matches (docs/telephony-api.md)."""

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from audit.choices import AuditKind
from audit.services import record_event

from .models import TelephonyEdge
from .signing import (
    EDGE_HEADER,
    SIGNATURE_HEADER,
    SIGNATURE_VERSION,
    TIMESTAMP_HEADER,
    check_signature,
    timestamp_check,
)


@dataclass(frozen=True)
class EdgeUser:
    """The principal of a signed edge request; it holds no staff role."""

    edge: TelephonyEdge
    is_authenticated: bool = True
    is_active: bool = True
    role: str = ""
    pk: None = None

    def __str__(self) -> str:
        return f"edge:{self.edge.name}"


def find_edge(name: str) -> TelephonyEdge:
    edge = TelephonyEdge.objects.filter(name=name, is_active=True).first() if name else None
    if edge is None:
        _refuse(name, "unknown edge")
    assert edge is not None
    return edge


def _refuse(name: str, reason: str) -> None:
    record_event(
        action="telephony.request_refused",
        kind=AuditKind.WRITE,
        actor_label=f"edge:{name[:60]}",
        details={"reason": reason},
    )
    raise AuthenticationFailed(_("The request is not signed by a known telephony edge."))


class EdgeSignatureAuthentication(BaseAuthentication):
    """Checks the signature over the whole body (small JSON requests)."""

    def authenticate(self, request: Any) -> tuple[EdgeUser, TelephonyEdge]:
        raw: HttpRequest = request._request
        edge = find_edge(raw.headers.get(EDGE_HEADER, ""))
        check = check_signature(
            headers=raw.headers,
            secret=edge.secret,
            method=raw.method or "",
            path=raw.get_full_path(),
            body=raw.body,
            max_skew_seconds=settings.TELEPHONY_SIGNATURE_MAX_SKEW_SECONDS,
        )
        if not check.valid:
            _refuse(edge.name, check.reason)
        return EdgeUser(edge=edge), edge

    def authenticate_header(self, request: Any) -> str:
        return "Bailanys-HMAC"


class SignedByEdge(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return isinstance(request.auth, TelephonyEdge)


class StreamingSignatureCheck:
    """Signature of a large body (a recording) checked while the body streams to a temporary file."""

    def __init__(self, request: HttpRequest) -> None:
        self.edge = find_edge(request.headers.get(EDGE_HEADER, ""))
        self.headers = request.headers
        timestamp = request.headers.get(TIMESTAMP_HEADER, "")
        prefix = f"{timestamp}\n{(request.method or '').upper()}\n{request.get_full_path()}\n".encode()
        self._mac = hmac.new(self.edge.secret.encode(), prefix, hashlib.sha256)
        self.sha256 = hashlib.sha256()

    def feed(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self._mac.update(chunk)
            self.sha256.update(chunk)
            yield chunk

    def verify(self) -> None:
        fresh = timestamp_check(
            self.headers.get(TIMESTAMP_HEADER, ""), max_skew_seconds=settings.TELEPHONY_SIGNATURE_MAX_SKEW_SECONDS
        )
        if not fresh.valid:
            _refuse(self.edge.name, fresh.reason)
        expected = SIGNATURE_VERSION + self._mac.hexdigest()
        if not hmac.compare_digest(expected, self.headers.get(SIGNATURE_HEADER, "")):
            _refuse(self.edge.name, "signature does not match")


class EdgeSignatureScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document names the edges' HMAC signature."""

    target_class = EdgeSignatureAuthentication
    name = "edgeSignature"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": SIGNATURE_HEADER,
            "description": "HMAC-SHA256 with the edge's secret; see docs/telephony-api.md.",
        }
