"""Policy settings: the numbers the regulation sets, read from settings.POLICY.

Operators change them by environment variable (see `.env.example`) without a code change.
"""

from typing import Any

from django.conf import settings


def policy(name: str) -> Any:
    try:
        return settings.POLICY[name]
    except KeyError as exc:
        raise KeyError(f"Unknown policy setting {name!r}; add it to settings.POLICY") from exc
