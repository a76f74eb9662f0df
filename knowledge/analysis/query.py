"""Reading a query the way the citizen meant it: wrong layout repaired, Latin Kazakh turned Cyrillic."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from knowledge.analysis.latin import kazakh_to_cyrillic, russian_to_cyrillic
from knowledge.analysis.layout import LATIN_WORDS, keyboard_readings, plausibility, repair_layout, through_layout
from knowledge.analysis.normalize import KEYBOARD_FOLD, clean, has_latin, is_cyrillic, words

MAX_QUERY_CHARS = 1000
MAX_WORD_CHARS = 48
# Once one chunk of a query was typed in the wrong layout, its short neighbours probably were too.
_NEIGHBOUR_PLAUSIBLE = -5.5
_KAZAKH_ONLY_LATIN = frozenset("qäöüūığşñçáóúýǵńś'’w")
# Whether a Cyrillic word (lower case, or words joined by a hyphen) is one the knowledge base knows: in its
# texts or its vocabulary, or a stop word. Given by the search; without it only letter statistics decide.
Known = Callable[[str], bool]


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


def _latin_chunk(typed: str, text: str, known: Known | None) -> _Chunk:
    latin = words(text)
    if latin and all(word in LATIN_WORDS for word in latin):
        return _Chunk(typed=typed, words=[QueryWord(word, word) for word in latin], shown=typed)
    alternative = _latin_plausibility(text)
    repaired = _known_reading(text, known) if known and not _latin_known(latin, known) else None
    repaired = repaired or repair_layout(text, alternative)
    if repaired:
        return _layout_chunk(typed, repaired)
    shown = " ".join(_display_latin(word) if _letters_only(word) and len(word) > 1 else word for word in latin)
    return _Chunk(typed=typed, words=[_latin_word(word) for word in latin], shown=shown or typed, latin=text)


def _latin_known(latin: list[str], known: Known) -> bool:
    """Whether the chunk read as Latin Kazakh or transliterated Russian gives words the knowledge base knows."""
    for word in latin:
        reading = _latin_word(word)
        if not (known(reading.kazakh) or known(reading.russian)):
            return False
    return True


def _known_reading(text: str, known: Known) -> str | None:
    """The keyboard reading of a Latin chunk that the knowledge base knows (`tyga` is ЕНПФ, `[jnbv` "хотим"),
    the most plausible one (edge punctuation read as punctuation costs a margin)."""
    readings = sorted(
        ((_hyphenated_plausibility(cyrillic) - handicap, cyrillic) for cyrillic, handicap in keyboard_readings(text)),
        reverse=True,
    )
    return next((cyrillic for _score, cyrillic in readings if known(cyrillic)), None)


def _latin_plausibility(text: str) -> float:
    """How word-like the chunk reads as Latin Kazakh or transliterated Russian (its best word-mean)."""
    scores = [max(plausibility(kazakh_to_cyrillic(w)), plausibility(russian_to_cyrillic(w))) for w in words(text)]
    return sum(scores) / len(scores) if scores else -99.0


def _hyphenated_plausibility(cyrillic: str) -> float:
    parts = [part for part in cyrillic.split("-") if part]
    return sum(plausibility(part) for part in parts) / len(parts) if parts else -99.0


def _layout_chunk(typed: str, cyrillic: str) -> _Chunk:
    return _Chunk(typed=typed, words=[QueryWord(word, word) for word in words(cyrillic)], shown=cyrillic)


def _read_chunk(typed: str, known: Known | None) -> _Chunk | None:
    text = clean(typed)
    if not text:
        return None
    if is_cyrillic(text) or not has_latin(text):
        return _cyrillic_chunk(typed, text)
    return _latin_chunk(typed, text, known)


def _repair_neighbours(chunks: list[_Chunk], known: Known | None) -> None:
    """Short Latin chunks next to a wrong-layout chunk (`j`, `[jxe`) follow it: read through the keyboard when
    that reading is plausible enough, or one the knowledge base knows (`dpznm` "взять", `bp-pf` "из-за")."""
    if not any(chunk.shown != chunk.typed and not chunk.latin for chunk in chunks if has_latin(chunk.typed)):
        return
    for index, chunk in enumerate(chunks):
        if not chunk.latin:
            continue
        cyrillic = (_known_reading(chunk.latin, known) if known else None) or through_layout(chunk.latin)
        if not cyrillic:
            continue
        score = _hyphenated_plausibility(cyrillic)
        if score >= min(_NEIGHBOUR_PLAUSIBLE, _latin_plausibility(chunk.latin)) or (known and known(cyrillic)):
            chunks[index] = _layout_chunk(chunk.typed, cyrillic)


def read_query(text: str, *, max_words: int, known: Known | None = None) -> tuple[list[QueryWord], str | None]:
    """The words of a query and, when anything was repaired, the query as understood. `known` lets a Latin chunk
    whose keyboard reading the knowledge base knows (and whose Latin reading it does not) be read as Cyrillic."""
    typed_chunks = [chunk[:MAX_WORD_CHARS] for chunk in text[:MAX_QUERY_CHARS].split()[:max_words]]
    chunks = [chunk for chunk in (_read_chunk(typed, known) for typed in typed_chunks) if chunk]
    _repair_neighbours(chunks, known)
    query_words = [word for chunk in chunks for word in chunk.words][:max_words]
    changed = any(clean(chunk.shown) != clean(chunk.typed) for chunk in chunks)
    repaired = " ".join(chunk.shown for chunk in chunks) if changed else None
    return query_words, repaired
