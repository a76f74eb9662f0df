"""Search keys for the directory: lower-case, Kazakh letters folded, so "мвд" finds "МВД РК" and
"кызмет" finds "қызмет" on SQLite and PostgreSQL alike (SQLite's LIKE folds only ASCII case)."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from directory.models import Organisation, Service

_KAZAKH_FOLD = str.maketrans(
    {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и", "ё": "е"}
)
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def fold(text: str) -> str:
    """Lower-case, NFC, Kazakh special letters to their base letters, spaces collapsed."""
    text = unicodedata.normalize("NFC", text or "").lower().translate(_KAZAKH_FOLD)
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


def organisation_search_key(organisation: Organisation) -> str:
    parts = (
        organisation.name_kk,
        organisation.name_ru,
        organisation.short_name_kk,
        organisation.short_name_ru,
        organisation.code,
    )
    return fold(" | ".join(part for part in parts if part))[:1200]


def service_search_key(service: Service) -> str:
    return fold(" | ".join(part for part in (service.name_kk, service.name_ru, service.slug) if part))[:1100]
