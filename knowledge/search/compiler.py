"""A prepared query → one tantivy query: BM25 plus a bonus for each distinct query word a text meets.

Each query word becomes one unit: its Kazakh reading in the Kazakh fields, its Russian reading in the Russian
fields, and the phrases of every vocabulary group the word belongs to ("развод" is met by "расторжение
брака"). A unit adds COVERAGE_WEIGHT once when a text meets it (in title or body, however often) on top of its
BM25 score, so a text that meets more of the query's words gains over one that repeats a single common word
("справка") or has it in a short title. The bonus scales with the word's rarity: full when at most RARE_SHARE
of the texts of its language use it, falling to nothing when every text does ("алу", to get).

Why a bonus and not "coverage first, then BM25": ranked strictly by coverage, long Kazakh instruction texts
(which list the documents for many services and so meet many words of any query) outranked the service asked
about; kk MRR@10 fell from 0.87 to 0.68 on the benchmark. The bonus keeps what coverage adds for short Russian
texts without that.

A Russian query word also meets the index's words of its derivational root (`knowledge.analysis.russian.root_of`:
"восстановить" meets "восстановление", "зарегистрировать" meets "регистрация"), at RELATED_SCALE of the word's own
weight, in the same unit (a text counts once for the word however many of its relatives it holds). A word that
only the Kazakh texts know is Kazakh and gets no Russian relatives.

Edit distance is tried only for a word known in neither language, nor through the vocabulary: "налог" known
as Russian is not matched approximately on the Kazakh side either, and a typo costs nothing when the word is
right. The index's words closest to a mistyped one are found in the small per-language `Lexicon`, then matched
exactly (in the language where they are closest).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import tantivy

from knowledge.search.lexicon import Lexicon, Roots
from knowledge.search.query import PreparedQuery
from knowledge.search.vocabulary import CompiledGroup, Phrase

LANGUAGES = ("kk", "ru")
FIELDS = {language: (f"title_{language}", f"body_{language}") for language in LANGUAGES}
# Title and body words together, document ids only: whether a text holds a word at all.
ALL_FIELDS = {language: f"words_{language}" for language in LANGUAGES}
# Service titles are what citizens ask for: a title match weighs like five body matches.
TITLE_BOOST = 5.0
# What meeting one rare query word adds to a text's score (a strong title match of one word scores ~10-20). With
# TITLE_BOOST, measured on the main question set (3 and 5 before: ru MRR@10 0.85; 5 and 12: 0.88), keeping a text
# that meets two words of the query above a one-word title that meets one (test_ranking).
COVERAGE_WEIGHT = 12.0
# A word used by at most this share of the texts of its language counts fully towards coverage.
RARE_SHARE = 0.05
# How much a related word (same Russian derivational root: "регистрация" for "зарегистрировать") counts against
# the word itself, in BM25 and in coverage.
RELATED_SCALE = 0.8
Occur = tantivy.Occur
WordReadings = tuple[str | None, str | None]


@dataclass(frozen=True)
class CompiledQuery:
    """`query` is None when nothing of the query can match; `coverage` is the share of the query's words the
    index understood (exactly, through the vocabulary, or allowing a typo), 0..1; `typo_matches`: the index
    words matched in place of mistyped query words, per language."""

    query: tantivy.Query | None
    used_fuzzy: bool
    coverage: float
    typo_matches: dict[str, frozenset[str]] = field(default_factory=dict)


def _any_of(queries: Iterable[tantivy.Query | None]) -> tantivy.Query | None:
    found = [query for query in queries if query is not None]
    if len(found) <= 1:
        return found[0] if found else None
    return tantivy.Query.boolean_query([(Occur.Should, query) for query in found])


class QueryCompiler:
    """One query's compilation: `lexicon(language)` gives the index's words of that language (built lazily, so a
    query without typos never needs it)."""

    def __init__(
        self,
        schema: tantivy.Schema,
        searcher: tantivy.Searcher,
        lexicon: Callable[[str], Lexicon],
        texts: dict[str, int],
        roots: Callable[[], Roots] | None = None,
    ) -> None:
        self.schema, self.searcher, self.lexicon, self.texts = schema, searcher, lexicon, texts
        self.roots = roots
        self._texts_using: dict[tuple[str, str], int] = {}
        self._typo_matches: dict[str, set[str]] = {language: set() for language in LANGUAGES}
        self._scored_phrases: set[tuple[str, Phrase]] = set()

    def texts_using(self, language: str, term: str) -> int:
        key = (language, term)
        if key not in self._texts_using:
            self._texts_using[key] = self.searcher.doc_freq(ALL_FIELDS[language], term)
        return self._texts_using[key]

    def known(self, language: str, term: str | None) -> bool:
        return bool(term) and self.texts_using(language, term or "") > 0

    def weight(self, language: str, words: Iterable[str]) -> float:
        """How much meeting these words (the rarest of them) counts: 1 when at most RARE_SHARE of the texts of
        the language use it, falling with the logarithm of the share to 0 when all of them do."""
        total = max(self.texts.get(language, 0), 1)
        used = min((self.texts_using(language, word) for word in words), default=0)
        if used <= 0:
            return 0.0
        return max(0.0, min(1.0, math.log(total / used) / math.log(1 / RARE_SHARE)))

    def compile(self, prepared: PreparedQuery) -> CompiledQuery:
        words = list(dict.fromkeys(prepared.words))
        if not words:
            return CompiledQuery(query=None, used_fuzzy=False, coverage=0.0)
        clauses: list[tantivy.Query] = []
        used_fuzzy, understood = False, 0
        for readings in words:
            groups = [group for group in prepared.groups if group.key_words & {r for r in readings if r}]
            unit = self._word(readings, groups)
            if unit.empty and not groups:
                unit, groups = self._typo(readings, prepared)
                used_fuzzy = used_fuzzy or not unit.empty or bool(groups)
            understood += not unit.empty or bool(groups)
            clauses.extend(unit.clauses())
        query = tantivy.Query.boolean_query([(Occur.Should, clause) for clause in clauses]) if clauses else None
        return CompiledQuery(
            query=query,
            used_fuzzy=used_fuzzy,
            coverage=understood / len(words),
            typo_matches={language: frozenset(found) for language, found in self._typo_matches.items()},
        )

    # --- One query word --------------------------------------------------------------------------------------

    def _word(self, readings: WordReadings, groups: list[CompiledGroup], unit: Unit | None = None) -> Unit:
        unit = unit or Unit()
        for language, term in zip(LANGUAGES, readings, strict=True):
            if term and self.known(language, term):
                unit.add_term(self, language, term)
        if self._russian(readings) and self.roots is not None and RELATED_SCALE > 0:
            for related in self.roots().related(readings[1] or ""):
                unit.add_term(self, "ru", related, scale=RELATED_SCALE)
        for group in groups:
            for language, reading in zip(LANGUAGES, readings, strict=True):
                for phrase in group.phrases[language]:
                    # A text with a phrase that holds the word itself already counts through the word.
                    if not (reading and reading in phrase and self.known(language, reading)):
                        unit.add_phrase(self, language, phrase)
        return unit

    def _russian(self, readings: WordReadings) -> bool:
        """Whether a query word may be Russian: a word the Kazakh texts know and the Russian ones do not is Kazakh
        (its Russian reading has no relatives worth looking for)."""
        kazakh, russian = readings
        return bool(russian) and (self.known("ru", russian) or not self.known("kk", kazakh))

    def _typo(self, readings: WordReadings, prepared: PreparedQuery) -> tuple[Unit, list[CompiledGroup]]:
        """The words closest to a word known nowhere: the index's (matched exactly, in the language(s) where they
        are closest) and the vocabulary's ("рвзвод" → "развод", then its group), at the smallest distance."""
        vocabulary = prepared.vocabulary
        found: list[tuple[int, str, str, str]] = []  # distance, where ("kk", "ru" or "vocabulary"), typed, meant
        for language, term in zip(LANGUAGES, readings, strict=True):
            if not term:
                continue
            for where, (distance, near) in [
                (language, self.lexicon(language).near(term)),
                ("vocabulary", vocabulary.near(term) if vocabulary else (0, [])),
            ]:
                found.extend((distance, where, term, word) for word in near)
        if not found:
            return Unit(), []
        closest = min(distance for distance, *_rest in found)
        unit, groups = Unit(), list[CompiledGroup]()
        for distance, where, typed, meant in found:
            if distance != closest:
                continue
            if where == "vocabulary" and vocabulary is not None:
                groups.extend(g for g in vocabulary.expand_corrected(prepared.terms, typed, meant) if g not in groups)
            else:
                self._typo_matches[where].add(meant)
                unit.add_term(self, where, meant)
        return self._word((None, None), groups, unit), groups

    # --- Clauses ----------------------------------------------------------------------------------------------

    def in_fields(self, language: str, make: Callable[[str], tantivy.Query]) -> list[tantivy.Query]:
        """BM25 clauses: the title (boosted) and the body of one language."""
        title, body = FIELDS[language]
        return [tantivy.Query.boost_query(make(title), TITLE_BOOST), make(body)]

    def term_scoring(self, language: str, term: str, scale: float = 1.0) -> list[tantivy.Query]:
        clauses = self.in_fields(language, lambda field: tantivy.Query.term_query(self.schema, field, term))
        return clauses if scale == 1.0 else [tantivy.Query.boost_query(clause, scale) for clause in clauses]

    def term_matching(self, language: str, term: str) -> tantivy.Query:
        """The texts that hold the word anywhere (document ids only: no frequencies or positions read)."""
        return tantivy.Query.term_query(self.schema, ALL_FIELDS[language], term, index_option="basic")

    def phrase_scoring(self, language: str, phrase: Phrase) -> list[tantivy.Query]:
        """BM25 clauses of a vocabulary phrase, once per query however many of its words the query has."""
        if (language, phrase) in self._scored_phrases or not self.known_phrase(language, phrase):
            return []
        self._scored_phrases.add((language, phrase))
        if len(phrase) == 1:
            return self.term_scoring(language, phrase[0])
        return self.in_fields(language, lambda field: tantivy.Query.phrase_query(self.schema, field, list(phrase)))

    def known_phrase(self, language: str, phrase: Phrase) -> bool:
        return all(self.known(language, word) for word in phrase)

    def phrase_matching(self, language: str, phrase: Phrase) -> tantivy.Query:
        """The texts that hold every word of the phrase (document ids only: cheap at any size, and close enough
        to the phrase itself for counting what a text meets)."""
        words = [self.term_matching(language, word) for word in phrase]
        if len(words) == 1:
            return words[0]
        return tantivy.Query.boolean_query([(Occur.Must, word) for word in words])


