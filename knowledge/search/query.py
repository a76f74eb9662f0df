"""A typed query turned into what the engine looks for: analysed words per language, plus the vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from knowledge.search.text import clean_query
from knowledge.search.vocabulary import LANGUAGES, CompiledGroup, Phrase, Vocabulary, current_vocabulary

if TYPE_CHECKING:
    from knowledge.analysis import Known

MAX_QUERY_TERMS = 12


@dataclass(frozen=True)
class PreparedQuery:
    """`terms`: the distinct analysed words per language; `words`: each query word's (Kazakh, Russian)
    reading; `groups`: the vocabulary groups the query matched (phrases per language); `phrases`: the
    phrases of all of them per language."""

    text: str
    repaired: str | None
    terms: dict[str, tuple[str, ...]]
    phrases: dict[str, tuple[Phrase, ...]]
    words: tuple[tuple[str | None, str | None], ...] = ()
    groups: tuple[CompiledGroup, ...] = field(default_factory=tuple)
    vocabulary: Vocabulary | None = field(default=None, compare=False)

    @property
    def is_empty(self) -> bool:
        return not any(self.terms.values()) and not any(self.phrases.values())

    def stems(self, language: str) -> frozenset[str]:
        """The analysed words to mark in texts of `language`: the query's and one-word vocabulary entries
        (words of longer vocabulary phrases alone would mark every "Қазақстан Республикасы")."""
        words = set(self.terms.get(language, ()))
        words.update(phrase[0] for phrase in self.phrases.get(language, ()) if len(phrase) == 1)
        return frozenset(words)

    def all_stems(self) -> frozenset[str]:
        return frozenset().union(*(self.stems(language) for language in LANGUAGES))


def _unique(terms: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(term for term in terms if term))[:MAX_QUERY_TERMS]


def _merged(groups: tuple[CompiledGroup, ...]) -> dict[str, tuple[Phrase, ...]]:
    return {
        language: tuple(dict.fromkeys(phrase for group in groups for phrase in group.phrases[language]))
        for language in LANGUAGES
    }


def prepare_query(query: str, known: Known | None = None, vocabulary: Vocabulary | None = None) -> PreparedQuery:
    """The query analysed (see `knowledge.analysis.analyze_query`; `known` helps repair a wrong layout) and
    matched against the vocabulary (the current one unless given)."""
    from knowledge.analysis import analyze_query

    text = clean_query(query)
    if not text:
        return PreparedQuery(text="", repaired=None, terms={"kk": (), "ru": ()}, phrases={"kk": (), "ru": ()})
    analysed = analyze_query(text, known)
    terms = {"kk": _unique(list(analysed.terms_kk)), "ru": _unique(list(analysed.terms_ru))}
    sequences = {"kk": tuple(analysed.terms_kk), "ru": tuple(analysed.terms_ru)}
    repaired = analysed.repaired if analysed.repaired and analysed.repaired.strip() != text else None
    vocabulary = vocabulary or current_vocabulary()
    groups = vocabulary.expand_groups(sequences)
    return PreparedQuery(
        text=text,
        repaired=repaired,
        terms=terms,
        phrases=_merged(groups),
        words=tuple(analysed.word_terms[: MAX_QUERY_TERMS * 2]),
        groups=groups,
        vocabulary=vocabulary,
    )
