"""Wrong keyboard layout: Latin typed while the citizen meant Cyrillic (`gfcgjhn` → `паспорт`).

A Latin chunk is read through the Russian (ЙЦУКЕН) and Kazakh layouts and scored by letter-bigram
plausibility (tables.json, built from the official texts); the repair is taken only when the
keyboard reading is clearly more plausible than reading the chunk as Latin Kazakh or transliterated
Russian.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from knowledge.analysis.normalize import KEYBOARD_FOLD

_TABLES = json.loads(Path(__file__).with_name("tables.json").read_text(encoding="utf-8"))
_BIGRAMS: dict[str, float] = _TABLES["bigrams"]
LATIN_WORDS: frozenset[str] = frozenset(_TABLES["latin_words"])
_UNKNOWN = -12.0

_QWERTY = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`{}:\"<>~"
_JCUKEN = "йцукенгшщзхъфывапролджэячсмитьбюёхъжэбюё"
RUSSIAN_LAYOUT = dict(zip(_QWERTY, _JCUKEN, strict=True))
# The Kazakh layout puts its letters on the digit row.
KAZAKH_DIGITS = {"2": "ә", "3": "і", "4": "ң", "5": "ғ", "8": "ү", "9": "ұ", "0": "қ", "-": "ө", "=": "һ"}
LAYOUT_CHARACTERS = frozenset(RUSSIAN_LAYOUT) | frozenset(KAZAKH_DIGITS)
# Margin (mean log-probability per bigram) by which the keyboard reading must win.
MARGIN = 1.0
PLAUSIBLE = -3.6
# Margin by which reading a chunk without its edge punctuation must be more plausible than reading all its keys.
EDGE_MARGIN = 0.5


@lru_cache(maxsize=50_000)
def plausibility(cyrillic: str) -> float:
    """Mean log-probability per letter bigram of a Cyrillic word (higher is more word-like)."""
    folded = cyrillic.translate(KEYBOARD_FOLD)
    padded = f"^{folded}$"
    pairs = [padded[i : i + 2] for i in range(len(padded) - 1)]
    return sum(_BIGRAMS.get(pair, _UNKNOWN) for pair in pairs) / len(pairs)


def through_layout(chunk: str, *, hyphen: bool = False) -> str | None:
    """The Cyrillic the keys of `chunk` give on a Russian/Kazakh layout, or None when a key has no letter. With
    `hyphen`, "-" stays a hyphen (the Russian layout's) instead of the Kazakh layout's ө."""
    has_letters = any("a" <= char <= "z" for char in chunk)
    out = []
    for char in chunk:
        if char in RUSSIAN_LAYOUT:
            out.append(RUSSIAN_LAYOUT[char])
        elif hyphen and char == "-":
            out.append(char)
        elif has_letters and char in KAZAKH_DIGITS:
            out.append(KAZAKH_DIGITS[char])
        else:
            return None
    return "".join(out)


@lru_cache(maxsize=20_000)
def repair_layout(chunk: str, alternative_score: float) -> str | None:
    """The keyboard reading of a Latin chunk when it is plausible and beats the alternative reading."""
    best = _keyboard_reading(chunk)
    if best and best[0] >= PLAUSIBLE and best[0] >= alternative_score + MARGIN:
        return best[1]
    return None


def _keyboard_reading(chunk: str) -> tuple[float, str] | None:
    """The chunk through the keyboard, or without its edge punctuation when that reads clearly better: the keys
    of б, ю, ж, э, х are punctuation in the Latin layout (`,hfrf` is "брака", `gtycb.` "пенсию"), so the
    whole chunk is preferred unless the edge reading is implausible (`gfcgjhn.` is "паспорт", not "паспортю")."""
    readings = []
    chunk = chunk.rstrip(",")  # a comma after a word; a Russian word seldom ends in б
    for candidate, handicap in ((chunk, 0.0), (chunk.strip(",.'\"`<>;:[]{}~"), EDGE_MARGIN)):
        cyrillic = through_layout(candidate) if candidate else None
        if cyrillic and len(cyrillic) >= 2:
            readings.append((plausibility(cyrillic) - handicap, cyrillic))
    if not readings:
        return None
    _score, cyrillic = max(readings)
    return plausibility(cyrillic), cyrillic


# Keys read as punctuation rather than letters cost this much: a full stop or comma after a word is common, a
# bracket or semicolon before one is not (`[jnbv` is "хотим", not "отим").
TRAILING_EDGE_MARGIN = EDGE_MARGIN
LEADING_EDGE_MARGIN = 1.5
_EDGE_KEYS = ",.'\"`<>;:[]{}~"


def keyboard_readings(chunk: str) -> list[tuple[str, float]]:
    """Every Cyrillic reading of a Latin chunk through the keyboard, with what it costs against the reading of all
    its keys: all its keys (a trailing comma aside), without its trailing and then also its leading punctuation,
    each also with "-" kept as a hyphen (`bp-pf` is "из-за")."""
    chunk = chunk.rstrip(",")
    trailing = chunk.rstrip(_EDGE_KEYS)
    candidates = [(chunk, 0.0), (trailing, TRAILING_EDGE_MARGIN)]
    candidates.append((trailing.lstrip(_EDGE_KEYS), TRAILING_EDGE_MARGIN * (trailing != chunk) + LEADING_EDGE_MARGIN))
    found: dict[str, float] = {}
    for candidate, handicap in candidates:
        for hyphen in (False, True):
            cyrillic = through_layout(candidate, hyphen=hyphen) if candidate else None
            if cyrillic and len(cyrillic.replace("-", "")) >= 2 and cyrillic not in found:
                found[cyrillic] = handicap
    return list(found.items())
