"""Shaping reference rows into model values (pure functions; `directory.services` stores them)."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from directory.choices import DataOrigin, OrganisationKind, TerritoryLevel
from directory.inference import (
    AKIMAT_NAMES_RU,
    CATEGORY_CODES,
    CENTRAL_BODIES,
    akimat_name_kk,
    central_body_key,
    infer_responsible_body,
)
from directory.models import Organisation, ServiceCategory, Territory

LEVEL_ORDER: dict[str, int] = {
    TerritoryLevel.OBLAST: 0,
    TerritoryLevel.DISTRICT: 1,
    TerritoryLevel.SUB_DISTRICT: 2,
    TerritoryLevel.SETTLEMENT: 3,
}
# KATO code AB CD EF GHI: oblast AB0000000, district ABCD00000, sub-district ABCDEF000.
KATO_PREFIXES = (6, 4, 2)
LEVEL_PREFIX: dict[str, int] = {
    TerritoryLevel.OBLAST: 2,
    TerritoryLevel.DISTRICT: 4,
    TerritoryLevel.SUB_DISTRICT: 6,
    TerritoryLevel.SETTLEMENT: 9,
}
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
# Latin letters that look like Cyrillic ones, found inside Cyrillic names at the source ("ҚР CӘ").
_HOMOGLYPHS = str.maketrans("ABCEHKMOPTXaceopxy", "АВСЕНКМОРТХасеорху")


def territory_values(row: dict[str, str]) -> dict[str, str]:
    kato = row["kato"].strip()
    if not (len(kato) == 9 and kato.isdigit()) or row["level"] not in LEVEL_ORDER:
        raise ValueError(f"Not a KATO row: {row!r}")
    return {
        "kato": kato,
        "level": row["level"],
        "type_code": (row.get("type_code") or "").strip(),
        "name_kk": row["name_kk"].strip(),
        "name_ru": row["name_ru"].strip(),
    }


def kato_parent(kato: str, known: set[str]) -> str | None:
    """The nearest ancestor present in `known`.

    Mostly the code structure gives it directly, but not always: city districts of Astana (7111 10000)
    have no 7111 00000 and hang from the city itself; 78 settlements have no sub-district
    (their ABCDEF000 is the district code, or absent) and hang from their district.
    """
    for length in KATO_PREFIXES:
        candidate = kato[:length] + "0" * (9 - length)
        if candidate != kato and candidate in known:
            return candidate
    return None


def kato_prefix(territory: Territory) -> str:
    """Codes of a territory and of everything under it start with this prefix."""
    return territory.kato[: LEVEL_PREFIX.get(territory.level, 9)]


def fix_homoglyphs(value: str) -> tuple[str, bool]:
    """Replace look-alike Latin letters in a Cyrillic name; return (name, whether anything changed)."""
    if not _CYRILLIC.search(value) or not _LATIN.search(value):
        return value, False
    fixed = value.translate(_HOMOGLYPHS)
    return fixed, fixed != value


def pick_kazakh_short_name(row: dict[str, Any]) -> tuple[str, bool]:
    """The Kazakh short name; in several source rows nameKk and nameEn are swapped.

    Returns (name, swapped). A Kazakh short name is Cyrillic and is not the Russian one; prefer nameKk.
    """
    name_kk, name_en, name_ru = (str(row.get(key) or "").strip() for key in ("nameKk", "nameEn", "nameRu"))
    if _CYRILLIC.search(name_kk):
        return name_kk, False
    if _CYRILLIC.search(name_en) and name_en != name_ru:
        return name_en, True
    return name_kk, False


def central_body_values(row: dict[str, Any]) -> dict[str, Any]:
    short_ru = str(row["nameRu"]).strip()
    short_kk, swapped = pick_kazakh_short_name(row)
    short_kk, homoglyphs = fix_homoglyphs(short_kk)
    known = CENTRAL_BODIES.get(central_body_key(short_ru))
    code = known[0] if known else _fallback_code(row)
    return {
        "code": code,
        "kind": OrganisationKind.CENTRAL_BODY,
        "territory": None,
        "short_name_ru": short_ru,
        "short_name_kk": short_kk,
        "name_kk": known[1] if known else short_kk,
        "name_ru": known[2] if known else short_ru,
        "names_origin": DataOrigin.INFERRED if known else DataOrigin.SOURCE,
        "external_id": str(row["govAgency"]).strip(),
        "_swapped": swapped,
        "_homoglyphs": homoglyphs,
    }


def _fallback_code(row: dict[str, Any]) -> str:
    return "body-" + re.sub(r"[^a-z0-9]+", "-", str(row["govAgency"]).lower()).strip("-")[:40]


# --- Regional akimats ---------------------------------------------------------------------------------
_KK_SUFFIX = re.compile(r"\s+(облысы|обл\.?|қ\.|қаласы)$")


def _oblast_key(name_kk: str) -> tuple[str, bool]:
    """('абай', False) for 'Абай облысы' / 'Абай обл.'; ('алматы', True) for 'Алматы қ.'."""
    name = name_kk.strip()
    is_city = bool(re.search(r"\s(қ\.|қаласы)$", name))
    return _KK_SUFFIX.sub("", name).strip().lower(), is_city


def _initials(name_kk: str) -> str:
    """'Шығыс Қазақстан облысы' -> 'ШҚО' (how the source abbreviates three oblasts)."""
    return "".join(word[0] for word in name_kk.split()).upper()


def match_oblast(row: dict[str, Any], oblasts: Iterable[Territory]) -> Territory | None:
    short_kk = str(row.get("nameKk") or "").strip()
    key = _oblast_key(short_kk)
    for territory in oblasts:
        if _oblast_key(territory.name_kk) == key or _initials(territory.name_kk) == short_kk.upper():
            return territory
    return None


def regional_akimat_values(row: dict[str, Any], territory: Territory | None) -> dict[str, Any]:
    short_ru, short_kk = str(row["nameRu"]).strip(), str(row["nameKk"]).strip()
    akimat_territory = territory if territory is not None and territory.kato in AKIMAT_NAMES_RU else None
    inferred = akimat_territory is not None
    return {
        "code": f"akimat-{territory.kato}" if territory else "akimat-" + _fallback_code(row)[5:],
        "kind": OrganisationKind.REGIONAL_AKIMAT,
        "territory": territory,
        "short_name_ru": short_ru,
        "short_name_kk": short_kk,
        "name_kk": akimat_name_kk(akimat_territory.name_kk) if akimat_territory is not None else short_kk,
        "name_ru": AKIMAT_NAMES_RU[akimat_territory.kato] if akimat_territory is not None else short_ru,
        "names_origin": DataOrigin.INFERRED if inferred else DataOrigin.SOURCE,
        "external_id": str(row["govAgency"]).strip(),
    }


# --- Services -----------------------------------------------------------------------------------------
def bilingual_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        row
        for row in rows
        if row.get("has_ru")
        and row.get("has_kk")
        and row.get("name_ru")
        and row.get("name_kk")
        and row.get("category_ru")
        and row.get("slug")
    ]


def category_values(rows: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    """One category per Russian name; its Kazakh name is the one most rows give (outvotes typos)."""
    kazakh_names: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        kazakh = (row.get("categories_kk") or [""])[0].strip()
        kazakh_names[row["category_ru"].strip()][kazakh] += 1
    values = []
    for name_ru, counter in kazakh_names.items():
        code = CATEGORY_CODES.get(name_ru) or "category-" + hashlib.sha256(name_ru.encode()).hexdigest()[:10]
        values.append({"code": code, "name_ru": name_ru, "name_kk": counter.most_common(1)[0][0] or name_ru})
    return values


def service_values(row: dict[str, Any], category: ServiceCategory) -> dict[str, Any]:
    keywords = row.get("keywords_kk") or []
    return {
        "name_kk": row["name_kk"].strip(),
        "name_ru": row["name_ru"].strip(),
        "category": category,
        "url_kk": (row.get("url_kk") or "")[:200],
        "url_ru": (row.get("url_ru") or "")[:200],
        "source_result_ru": row.get("result_ru") or "",
        "source_description_kk": row.get("description_kk") or "",
        "source_instructions_kk": row.get("instructions_kk") or "",
        "source_keywords_kk": [str(word) for word in keywords] if isinstance(keywords, list) else [],
        "is_active": True,
    }


def central_bodies_by_short_name(organisations: Iterable[Organisation]) -> dict[str, Organisation]:
    return {central_body_key(organisation.short_name_ru): organisation for organisation in organisations}


def responsible_values(row: dict[str, Any], bodies: dict[str, Organisation]) -> dict[str, Any]:
    guess = infer_responsible_body(
        slug_suffix=row.get("slug_suffix"),
        name_ru=row["name_ru"],
        category_ru=row["category_ru"],
        slug=row["slug"],
    )
    organisation = bodies.get(guess.short_name) if guess else None
    return {
        "responsible_organisation": organisation,
        "responsible_origin": DataOrigin.INFERRED,
        "responsible_basis": guess.basis if organisation and guess else "",
    }
