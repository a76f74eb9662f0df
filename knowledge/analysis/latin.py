"""Latin-script words turned Cyrillic: Latin Kazakh (2021, 2017/2018 and informal) and transliterated Russian."""

from __future__ import annotations

import re
from functools import lru_cache

# Longest sequences first. Apostrophe (2017) and acute (2018) letters, the 2021 letters, informal digraphs.
_KAZAKH = {
    "a'": "ә",
    "o'": "ө",
    "u'": "ү",
    "y'": "у",
    "i'": "и",
    "g'": "ғ",
    "n'": "ң",
    "s'": "ш",
    "c'": "ч",
    "sh": "ш",
    "ch": "ч",
    "zh": "ж",
    "kh": "х",
    "gh": "ғ",
    "ä": "ә",
    "á": "ә",
    "ö": "ө",
    "ó": "ө",
    "ü": "ү",
    "ú": "ү",
    "ū": "ұ",
    "ý": "у",
    "ğ": "ғ",
    "ǵ": "ғ",
    "ş": "ш",
    "ś": "ш",
    "ç": "ч",
    "ć": "ч",
    "ñ": "ң",
    "ń": "ң",
    "ı": "ы",
    "í": "и",
    "é": "е",
    "a": "а",
    "b": "б",
    "c": "с",
    "d": "д",
    "e": "е",
    "f": "ф",
    "g": "г",
    "h": "х",
    "j": "ж",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "q": "қ",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "v": "в",
    "w": "у",
    "x": "х",
    "y": "ы",
    "z": "з",
}
_RUSSIAN = {
    "shch": "щ",
    "sch": "щ",
    "zh": "ж",
    "kh": "х",
    "ts": "ц",
    "ch": "ч",
    "sh": "ш",
    "yu": "ю",
    "iu": "ю",
    "ya": "я",
    "ia": "я",
    "yo": "е",
    "jo": "е",
    "a": "а",
    "b": "б",
    "v": "в",
    "w": "в",
    "g": "г",
    "d": "д",
    "e": "е",
    "z": "з",
    "i": "и",
    "j": "й",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "f": "ф",
    "h": "х",
    "c": "ц",
    "x": "кс",
    "q": "к",
    "y": "ы",
    "'": "ь",
}
_BACK_VOWELS = set("aouıūy")
_FRONT_VOWELS = set("äeöüáóú")


def _compile(table: dict[str, str]) -> tuple[list[tuple[str, str]], dict[int, str]]:
    """Sequences (longest first, replaced in turn) and single letters (one `str.translate`)."""
    sequences = sorted(((key, value) for key, value in table.items() if len(key) > 1), key=lambda kv: -len(kv[0]))
    return sequences, str.maketrans({key: value for key, value in table.items() if len(key) == 1})


def _convert(word: str, compiled: tuple[list[tuple[str, str]], dict[int, str]]) -> str:
    sequences, letters = compiled
    for sequence, replacement in sequences:
        if sequence in word:
            word = word.replace(sequence, replacement)
    return word.translate(letters)


_KAZAKH_COMPILED = _compile(_KAZAKH)
_RUSSIAN_COMPILED = _compile(_RUSSIAN)
# Kazakh has no two vowels in a row: an `i` after a vowel is й (`qalai` → `қалай`, `jaiy` → `жайы`).
_AFTER_VOWEL_I = re.compile("(?<=[aäeoöuūüıy])i")


def _plain_i(word: str) -> str:
    """`i` is і in front-vowel words and ы in back-vowel ones (only the display differs: the key merges them)."""
    letters = set(word)
    return "ы" if letters & _BACK_VOWELS and not letters & _FRONT_VOWELS else "і"


@lru_cache(maxsize=50_000)
def kazakh_to_cyrillic(word: str) -> str:
    """`qūjattardy` → `құжаттарды`, `a'ke` → `әке`, `kujattardy` → `кужаттарды`."""
    i_letter = _plain_i(word)
    converted = _convert(_AFTER_VOWEL_I.sub("й", word), _KAZAKH_COMPILED)
    return converted.replace("i", i_letter).replace("'", "").replace("’", "")


@lru_cache(maxsize=50_000)
def russian_to_cyrillic(word: str) -> str:
    """`spravka` → `справка`, `nesudimosti` → `несудимости`."""
    converted = _convert(word, _RUSSIAN_COMPILED)
    return re.sub(r"(?<=[аеиоуыэюя])ы(?=$|[^аеиоуыэюя])", "й", converted)
