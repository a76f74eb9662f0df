"""A fixed-window attempt counter in the cache (shared by every web node when the cache is Redis).

Used for appeal tracking: number + contact pairs must not be guessable by trying many of them.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

from core.middleware import client_ip
from core.policy import policy

WINDOW_SECONDS = 10 * 60


def _keys(request: HttpRequest, scope: str) -> list[str]:
    """One counter for the browser session, one for the IP address (hashed: no raw IP in cache keys)."""
    if not request.session.session_key:
        request.session.save()
    ip_digest = hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]
    return [f"portal:{scope}:session:{request.session.session_key}", f"portal:{scope}:ip:{ip_digest}"]


def _count(key: str) -> int:
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # the entry expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def tracking_attempt_allowed(request: HttpRequest) -> bool:
    """Count one tracking attempt; False once the session or the IP made more than the policy allows."""
    limit = policy("TRACKING_ATTEMPTS_PER_10_MIN")
    counts = [_count(key) for key in _keys(request, "track")]
    return max(counts) <= limit