class Unit:
    """What one query word contributes: BM25 clauses, and the clauses meaning "this text meets the word", which
    add COVERAGE_WEIGHT once per text however many of them it matches."""

    def __init__(self) -> None:
        self.scoring: list[tantivy.Query] = []
        self.matching: list[tuple[tantivy.Query | None, float]] = []
        # Whether two matching clauses can hold in one text (then they share one constant score).
        self.overlapping = False
        self._languages: set[str] = set()

    @property
    def empty(self) -> bool:
        return not self.matching

    def add_term(self, compiler: QueryCompiler, language: str, term: str, scale: float = 1.0) -> None:
        self.scoring.extend(compiler.term_scoring(language, term, scale))
        weight = compiler.weight(language, [term]) * scale
        self._add_matching(compiler.term_matching(language, term), language, weight)

    def add_phrase(self, compiler: QueryCompiler, language: str, phrase: Phrase) -> None:
        if not compiler.known_phrase(language, phrase):
            return
        self.scoring.extend(compiler.phrase_scoring(language, phrase))
        self._add_matching(compiler.phrase_matching(language, phrase), language, compiler.weight(language, phrase))

    def _add_matching(self, query: tantivy.Query | None, language: str, weight: float) -> None:
        if query is None:
            return
        # Each text is in one language: clauses of different languages never meet in one text.
        self.overlapping = self.overlapping or language in self._languages
        self._languages.add(language)
        self.matching.append((query, weight))

    def clauses(self) -> list[tantivy.Query]:
        if not self.matching:
            return []
        if self.overlapping:
            weight = max(weight for _query, weight in self.matching)
            matched = [(_any_of(query for query, _weight in self.matching), weight)]
        else:
            matched = self.matching
        constants = [
            tantivy.Query.const_score_query(query, COVERAGE_WEIGHT * weight)
            for query, weight in matched
            if query is not None and weight > 0
        ]
        return [*constants, *self.scoring]
