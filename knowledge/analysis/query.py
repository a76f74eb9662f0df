"""Reading a query the way the citizen meant it: wrong layout repaired, Latin Kazakh turned Cyrillic."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.analysis.latin import kazakh_to_cyrillic, russian_to_cyrillic
from knowledge.analysis.layout import LATIN_WORDS, plausibility, repair_layout, through_layout
from knowledge.analysis.normalize import KEYBOARD_FOLD, clean, has_latin, is_cyrillic, words

MAX_QUERY_CHARS = 1000
MAX_WORD_CHARS = 48
# Once one chunk of a query was typed in the wrong layout, its short neighbours probably were too.
_NEIGHBOUR_PLAUSIBLE = -5.5
_KAZAKH_ONLY_LATIN = frozenset("qäöüūığşñçáóúýǵńś'’w")


@dataclass(frozen=True)
class QueryWord:
    """One word of the query, spelt as it should be analysed in each language."""

    kazakh: str
    russian: str

    def spellings(self, language: str) -> list[str]:
        return [self.kazakh if language == "kk" else self.russian]


@dataclass
class _Chunk:
    typed: str
    words: list[QueryWord]
    shown: str
    latin: str = ""  # the cleaned chunk when it is Latin that could have been typed in the wrong layout


def _display_latin(word: str) -> str:
    """The Cyrillic a Latin word is shown as: Kazakh when it has Kazakh-only letters or reads better."""
    kazakh, russian = kazakh_to_cyrillic(word), russian_to_cyrillic(word)
    if set(word) & _KAZAKH_ONLY_LATIN:
        return kazakh
    if kazakh.translate(KEYBOARD_FOLD) == russian.translate(KEYBOARD_FOLD):
        return russian
    return kazakh if plausibility(kazakh) > plausibility(russian) else russian


def _letters_only(word: str) -> bool:
    return word.replace("'", "").replace("’", "").isalpha()


def _latin_word(word: str) -> QueryWord:
    if word in LATIN_WORDS or not _letters_only(word) or len(word) < 2:
        return QueryWord(kazakh=word, russian=word)
    kazakh = kazakh_to_cyrillic(word)
    russian = kazakh if set(word) & _KAZAKH_ONLY_LATIN else russian_to_cyrillic(word)
    return QueryWord(kazakh=kazakh, russian=russian)


def _cyrillic_chunk(typed: str, text: str) -> _Chunk:
    found = [
        _latin_word(word) if has_latin(word) and not is_cyrillic(word) else QueryWord(word, word)
        for word in words(text)
    ]
    return _Chunk(typed=typed, words=found, shown=typed)


def _latin_chunk(typed: str, text: str) -> _Chunk:
    latin = words(text)
    if latin and all(word in LATIN_WORDS for word in latin):
        return _Chunk(typed=typed, words=[QueryWord(word, word) for word in latin], shown=typed)
    scores = [max(plausibility(kazakh_to_cyrillic(w)), plausibility(russian_to_cyrillic(w))) for w in latin if w]
    alternative = sum(scores) / len(scores) if scores else -99.0
    repaired = repair_layout(text, alternative)
    if repaired:
        return _layout_chunk(typed, repaired)
    shown = " ".join(_display_latin(word) if _letters_only(word) and len(word) > 1 else word for word in latin)
    return _Chunk(typed=typed, words=[_latin_word(word) for word in latin], shown=shown or typed, latin=text)


def _layout_chunk(typed: str, cyrillic: str) -> _Chunk:
    return _Chunk(typed=typed, words=[QueryWord(word, word) for word in words(cyrillic)], shown=cyrillic)


def _read_chunk(typed: str) -> _Chunk | None:
    text = clean(typed)
    if not text:
        return None
    if is_cyrillic(text) or not has_latin(text):
        return _cyrillic_chunk(typed, text)
    return _latin_chunk(typed, text)


def _repair_neighbours(chunks: list[_Chunk]) -> None:
    """Short Latin chunks next to a wrong-layout chunk (`j`, `[jxe`) follow it."""
    if not any(chunk.shown != chunk.typed and not chunk.latin for chunk in chunks if has_latin(chunk.typed)):
        return
    for index, chunk in enumerate(chunks):
        cyrillic = through_layout(chunk.latin) if chunk.latin else None
        if cyrillic and plausibility(cyrillic) >= _NEIGHBOUR_PLAUSIBLE:
            chunks[index] = _layout_chunk(chunk.typed, cyrillic)


def read_query(text: str, *, max_words: int) -> tuple[list[QueryWord], str | None]:
    """The words of a query and, when anything was repaired, the query as understood."""
    typed_chunks = [chunk[:MAX_WORD_CHARS] for chunk in text[:MAX_QUERY_CHARS].split()[:max_words]]
    chunks = [chunk for chunk in map(_read_chunk, typed_chunks) if chunk]
    _repair_neighbours(chunks)
    query_words = [word for chunk in chunks for word in chunk.words][:max_words]
    changed = any(clean(chunk.shown) != clean(chunk.typed) for chunk in chunks)
    repaired = " ".join(chunk.shown for chunk in chunks) if changed else None
    return query_words, repaired
