"""The index's own words per language, for matching a mistyped query word by edit distance.

A small in-memory tantivy index holds one document per distinct analysed word of the main index (with the
number of texts using it). A fuzzy query over it touches one tiny posting list per candidate word instead of
every text of every candidate, so a typo costs a fraction of a millisecond at any corpus size; the words it
finds are then looked up exactly in the main index. Built from the main searcher's term dictionary each time
the searcher changes (milliseconds for tens of thousands of words).
"""

from __future__ import annotations

from collections.abc import Iterable

import tantivy

FUZZY_MIN_CHARS = 4
FUZZY_TWO_EDITS_FROM = 8
# Candidates kept per mistyped word, the most used words first.
MAX_CANDIDATES = 2
_HEAP_BYTES = 15_000_000


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("word", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("texts", stored=True, fast=True)
    return builder.build()


class Lexicon:
    """The words of one language's fields of the main index."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.schema = _schema()
        self.index = tantivy.Index(self.schema)
        writer = self.index.writer(_HEAP_BYTES, 1)
        for word, count in counts.items():
            document = tantivy.Document()
            document.add_text("word", word)
            document.add_unsigned("texts", count)
            writer.add_document(document)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    @classmethod
    def of_fields(cls, searcher: tantivy.Searcher, fields: Iterable[str]) -> Lexicon:
        counts: dict[str, int] = {}
        for field in fields:
            for word, count in searcher.terms_with_prefix(field, ""):
                counts[word] = counts.get(word, 0) + count
        return cls(counts)

    def near(self, word: str) -> tuple[int, list[str]]:
        """The edit distance and the words of the index that close to `word`: one edit, or two for long words
        when none is one edit away; the most used words first. Nothing for short words or words with digits."""
        if len(word) < FUZZY_MIN_CHARS or not word.isalpha():
            return 0, []
        for distance in (1, 2):
            if distance == 2 and len(word) < FUZZY_TWO_EDITS_FROM:
                break
            query = tantivy.Query.fuzzy_term_query(self.schema, "word", word, distance)
            hits = self.searcher.search(query, MAX_CANDIDATES, count=False, order_by_field="texts").hits
            if hits:
                return distance, [self.searcher.doc(address)["word"][0] for _texts, address in hits]
        return 0, []


# Related words kept per query word, the most used first.
MAX_RELATED = 4


class Roots:
    """The Russian words of the main index grouped by derivational root (`knowledge.analysis.russian.root_of`):
    `регистрац`, `зарегистрирова` and `регистр` under `регистр`. Built from the term dictionary each time the
    searcher changes, like the `Lexicon`."""

    def __init__(self, counts: dict[str, int]) -> None:
        from knowledge.analysis.russian import root_of

        grouped: dict[str, list[tuple[int, str]]] = {}
        for word, count in counts.items():
            if word.isalpha():
                grouped.setdefault(root_of(word), []).append((count, word))
        self.by_root = {root: [word for _count, word in sorted(words, reverse=True)] for root, words in grouped.items()}

    @classmethod
    def of_field(cls, searcher: tantivy.Searcher, field: str) -> Roots:
        return cls(dict(searcher.terms_with_prefix(field, "")))

    def related(self, word: str) -> list[str]:
        """Index words sharing the root of `word` (or of `word` without a verb prefix), `word` itself left out."""
        from knowledge.analysis.russian import prefixless_roots, root_of

        if not word.isalpha():
            return []
        root = root_of(word)
        found: list[str] = []
        for candidate in (root, *prefixless_roots(root)):
            found.extend(other for other in self.by_root.get(candidate, ()) if other != word and other not in found)
        return found[:MAX_RELATED]
