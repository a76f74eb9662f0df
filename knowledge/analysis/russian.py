"""Russian: Snowball stemming (PyStemmer) after folding ё→е and Kazakh letters as keyboards type them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import Stemmer

from knowledge.analysis.normalize import KEYBOARD_FOLD, read_word_list

_STEMMER = Stemmer.Stemmer("russian")

STOP_WORDS: frozenset[str] = read_word_list(Path(__file__).with_name("stopwords_ru.txt"))
STOP_KEYS: frozenset[str] = frozenset(word.translate(KEYBOARD_FOLD) for word in STOP_WORDS)


def to_key(word: str) -> str:
    """The folded form of one lower-case Cyrillic word (ё→е, Kazakh letters → Russian keyboard letters)."""
    return word.translate(KEYBOARD_FOLD).replace("'", "").replace("’", "")


@lru_cache(maxsize=200_000)
def stem_key(key: str) -> str:
    return _STEMMER.stemWord(key)
