"""Kazakh: a search key that survives every way citizens type, then a suffix-stripping stemmer.

Folding comes BEFORE stemming. The key is coarser than the Russian-keyboard folding: besides
қ→к, ә→а, ө→о, ұ/ү→у, і→и, ң→н, ғ→г, һ→х, ё→е it also merges ы, і, и and й (Latin Kazakh
writes them i, ı, y interchangeably), я→иа and ю→иу (the 2021 Latin `ia`, `iu`), э→е, щ→ш and drops
ъ/ь. The stemmer then works on that key, so one suffix list covers every spelling, and a word
in a document and the same word in a query always meet.

The stemmer strips, from the end, at most one ending per slot (person, case, possessive, plural,
verb form), longest first and only after a sound the ending may follow (consonant harmony: `-та`
only after a voiceless consonant, so `карта` keeps its `-та`), then one final vowel (so `анықтама`
and `анықтамасын` meet at `аныктам`), never leaving a stem shorter than three letters (two when it
starts with a vowel: ал-, ат-, ес-); a final г/б turns back into к/п (куәлігі → куәлік).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from knowledge.analysis.normalize import read_word_list

KEY_FOLD = str.maketrans(
    {
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "ы": "и",
        "й": "и",
        "ё": "е",
        "э": "е",
        "щ": "ш",
        "я": "иа",
        "ю": "иу",
        "ъ": "",
        "ь": "",
        "'": "",
        "’": "",
    }
)

_VOWELS = frozenset("аеиоу")

# Preceding sounds a suffix may follow (Kazakh consonant harmony), in the folded key.
_V = "аеиоу"  # vowels (и and у are also the glides й and у)
_SON = "лрмниу"  # sonorants
_VOICED = "зжбвгд"
_VOICELESS = "кпстшфхцч"
_AFTER_VOICED = _V + _SON + _VOICED
_AFTER_VOICELESS = _VOICELESS + "бвгд"
_ANY = None


def _forms(suffixes: str, after: str | None) -> dict[str, str | None]:
    return dict.fromkeys(suffixes.split(), after)


# Slots from the end of the word: person/conditional, case, possessive, plural, verb form.
# Each slot is stripped at most once, longest suffix first, only after a sound it may follow.
_SLOTS: tuple[dict[str, str | None], ...] = (
    {**_forms("мин миз сиз сам сем", _ANY)},
    {
        **_forms("ни нин", _V + "мн"),
        **_forms("ди дин", _AFTER_VOICED),
        **_forms("ти тин", _AFTER_VOICELESS),
        **_forms("га ге да де даги деги дан ден", _AFTER_VOICED),
        **_forms("ка ке та те таги теги тан тен", _AFTER_VOICELESS),
        **_forms("на не нда нде ндаги ндеги н", "и"),
        **_forms("нан нен", "имн"),
        **_forms("мен", _V + _SON),
        **_forms("бен", "зжмн"),
        **_forms("пен", _AFTER_VOICELESS),
        **_forms("дики", _AFTER_VOICED),
        **_forms("тики", _AFTER_VOICELESS),
    },
    {
        **_forms("и им ин имиз иниз", _SON + _VOICED + _VOICELESS),
        **_forms("си миз низ", _V),
    },
    {
        **_forms("лар лер", _V + "р"),
        **_forms("дар дер", "лмнзж" + _VOICED),
        **_forms("тар тер", _AFTER_VOICELESS),
    },
    {
        **_forms("у уши", _ANY),
        **_forms("ип атин етин", _SON + _VOICED + _VOICELESS),
        **_forms("п итин", _V),
        **_forms("ган ген", _AFTER_VOICED),
        **_forms("кан кен", _AFTER_VOICELESS),
    },
)
_MAX_SUFFIX = max(len(suffix) for slot in _SLOTS for suffix in slot)
SUFFIXES: frozenset[str] = frozenset(suffix for slot in _SLOTS for suffix in slot)
_FINAL_VOICING = {"г": "к", "б": "п"}

STOP_WORDS: frozenset[str] = read_word_list(Path(__file__).with_name("stopwords_kk.txt"))


def to_key(word: str) -> str:
    """The folded search key of one lower-case Cyrillic word."""
    return word.translate(KEY_FOLD)


STOP_KEYS: frozenset[str] = frozenset(to_key(word) for word in STOP_WORDS)


def _long_enough(stem: str) -> bool:
    minimum = 2 if stem[:1] in _VOWELS else 3
    return len(stem) >= minimum and any(char in _VOWELS for char in stem)


def _strip_slot(key: str, slot: dict[str, str | None]) -> str:
    for length in range(min(_MAX_SUFFIX, len(key) - 2), 0, -1):
        after = slot.get(key[-length:], "")
        if after == "":
            continue
        stem = key[:-length]
        if (after is None or stem[-1:] in after) and _long_enough(stem):
            return stem
    return key


@lru_cache(maxsize=200_000)
def stem_key(key: str) -> str:
    """Strip person, case, possessive, plural and verb-form endings, then a final vowel."""
    if not key.isalpha():
        return key
    for slot in _SLOTS:
        key = _strip_slot(key, slot)
    if key[-1:] in _VOWELS and _long_enough(key[:-1]):
        key = key[:-1]
    if len(key) > 3 and key[-1] in _FINAL_VOICING:
        key = key[:-1] + _FINAL_VOICING[key[-1]]
    return key


def stem(word: str) -> str:
    """The stem of one lower-case Cyrillic Kazakh word, in the folded key."""
    return stem_key(to_key(word))
