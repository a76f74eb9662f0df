"""Text normalisation and tokenisation shared by both languages.

Every token is lower-cased (casefold), NFKC-normalised, stripped of invisible characters (zero-width,
bidi marks, soft hyphen, NUL) and combining accents on Latin letters. Cyrillic words that contain
Latin look-alike letters (a Kazakh `і` typed as Latin `i`, a Latin `o` inside a Cyrillic word) get
those letters turned into their Cyrillic twins.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

# Zero-width characters, bidi marks and controls: removed before anything else.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]*)*", re.UNICODE)
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[a-z\u00c0-\u024f]")

# Russian keyboards have no Kazakh letters: this is how Kazakh is typed on them (and ё as е).
KEYBOARD_FOLD = str.maketrans(
    {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и", "ё": "е"}
)

# Latin letters that look like Cyrillic ones, used only inside words that are otherwise Cyrillic.
_HOMOGLYPHS = str.maketrans(
    {
        "a": "а",
        "b": "в",
        "c": "с",
        "e": "е",
        "h": "һ",
        "i": "і",
        "k": "к",
        "m": "м",
        "o": "о",
        "p": "р",
        "t": "т",
        "x": "х",
        "y": "у",
    }
)


def clean(text: str) -> str:
    """Lower-cased NFKC text without invisible characters."""
    text = _INVISIBLE.sub("", text or "")
    return unicodedata.normalize("NFKC", text).casefold()


def strip_latin_accents(word: str) -> str:
    """`qūjat` → `qujat`; Cyrillic letters (й, ё) are left whole."""
    if not _LATIN.search(word):
        return word
    out: list[str] = []
    for char in unicodedata.normalize("NFD", word):
        if unicodedata.combining(char) and out and "a" <= out[-1] <= "z":
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


def is_cyrillic(word: str) -> bool:
    return bool(_CYRILLIC.search(word))


def has_latin(word: str) -> bool:
    return bool(_LATIN.search(word))


def fix_homoglyphs(word: str) -> str:
    """A mostly Cyrillic word with stray Latin look-alikes becomes all Cyrillic."""
    if is_cyrillic(word) and has_latin(word):
        return word.translate(_HOMOGLYPHS)
    return word


def words(text: str) -> list[str]:
    """Words of an already cleaned text (letters and digits, inner apostrophes kept)."""
    return [fix_homoglyphs(word) for word in WORD.findall(text)]


def read_word_list(path: Path) -> frozenset[str]:
    """Words of a list file, one a line, `#` comments ignored."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))
