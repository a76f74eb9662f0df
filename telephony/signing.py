"""Signed requests between the platform and telephony edges (docs/telephony-api.md).

Pure functions with no Django import, so an edge process can use them without the platform's settings.
"""

import hashlib
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass

EDGE_HEADER = "X-Bailanys-Edge"
TIMESTAMP_HEADER = "X-Bailanys-Timestamp"
SIGNATURE_HEADER = "X-Bailanys-Signature"
SIGNATURE_VERSION = "v1="


def signature(*, secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    """HMAC-SHA256 over timestamp, method, path with query, and the raw body."""
    message = f"{timestamp}\n{method.upper()}\n{path}\n".encode() + body
    return SIGNATURE_VERSION + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    *, edge: str, secret: str, method: str, path: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {
        EDGE_HEADER: edge,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret=secret, timestamp=timestamp, method=method, path=path, body=body),
    }


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    reason: str = ""


def check_signature(
    *,
    headers: Mapping[str, str],
    secret: str,
    method: str,
    path: str,
    body: bytes,
    max_skew_seconds: int,
    now: float | None = None,
) -> SignatureCheck:
    """Whether a request was signed with `secret` within the allowed clock skew."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    given = headers.get(SIGNATURE_HEADER, "")
    fresh = timestamp_check(timestamp, max_skew_seconds=max_skew_seconds, now=now)
    if not fresh.valid or not given:
        return fresh if not fresh.valid else SignatureCheck(False, "missing signature")
    expected = signature(secret=secret, timestamp=timestamp, method=method, path=path, body=body)
    if not hmac.compare_digest(expected, given):
        return SignatureCheck(False, "signature does not match")
    return SignatureCheck(True)


def timestamp_check(timestamp: str, *, max_skew_seconds: int, now: float | None = None) -> SignatureCheck:
    if not timestamp.isdigit():
        return SignatureCheck(False, "missing timestamp")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > max_skew_seconds:
        return SignatureCheck(False, "timestamp outside the allowed clock skew")
    return SignatureCheck(True)
