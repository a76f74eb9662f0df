"""Kazakh and Russian text analysis for the knowledge search (pure Python, no Django).

Documents: `analyze(text, language)` gives index tokens in document order (duplicates kept).
Queries: `analyze_query(text)` repairs what citizens type (wrong keyboard layout, Latin Kazakh)
and analyses the result both as Kazakh and as Russian.

Both sides fold first and stem second, so any spelling of a word meets the official one:
- Kazakh: the folded key (Russian-keyboard letters, plus ы/і/и/й merged, я→иа, ю→иу), then the
  suffix-stripping stemmer in `kazakh.py` (`құжаттарды`, `кужаттарды`, `qūjattardy` → `кужат`);
- Russian: ё→е and Kazakh letters folded, then Snowball (`справку` → `справк`).
Latin words in documents (egov, sms, iban) are kept as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.analysis import kazakh, russian
from knowledge.analysis.normalize import clean, has_latin, is_cyrillic, strip_latin_accents, words
from knowledge.analysis.query import Known, QueryWord, read_query

__all__ = ["MAX_QUERY_TERMS", "AnalyzedQuery", "Known", "WordTerms", "analyze", "analyze_query", "analyze_word"]

MAX_QUERY_TERMS = 32
MAX_WORD_CHARS = 48
LANGUAGES = ("kk", "ru")


def _kazakh_token(word: str, stop_keys: frozenset[str]) -> str | None:
    key = kazakh.to_key(word)
    if key in stop_keys:
        return None
    return kazakh.stem_key(key)


def _russian_token(word: str, stop_keys: frozenset[str]) -> str | None:
    key = russian.to_key(word)
    if key in stop_keys:
        return None
    return russian.stem_key(key)


_DOCUMENT_STOPS = {"kk": kazakh.STOP_KEYS, "ru": russian.STOP_KEYS}
_QUERY_STOPS = {
    "kk": kazakh.STOP_KEYS | {kazakh.to_key(word) for word in russian.STOP_WORDS},
    "ru": russian.STOP_KEYS | {russian.to_key(word) for word in kazakh.STOP_WORDS},
}
_STEMMERS = {"kk": _kazakh_token, "ru": _russian_token}


def _token(word: str, language: str, stop_keys: frozenset[str]) -> str | None:
    """One index token for one cleaned word, or None for a stop word or a stray single letter."""
    word = word[:MAX_WORD_CHARS]
    if is_cyrillic(word):
        if len(word) < 2:
            return None
        return _STEMMERS[language](word, stop_keys)
    if has_latin(word):
        word = strip_latin_accents(word).replace("'", "").replace("’", "")
        return word if len(word) >= 2 else None
    return word or None


def analyze_word(word: str, language: str) -> str | None:
    """The index token of one word as it stands in a document written in `language`."""
    found = words(clean(word))
    return _token(found[0], _language(language), _DOCUMENT_STOPS[_language(language)]) if found else None


def _language(language: str) -> str:
    return language if language in LANGUAGES else "ru"


def analyze(text: str, language: str) -> list[str]:
    """Index-time tokens of a document written in `language` ("kk" or "ru"), in document order."""
    language = _language(language)
    stop_keys = _DOCUMENT_STOPS[language]
    tokens = (_token(word, language, stop_keys) for word in words(clean(text)))
    return [token for token in tokens if token]


WordTerms = tuple[str | None, str | None]


@dataclass(frozen=True)
class AnalyzedQuery:
    """`word_terms`: for each query word, its Kazakh and its Russian reading (None for a stop word), so a
    search can tell a word it knows in one language from a word it knows in neither."""

    original: str
    repaired: str | None
    terms_kk: list[str] = field(default_factory=list)
    terms_ru: list[str] = field(default_factory=list)
    word_terms: list[WordTerms] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        """Kazakh and Russian terms together, order kept, without duplicates."""
        return list(dict.fromkeys(self.terms_kk + self.terms_ru))


def _word_terms(query_words: list[QueryWord]) -> list[WordTerms]:
    readings: list[WordTerms] = []
    for word in query_words:
        kazakh = _token(word.kazakh, "kk", _QUERY_STOPS["kk"])
        russian = _token(word.russian, "ru", _QUERY_STOPS["ru"])
        if kazakh or russian:
            readings.append((kazakh, russian))
    return readings


def _distinct(tokens: list[str | None]) -> list[str]:
    return list(dict.fromkeys(token for token in tokens if token))[:MAX_QUERY_TERMS]


def analyze_query(text: str, known: Known | None = None) -> AnalyzedQuery:
    """The query repaired where needed and analysed as Kazakh and as Russian. Never raises on any string.
    `known(word)`: whether the knowledge base knows a Cyrillic word (see `read_query`)."""
    original = text if isinstance(text, str) else ""
    query_words, repaired = read_query(original, max_words=MAX_QUERY_TERMS, known=known)
    word_terms = _word_terms(query_words)
    return AnalyzedQuery(
        original=original,
        repaired=repaired,
        terms_kk=_distinct([kazakh for kazakh, _russian in word_terms]),
        terms_ru=_distinct([russian for _kazakh, russian in word_terms]),
        word_terms=word_terms,
    )
