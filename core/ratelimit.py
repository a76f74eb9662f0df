"""Fixed-window counters in the cache (shared by every web node when the cache is Redis).

A window starts with a client's first counted action and lasts `window_seconds`; `Usage.retry_after` says when it
ends (the Retry-After of a 429). Keys name the client (a browser session, a hashed IP address, an API account):
the highest count among them decides.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache

PREFIX = "ratelimit"


@dataclass(frozen=True)
class Usage:
    count: int
    retry_after: int


def _start_key(key: str) -> str:
    return f"{PREFIX}:{key}:start"


def _count_key(key: str) -> str:
    return f"{PREFIX}:{key}:count"


def _retry_after(key: str, window_seconds: int, now: float) -> int:
    started = cache.get(_start_key(key))
    if started is None:
        return window_seconds
    return max(1, math.ceil(float(started) + window_seconds - now))


def _hit(key: str, window_seconds: int, now: float) -> int:
    cache.add(_start_key(key), now, timeout=window_seconds)
    cache.add(_count_key(key), 0, timeout=window_seconds)
    try:
        return int(cache.incr(_count_key(key)))
    except ValueError:  # the entry expired between add and incr: a new window
        cache.set(_start_key(key), now, timeout=window_seconds)
        cache.set(_count_key(key), 1, timeout=window_seconds)
        return 1


def _usage(keys: list[str], counts: list[int], window_seconds: int, now: float) -> Usage:
    if not counts or max(counts) == 0:
        return Usage(count=0, retry_after=0)
    busiest = keys[counts.index(max(counts))]
    return Usage(count=max(counts), retry_after=_retry_after(busiest, window_seconds, now))


def count_action(keys: Iterable[str], *, window_seconds: int) -> Usage:
    """Count one action for each key; the usage of the busiest key, this action included."""
    now, names = time.time(), list(keys)
    counts = [_hit(key, window_seconds, now) for key in names]
    return _usage(names, counts, window_seconds, now)


def current_usage(keys: Iterable[str], *, window_seconds: int) -> Usage:
    """How many actions the busiest key counted in its window, without counting one."""
    now, names = time.time(), list(keys)
    found = cache.get_many([_count_key(key) for key in names])
    counts = [int(found.get(_count_key(key), 0)) for key in names]
    return _usage(names, counts, window_seconds, now)
