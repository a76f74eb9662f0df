"""Russian: Snowball stemming (PyStemmer) after folding ё→е and Kazakh letters as keyboards type them.

`root_of(stem)` goes one step further than inflection, for matching related words at a lower weight: the
derivational suffixes of verbs and their nouns and adjectives come off a Snowball stem, so
`зарегистрировать`/`регистрация`, `восстановить`/`восстановление`, `проверить`/`проверка`,
`наркологический`/`нарколог` and `записать`/`запись` meet at one root (`регистр`, `восстанов`, `провер`,
`нарколог`, `запис`). Roots are never shorter than ROOT_MIN_CHARS letters. `prefixless_roots(root)` gives the
root without a verb prefix (`зарегистр` → `регистр`), for the query side only.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import Stemmer

from knowledge.analysis.normalize import KEYBOARD_FOLD, read_word_list

_STEMMER = Stemmer.Stemmer("russian")

STOP_WORDS: frozenset[str] = read_word_list(Path(__file__).with_name("stopwords_ru.txt"))
STOP_KEYS: frozenset[str] = frozenset(word.translate(KEYBOARD_FOLD) for word in STOP_WORDS)

ROOT_MIN_CHARS = 4
_CONSONANTS = "бвгджзклмнпрстфхцчшщ"
# Derivational suffixes, longest first, each with the letters it may follow (None: any): verbs in -ировать/-овать
# and their nouns, nouns in -ение/-ание/-ация/-ка, adjectives in -ический/-ский/-ный/-овый, and the theme vowel of
# verb stems (записа-, выписа-). The conditions keep roots from cascading (восстанов- is not восстан-ов-).
_ROOT_SUFFIXES: tuple[tuple[str, str | None], ...] = (
    ("ировани", None),
    ("ирован", None),
    ("ировк", None),
    ("ирова", None),
    ("овани", None),
    ("ован", None),
    ("овк", None),
    ("ова", None),
    ("ическ", None),
    ("ени", _CONSONANTS),
    ("ани", _CONSONANTS),
    ("ен", _CONSONANTS),
    ("ан", _CONSONANTS),
    ("ац", None),
    ("яц", None),
    ("ск", _CONSONANTS),
    ("ов", "бгдзклпрстфхцчшщ"),
    ("ев", "жлцчшщ"),
    ("н", _CONSONANTS),
    ("к", None),
    ("а", _CONSONANTS),
    ("я", _CONSONANTS),
    ("е", _CONSONANTS),
    ("и", _CONSONANTS),
)
_ROOT_ROUNDS = 3
# An -л- inserted after a labial before -ение (оформ-л-ение, восстанов-л-ение, испра-в-л-ение).
_EPENTHETIC_L = ("бл", "вл", "мл", "пл", "фл")
_VOWELS = frozenset("аеиоуыэюя")
# Verb prefixes taken off a query word's root when what remains is long enough to be a root of its own.
_PREFIXES = ("пере", "пред", "пре", "при", "про", "раз", "рас", "под", "вос", "воз", "за", "по", "от", "вы")
_PREFIXLESS_MIN_CHARS = 5


def to_key(word: str) -> str:
    """The folded form of one lower-case Cyrillic word (ё→е, Kazakh letters → Russian keyboard letters)."""
    return word.translate(KEYBOARD_FOLD).replace("'", "").replace("’", "")


@lru_cache(maxsize=200_000)
def stem_key(key: str) -> str:
    # Snowball reads the -сь of запись, подпись, опись as a reflexive ending (запись → "зап", записи → "запис").
    if key.endswith("пись") and len(key) > 5:
        return key[:-1]
    return _STEMMER.stemWord(key)


def _has_vowel(text: str) -> bool:
    return any(char in _VOWELS for char in text)


@lru_cache(maxsize=200_000)
def root_of(stem: str) -> str:
    """The derivational root of a Snowball stem (the stem itself when nothing may come off)."""
    root = stem
    for _round in range(_ROOT_ROUNDS):
        shorter = _without_suffix(root)
        if shorter.endswith(_EPENTHETIC_L) and len(shorter) > ROOT_MIN_CHARS:
            shorter = shorter[:-1]
        if shorter == root:
            break
        root = shorter
    return root


def _without_suffix(root: str) -> str:
    for suffix, after in _ROOT_SUFFIXES:
        if not root.endswith(suffix):
            continue
        shorter = root[: -len(suffix)]
        if len(shorter) >= ROOT_MIN_CHARS and _has_vowel(shorter) and (after is None or shorter[-1] in after):
            return shorter
    return root


def prefixless_roots(root: str) -> list[str]:
    """The root without each verb prefix it starts with, when at least _PREFIXLESS_MIN_CHARS letters remain."""
    return [
        root[len(prefix) :]
        for prefix in _PREFIXES
        if root.startswith(prefix) and len(root) - len(prefix) >= _PREFIXLESS_MIN_CHARS
    ]
