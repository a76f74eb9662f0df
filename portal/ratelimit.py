"""Limits per citizen's client on the portal: one counter for the browser session, one for the IP address.

Tracking: number + contact pairs must not be guessable by trying many of them. Appeals: one client may send
POLICY APPEALS_PER_CLIENT_PER_HOUR appeals in an hour (only registered appeals count; a double submit is one).
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest

from core.middleware import client_ip
from core.policy import policy
from core.ratelimit import Usage, count_action, current_usage

TRACKING_WINDOW_SECONDS = 10 * 60
APPEALS_WINDOW_SECONDS = 60 * 60


def client_keys(request: HttpRequest, scope: str) -> list[str]:
    """One counter for the browser session, one for the IP address (hashed: no raw IP in cache keys)."""
    if not request.session.session_key:
        request.session.save()
    ip_digest = hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]
    return [f"portal:{scope}:session:{request.session.session_key}", f"portal:{scope}:ip:{ip_digest}"]


def tracking_attempt_allowed(request: HttpRequest) -> bool:
    """Count one tracking attempt; False once the session or the IP made more than the policy allows."""
    usage = count_action(client_keys(request, "track"), window_seconds=TRACKING_WINDOW_SECONDS)
    return usage.count <= policy("TRACKING_ATTEMPTS_PER_10_MIN")


def appeals_used(request: HttpRequest) -> Usage:
    """The appeals this client sent in its current hour (nothing counted)."""
    return current_usage(client_keys(request, "appeal"), window_seconds=APPEALS_WINDOW_SECONDS)


def appeal_allowed(request: HttpRequest) -> bool:
    return appeals_used(request).count < policy("APPEALS_PER_CLIENT_PER_HOUR")


def count_appeal(request: HttpRequest) -> None:
    count_action(client_keys(request, "appeal"), window_seconds=APPEALS_WINDOW_SECONDS)
