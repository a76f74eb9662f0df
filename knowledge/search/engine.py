"""The tantivy backend: our kk/ru analysis, tantivy's engine.

One index document per published translation: the article id and the language as fast fields (read for the
hits without loading stored documents), and the analysed title and body in that language's fields
(`title_kk`/`body_kk` or `title_ru`/`body_ru`, tantivy's `whitespace` tokenizer, since the tokens come out of
`knowledge.analysis` already), plus both together without frequencies or positions (`words_kk`/`words_ru`:
whether a text holds a word at all). How a query is matched and ranked is in `compiler.py`. Texts shown to
the user (titles, snippets) are read from the database, which also drops anything archived since the index
was last written.

`build_index(directory, rows)` writes an index from plain rows (id, language, title, body) and
`query_index(backend, query)` ranks articles for a query without reading texts from the database (only the
vocabulary): the benchmark's generated corpus uses both; the site's search goes through the same code.

Processes: every process opens the index directory and reloads its searcher when `meta.json` changed (one
`stat` per query). tantivy allows one writer per directory: writers wait with backoff and give up with
`IndexBusy` (the Celery task retries later).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy
from django.utils import timezone

from knowledge.search.base import IndexBusy, SearchHit, SearchResult
from knowledge.search.compiler import ALL_FIELDS, FIELDS, QueryCompiler
from knowledge.search.lexicon import Lexicon, Roots
from knowledge.search.query import PreparedQuery, prepare_query
from knowledge.search.text import clean_query, highlight_analysed
from knowledge.search.vocabulary import Vocabulary, current_vocabulary

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2
STALE_VERSION = re.compile(r"v\d+")
BUILT_MARKER = "bailanys-index.json"
PENDING_FILE = "pending-articles.txt"
# Articles read from the database beyond the limit, in case some were archived since the index was written.
SPARE_HITS = 5
WRITER_HEAP_BYTES = 50_000_000
WRITER_WAIT_SECONDS = 5.0
LANGUAGES = ("kk", "ru")
LANGUAGE_CODES = {language: code for code, language in enumerate(LANGUAGES)}


@dataclass(frozen=True)
class IndexRow:
    """One text to index: the article it belongs to, its language ("kk" or "ru"), title and body."""

    id: int
    language: str
    title: str
    body: str


@dataclass(frozen=True)
class RankedArticle:
    id: int
    score: float
    language: str  # of the best-matching text


@dataclass(frozen=True)
class Ranking:
    prepared: PreparedQuery
    articles: list[RankedArticle] = field(default_factory=list)
    used_fuzzy: bool = False
    coverage: float = 0.0
    typo_matches: dict[str, frozenset[str]] = field(default_factory=dict)

    def stems(self, language: str) -> frozenset[str]:
        """The analysed words to mark in a text of `language`: the query's, and those matched in place of typos."""
        return self.prepared.stems(language) | self.typo_matches.get(language, frozenset())

    @property
    def article_ids(self) -> list[int]:
        return [article.id for article in self.articles]


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("article_id", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("language_code", fast=True)
    for language, (title, body) in FIELDS.items():
        builder.add_text_field(title, tokenizer_name="whitespace")
        builder.add_text_field(body, tokenizer_name="whitespace")
        builder.add_text_field(ALL_FIELDS[language], tokenizer_name="whitespace", index_option="basic")
    return builder.build()


def row_document(row: IndexRow) -> tantivy.Document:
    from knowledge.analysis import analyze

    language = row.language if row.language in LANGUAGES else "ru"
    title, body = FIELDS[language]
    document = tantivy.Document()
    document.add_unsigned("article_id", row.id)
    document.add_unsigned("language_code", LANGUAGE_CODES[language])
    title_words, body_words = " ".join(analyze(row.title, language)), " ".join(analyze(row.body, language))
    document.add_text(title, title_words)
    document.add_text(body, body_words)
    document.add_text(ALL_FIELDS[language], f"{title_words} {body_words}")
    return document


def translation_rows(ids: Iterable[int] | None = None) -> Iterator[IndexRow]:
    """Published translations of live articles (of these articles only, when given)."""
    from knowledge.models import ArticleTranslation

    rows = ArticleTranslation.objects.filter(article__is_archived=False)
    if ids is not None:
        rows = rows.filter(article_id__in=list(ids))
    for article_id, language, title, body in (
        rows.order_by("pk").values_list("article_id", "language", "title", "body").iterator(chunk_size=500)
    ):
        yield IndexRow(id=article_id, language=language, title=title, body=body)


def build_index(directory: Path | str, rows: Iterable[IndexRow | tuple[int, str, str, str]]) -> TantivyBackend:
    """An index in `directory` holding exactly these rows (whatever was there is replaced), ready to query."""
    backend = TantivyBackend(directory)
    backend.write_all(IndexRow(*row) if isinstance(row, tuple) else row for row in rows)
    return backend


def query_index(backend: TantivyBackend, query: str, limit: int = 10) -> Ranking:
    """Articles for the query, best first (analysis, vocabulary, matching and ranking; no database texts)."""
    return backend.rank(query, limit)


class TantivyBackend:
    name = "tantivy"

    def __init__(self, directory: Path | str) -> None:
        self.path = Path(directory) / f"v{SCHEMA_VERSION}"
        self.schema = build_schema()
        self._index: tantivy.Index | None = None
        self._seen_meta: tuple[int, int, int] | None = None
        self._lexicons: dict[str, Lexicon] = {}
        self._roots: Roots | None = None
        self._texts: dict[str, int] | None = None
        self._lock = threading.RLock()

    # --- Opening and reloading ---------------------------------------------------------------------------

    def _open(self) -> tantivy.Index:
        with self._lock:
            if self._index is None:
                self.path.mkdir(parents=True, exist_ok=True)
                self._index = tantivy.Index(self.schema, path=str(self.path))
            return self._index

    def is_built(self) -> bool:
        return (self.path / BUILT_MARKER).exists()

    def ensure_built(self) -> None:
        if not self.is_built():
            logger.warning("knowledge search: no index in %s yet; building it from the database", self.path)
            self.rebuild()

    def searcher(self) -> tantivy.Searcher:
        """The current searcher, reloaded when another process (or this one) committed since the last query."""
        index = self._open()
        try:
            meta = (self.path / "meta.json").stat()
            # tantivy replaces meta.json at each commit (new inode); mtime alone is too coarse (kernel ticks).
            changed: tuple[int, int, int] | None = (meta.st_ino, meta.st_mtime_ns, meta.st_size)
        except FileNotFoundError:
            changed = None
        with self._lock:
            if changed != self._seen_meta:
                index.reload()
                self._seen_meta = changed
                self._lexicons, self._texts, self._roots = {}, None, None
        return index.searcher()

    def _texts_per_language(self, searcher: tantivy.Searcher) -> dict[str, int]:
        """How many texts the index holds in each language (counted once after each change)."""
        with self._lock:
            if self._texts is None:
                languages = {"languages": {"terms": {"field": "language_code", "size": len(LANGUAGES)}}}
                found = searcher.aggregate(tantivy.Query.all_query(), languages)["languages"]["buckets"]
                self._texts = {LANGUAGES[bucket["key"]]: bucket["doc_count"] for bucket in found}
            return self._texts

    def _lexicon_of(self, searcher: tantivy.Searcher) -> Callable[[str], Lexicon]:
        """The words of each language of this searcher's index, built at the first typo after each change."""

        def lexicon(language: str) -> Lexicon:
            with self._lock:
                if language not in self._lexicons:
                    self._lexicons[language] = Lexicon.of_fields(searcher, FIELDS[language])
                return self._lexicons[language]

        return lexicon

    def _roots_of(self, searcher: tantivy.Searcher) -> Callable[[], Roots]:
        """The Russian words of this searcher's index by derivational root, built at first use after each change."""

        def roots() -> Roots:
            with self._lock:
                if self._roots is None:
                    self._roots = Roots.of_field(searcher, ALL_FIELDS["ru"])
                return self._roots

        return roots

    # --- Writing ------------------------------------------------------------------------------------------

    def _acquire_writer(self, index: tantivy.Index, heap: int) -> tantivy.IndexWriter:
        delay, deadline = 0.05, time.monotonic() + WRITER_WAIT_SECONDS
        while True:
            try:
                return index.writer(heap, 1)
            except ValueError as error:
                if "LockBusy" not in str(error):
                    raise
                if time.monotonic() + delay > deadline:
                    raise IndexBusy(str(self.path)) from error
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    @contextmanager
    def _writer(self) -> Iterator[tantivy.IndexWriter]:
        writer = self._acquire_writer(self._open(), WRITER_HEAP_BYTES)
        try:
            yield writer
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
            with self._lock:
                self._seen_meta = None

    def rebuild(self) -> int:
        """The whole index from the database (published translations of live articles); readers keep the old
        one until the commit. Index directories of other schema versions are removed once it is written."""
        count = self.write_all(translation_rows())
        self.remove_stale_versions()
        return count

    def remove_stale_versions(self) -> list[Path]:
        """Delete the index directories of other SCHEMA_VERSIONs beside this one (`v1` when this is `v2`);
        returns what was removed. Only `v<number>` directories are touched."""
        removed = []
        for other in self.path.parent.iterdir():
            if other != self.path and other.is_dir() and STALE_VERSION.fullmatch(other.name):
                shutil.rmtree(other, ignore_errors=True)
                removed.append(other)
                logger.info("knowledge search: removed the index of an older schema in %s", other)
        return removed

    def write_all(self, rows: Iterable[IndexRow]) -> int:
        """The index replaced by exactly these rows, in one commit; returns how many were written."""
        count = 0
        with self._writer() as writer:
            self._take_pending()
            writer.delete_all_documents()
            for row in rows:
                writer.add_document(row_document(row))
                count += 1
        marker = {"schema": SCHEMA_VERSION, "built_at": timezone.now().isoformat(), "documents": count}
        (self.path / BUILT_MARKER).write_text(json.dumps(marker), encoding="utf-8")
        return count

    def defer(self, ids: Iterable[int]) -> None:
        """Remember articles to re-index with the next write (when the index was busy and nobody retries)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with (self.path / PENDING_FILE).open("a", encoding="utf-8") as pending:
            pending.write("".join(f"{article_id}\n" for article_id in ids))

    def _take_pending(self) -> set[int]:
        pending = self.path / PENDING_FILE
        try:
            lines = pending.read_text(encoding="utf-8").split()
            pending.unlink()
        except FileNotFoundError:
            return set()
        return {int(line) for line in lines if line.isdigit()}

    def index_articles(self, ids: Iterable[int]) -> None:
        """Re-index these articles' published translations (archived ones are left out), and any deferred."""
        if not self.is_built():
            self.rebuild()
            return
        with self._writer() as writer:
            ids = sorted(set(ids) | self._take_pending())
            for article_id in ids:
                writer.delete_documents_by_query(self._article_query(article_id))
            for row in translation_rows(ids):
                writer.add_document(row_document(row))

    def _article_query(self, article_id: int) -> tantivy.Query:
        # delete_documents_by_term does not match an unsigned field given a Python int (tantivy 0.27); a term
        # query does.
        return tantivy.Query.term_query(self.schema, "article_id", article_id)

    def remove(self, ids: Iterable[int]) -> None:
        if not self.is_built():
            return
        with self._writer() as writer:
            for article_id in set(ids):
                writer.delete_documents_by_query(self._article_query(article_id))

    # --- Searching ------------------------------------------------------------------------------------------

    def rank(self, query: str, limit: int = 10) -> Ranking:
        """Up to `limit` articles for the query, best first (no database access but the vocabulary)."""
        if not clean_query(query):
            return Ranking(prepared=prepare_query(query))
        self.ensure_built()
        searcher = self.searcher()
        vocabulary = current_vocabulary()
        prepared = prepare_query(query, known=_known_words(searcher, vocabulary), vocabulary=vocabulary)
        if prepared.is_empty:
            return Ranking(prepared=prepared)
        compiler = QueryCompiler(
            self.schema,
            searcher,
            self._lexicon_of(searcher),
            self._texts_per_language(searcher),
            self._roots_of(searcher),
        )
        compiled = compiler.compile(prepared)
        if compiled.query is None:
            return Ranking(prepared=prepared, coverage=compiled.coverage)
        # An article has at most one text per language: twice the limit in texts holds the best `limit` articles.
        found = searcher.search(compiled.query, 2 * limit, count=False)
        return Ranking(
            prepared=prepared,
            articles=best_per_article(searcher, found.hits)[:limit],
            used_fuzzy=compiled.used_fuzzy,
            coverage=compiled.coverage,
            typo_matches=compiled.typo_matches,
        )

    def search(self, query: str, language: str, limit: int = 10) -> SearchResult:
        ranking = self.rank(query, limit + SPARE_HITS)
        prepared = ranking.prepared
        return SearchResult(
            query=prepared.text,
            language=language,
            hits=load_hits(ranking, language, limit),
            repaired=prepared.repaired,
            used_fuzzy=ranking.used_fuzzy,
            coverage=ranking.coverage,
            backend=self.name,
        )


def _known_words(searcher: tantivy.Searcher, vocabulary: Vocabulary) -> Callable[[str], bool]:
    """Whether the index or the vocabulary knows a Cyrillic word (each part of a hyphenated one); stop words and
    single letters count as known."""
    from knowledge.analysis import analyze_word

    def known_part(word: str) -> bool:
        readings = {language: analyze_word(word, language) for language in LANGUAGES}
        if None in readings.values():
            return True
        return any(
            reading in vocabulary.words or searcher.doc_freq(ALL_FIELDS[language], reading) > 0
            for language, reading in readings.items()
            if reading
        )

    def known(text: str) -> bool:
        parts = [part for part in text.split("-") if part]
        return bool(parts) and all(known_part(part) for part in parts)

    return known


def best_per_article(searcher: tantivy.Searcher, hits: list[tuple[float, Any]]) -> list[RankedArticle]:
    """One entry per article (its best-scoring text), best first; ids and languages read from fast fields."""
    addresses = [address for _score, address in hits]
    ids = searcher.fast_field_values("article_id", addresses)
    codes = searcher.fast_field_values("language_code", addresses)
    best: dict[int, RankedArticle] = {}
    for (score, _address), article_id, code in zip(hits, ids, codes, strict=True):
        if article_id is not None and int(article_id) not in best:
            language = LANGUAGES[int(code or 0)]
            best[int(article_id)] = RankedArticle(id=int(article_id), score=score, language=language)
    return list(best.values())


def load_hits(ranking: Ranking, language: str, limit: int) -> list[SearchHit]:
    """Hits shown in the query's language when the article has a text in it, else in the matched language."""
    from knowledge.models import ArticleTranslation

    rows = (
        ArticleTranslation.objects.filter(article_id__in=ranking.article_ids, article__is_archived=False)
        .select_related("article__service")
        .only("article_id", "language", "title", "body", "article__slug", "article__service__slug")
    )
    by_article: dict[int, dict[str, Any]] = {}
    for row in rows:
        by_article.setdefault(row.article_id, {})[row.language] = row
    hits: list[SearchHit] = []
    for article in ranking.articles:
        translations = by_article.get(article.id)
        if not translations:
            continue
        row = translations.get(language) or translations.get(article.language) or next(iter(translations.values()))
        snippet, _found = highlight_analysed(row.body, row.language, ranking.stems(row.language))
        hits.append(
            SearchHit(
                article_id=article.id,
                slug=row.article.slug,
                title=row.title,
                snippet=snippet,
                language=row.language,
                service_slug=row.article.service.slug if row.article.service else None,
                score=article.score,
            )
        )
        if len(hits) == limit:
            break
    return hits
