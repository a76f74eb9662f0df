"""Baselines over the same article texts: SQLite FTS5, tantivy's default tokenizer, PostgreSQL `russian`.

Each ranks articles for a question (best translation per article) with the question's words OR-ed, which is
kinder to them than AND on natural questions.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
from dataclasses import dataclass

import tantivy

_WORD = re.compile(r"[^\W_]+")
CANDIDATES = 40


@dataclass(frozen=True)
class Text:
    slug: str
    language: str
    title: str
    body: str


def words(query: str) -> list[str]:
    return list(dict.fromkeys(word.lower() for word in _WORD.findall(query)))[:32]


def _articles(slugs: list[str], limit: int = 10) -> list[str]:
    return list(dict.fromkeys(slugs))[:limit]


class Fts5Baseline:
    name = "sqlite_fts5"

    def __init__(self, texts: list[Text]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE texts USING fts5(slug UNINDEXED, title, body, "
            "tokenize = 'unicode61 remove_diacritics 2')"
        )
        self.db.executemany("INSERT INTO texts VALUES (?, ?, ?)", [(t.slug, t.title, t.body) for t in texts])

    def rank(self, query: str) -> list[str]:
        terms = words(query)
        if not terms:
            return []
        match = " OR ".join('"' + term.replace('"', "") + '"' for term in terms)
        rows = self.db.execute(
            "SELECT slug FROM texts WHERE texts MATCH ? ORDER BY bm25(texts, 0, 2.0, 1.0) LIMIT ?",
            (match, CANDIDATES),
        )
        return _articles([slug for (slug,) in rows])


class TantivyDefaultBaseline:
    name = "tantivy_default"

    def __init__(self, texts: list[Text]) -> None:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("slug", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", tokenizer_name="default")
        builder.add_text_field("body", tokenizer_name="default")
        self.schema = builder.build()
        self.directory = tempfile.TemporaryDirectory(prefix="bench-tantivy-default-")
        self.index = tantivy.Index(self.schema, path=self.directory.name)
        writer = self.index.writer(100_000_000, 1)
        for text in texts:
            writer.add_document(tantivy.Document(slug=text.slug, title=text.title, body=text.body))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def rank(self, query: str) -> list[str]:
        clauses = []
        for term in words(query):
            for field, boost in (("title", 2.0), ("body", 1.0)):
                term_query = tantivy.Query.term_query(self.schema, field, term)
                clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(term_query, boost)))
        if not clauses:
            return []
        found = self.searcher.search(tantivy.Query.boolean_query(clauses), CANDIDATES)
        return _articles([self.searcher.doc(address).get_first("slug") for _score, address in found.hits])


class PostgresRussianBaseline:
    """PostgreSQL full text with the `russian` configuration, ts_rank over title (weight A) and body (B)."""

    name = "postgresql_russian"

    def __init__(self, texts: list[Text]) -> None:
        from django.db import connection

        self.connection = connection
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_search_texts")
            cursor.execute("CREATE TEMPORARY TABLE bench_search_texts (slug text, document tsvector)")
            cursor.executemany(
                "INSERT INTO bench_search_texts VALUES (%s, setweight(to_tsvector('russian', %s), 'A') "
                "|| setweight(to_tsvector('russian', %s), 'B'))",
                [(t.slug, t.title, t.body) for t in texts],
            )

    def rank(self, query: str) -> list[str]:
        terms = words(query)
        if not terms:
            return []
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT slug FROM bench_search_texts, to_tsquery('russian', %s) AS q "
                "WHERE document @@ q ORDER BY ts_rank(document, q) DESC LIMIT %s",
                [" | ".join(terms), CANDIDATES],
            )
            return _articles([slug for (slug,) in cursor.fetchall()])
