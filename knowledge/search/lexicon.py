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
