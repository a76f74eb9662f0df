"""The tantivy backend: our kk/ru analysis, tantivy's engine.

One index document per published translation (article id, language, slug, analysed title and body indexed
with tantivy's `whitespace` tokenizer, since the tokens come out of `knowledge.analysis` already). Texts shown
to the user (titles, snippets) are read from the database, which also drops anything archived since the index
was last written.

Processes: every process opens the index directory and reloads its searcher when `meta.json` changed (one
`stat` per query). tantivy allows one writer per directory: writers wait with backoff and give up with
`IndexBusy` (the Celery task retries later).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tantivy
from django.utils import timezone

from knowledge.search.base import IndexBusy, SearchHit, SearchResult
from knowledge.search.query import PreparedQuery, prepare_query
from knowledge.search.text import highlight_analysed

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
BUILT_MARKER = "bailanys-index.json"
PENDING_FILE = "pending-articles.txt"
TITLE_BOOST = 3.0
FUZZY_MIN_CHARS = 4
FUZZY_TWO_EDITS_FROM = 8
CANDIDATES_PER_HIT = 4
# Articles read from the database beyond the limit, in case some were archived since the index was written.
SPARE_HITS = 5
WRITER_HEAP_BYTES = 50_000_000
WRITER_WAIT_SECONDS = 5.0
LANGUAGES = ("kk", "ru")
Occur = tantivy.Occur


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("article_id", stored=True, indexed=True, fast=True)
    builder.add_text_field("language", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("slug", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title", tokenizer_name="whitespace")
    builder.add_text_field("body", tokenizer_name="whitespace")
    return builder.build()


def translation_document(translation: Any) -> tantivy.Document:
    from knowledge.analysis import analyze

    document = tantivy.Document()
    document.add_unsigned("article_id", translation.article_id)
    document.add_text("language", translation.language)
    document.add_text("slug", translation.article.slug)
    document.add_text("title", " ".join(analyze(translation.title, translation.language)))
    document.add_text("body", " ".join(analyze(translation.body, translation.language)))
    return document


def live_translations(ids: Iterable[int] | None = None) -> Iterator[Any]:
    from knowledge.models import ArticleTranslation

    rows = ArticleTranslation.objects.filter(article__is_archived=False).select_related("article")
    if ids is not None:
        rows = rows.filter(article_id__in=list(ids))
    return rows.order_by("pk").iterator(chunk_size=500)


class TantivyBackend:
    name = "tantivy"
    # "split": Kazakh analysis of the query against Kazakh texts, Russian against Russian; "union": every
    # analysed word against every text.
    matching = "split"

    def __init__(self, directory: Path | str) -> None:
        self.path = Path(directory) / f"v{SCHEMA_VERSION}"
        self.schema = build_schema()
        self._index: tantivy.Index | None = None
        self._seen_meta: tuple[int, int, int] | None = None
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
        return index.searcher()

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
        one until the commit."""
        count = 0
        with self._writer() as writer:
            self._take_pending()
            writer.delete_all_documents()
            for translation in live_translations():
                writer.add_document(translation_document(translation))
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
            for translation in live_translations(ids):
                writer.add_document(translation_document(translation))

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

    def search(self, query: str, language: str, limit: int = 10) -> SearchResult:
        prepared = prepare_query(query)
        empty = SearchResult(query=prepared.text, language=language, repaired=prepared.repaired, backend=self.name)
        if prepared.is_empty:
            return empty
        self.ensure_built()
        searcher = self.searcher()
        compiled, used_fuzzy, coverage = QueryCompiler(self.schema, searcher, self.matching).compile(prepared)
        if compiled is None:
            return empty
        found = searcher.search(compiled, limit * CANDIDATES_PER_HIT, count=False)
        ranked = _best_per_article(searcher, found.hits)
        hits = load_hits(ranked, prepared, language, limit, matching=self.matching)
        return SearchResult(
            query=prepared.text,
            language=language,
            hits=hits,
            repaired=prepared.repaired,
            used_fuzzy=used_fuzzy,
            coverage=coverage,
            backend=self.name,
        )


class QueryCompiler:
    """Analysed words → a tantivy query: each word in title (boosted) or body; words the index does not know
    by edit distance (1, or 2 for long words); vocabulary phrases as phrase queries."""

    def __init__(self, schema: tantivy.Schema, searcher: tantivy.Searcher, matching: str) -> None:
        self.schema, self.searcher, self.matching = schema, searcher, matching
        self.used_fuzzy = False
        self.allow_fuzzy = True
        self.fuzzy_matched: set[str] = set()

    def compile(self, prepared: PreparedQuery) -> tuple[tantivy.Query | None, bool, float]:
        if self.matching == "union":
            terms = tuple(dict.fromkeys(prepared.terms["kk"] + prepared.terms["ru"]))
            phrases = tuple(dict.fromkeys(prepared.phrases["kk"] + prepared.phrases["ru"]))
            sides = [(None, terms, phrases)]
        else:
            sides = [(language, prepared.terms[language], prepared.phrases[language]) for language in LANGUAGES]
        # A query word that belongs to a vocabulary phrase counts as understood even when no text uses it.
        expansion_words = frozenset(word for language in LANGUAGES for p in prepared.phrases[language] for word in p)
        coverage = max((self._coverage(terms, expansion_words) for _, terms, _ in sides), default=0.0)
        # Edit distance only when no analysis of the query is fully known: "налог" read as Russian is known, so
        # its Kazakh reading is not matched approximately either.
        self.allow_fuzzy = coverage < 1.0
        queries = [query for query in (self._side(*side) for side in sides) if query is not None]
        # Words found allowing a typo count as understood too; words nothing matches make the query a gap.
        covered = expansion_words | self.fuzzy_matched
        coverage = max((self._coverage(terms, covered) for _, terms, _ in sides), default=0.0)
        if not queries:
            return None, self.used_fuzzy, coverage
        return tantivy.Query.boolean_query([(Occur.Should, query) for query in queries]), self.used_fuzzy, coverage

    def _known(self, term: str) -> bool:
        return self.searcher.doc_freq("title", term) + self.searcher.doc_freq("body", term) > 0

    def _coverage(self, terms: tuple[str, ...], covered: frozenset[str]) -> float:
        if not terms:
            return 0.0
        return sum(1 for term in terms if term in covered or self._known(term)) / len(terms)

    def _in_title_or_body(self, make: Any) -> tantivy.Query:
        title = tantivy.Query.boost_query(make("title"), TITLE_BOOST)
        return tantivy.Query.boolean_query([(Occur.Should, title), (Occur.Should, make("body"))])

    def _term(self, term: str) -> tantivy.Query | None:
        if self._known(term):
            return self._in_title_or_body(lambda field: tantivy.Query.term_query(self.schema, field, term))
        if not self.allow_fuzzy or len(term) < FUZZY_MIN_CHARS:
            return None
        distance = 2 if len(term) >= FUZZY_TWO_EDITS_FROM else 1
        query = self._in_title_or_body(lambda field: tantivy.Query.fuzzy_term_query(self.schema, field, term, distance))
        if not self.searcher.search(query, 1, count=False).hits:
            return None
        self.used_fuzzy = True
        self.fuzzy_matched.add(term)
        return query

    def _phrase(self, phrase: tuple[str, ...]) -> tantivy.Query | None:
        if len(phrase) == 1:
            return self._term(phrase[0]) if self._known(phrase[0]) else None
        if not all(self._known(word) for word in phrase):
            return None
        return self._in_title_or_body(lambda field: tantivy.Query.phrase_query(self.schema, field, list(phrase)))

    def _side(self, language: str | None, terms: tuple[str, ...], phrases: tuple) -> tantivy.Query | None:  # type: ignore[type-arg]
        clauses = [clause for clause in [*map(self._term, terms), *map(self._phrase, phrases)] if clause is not None]
        if not clauses:
            return None
        matching = tantivy.Query.boolean_query([(Occur.Should, clause) for clause in clauses])
        if language is None:
            return matching
        in_language = tantivy.Query.term_query(self.schema, "language", language)
        return tantivy.Query.boolean_query([(Occur.Must, in_language), (Occur.Must, matching)])


def _best_per_article(searcher: tantivy.Searcher, hits: list[tuple[float, Any]]) -> list[tuple[int, float, str]]:
    """(article id, best score, language of the best-matching translation), best first."""
    best: dict[int, tuple[float, str]] = {}
    for score, address in hits:
        document = searcher.doc(address)
        article_id, language = document.get_first("article_id"), document.get_first("language")
        if article_id not in best or score > best[article_id][0]:
            best[article_id] = (score, language)
    return sorted(((pk, score, lang) for pk, (score, lang) in best.items()), key=lambda item: -item[1])


def load_hits(
    ranked: list[tuple[int, float, str]], prepared: PreparedQuery, language: str, limit: int, *, matching: str
) -> list[SearchHit]:
    """Hits shown in the query's language when the article has a text in it, else in the matched language."""
    from knowledge.models import ArticleTranslation

    ranked = ranked[: limit + SPARE_HITS]
    ids = [article_id for article_id, _score, _language in ranked]
    rows = (
        ArticleTranslation.objects.filter(article_id__in=ids, article__is_archived=False)
        .select_related("article__service")
        .only("article_id", "language", "title", "body", "article__slug", "article__service__slug")
    )
    by_article: dict[int, dict[str, Any]] = {}
    for row in rows:
        by_article.setdefault(row.article_id, {})[row.language] = row
    hits: list[SearchHit] = []
    for article_id, score, matched_language in ranked:
        translations = by_article.get(article_id)
        if not translations:
            continue
        row = translations.get(language) or translations.get(matched_language) or next(iter(translations.values()))
        stems = prepared.all_stems() if matching == "union" else prepared.stems(row.language)
        snippet, _found = highlight_analysed(row.body, row.language, stems)
        hits.append(
            SearchHit(
                article_id=article_id,
                slug=row.article.slug,
                title=row.title,
                snippet=snippet,
                language=row.language,
                service_slug=row.article.service.slug if row.article.service else None,
                score=score,
            )
        )
        if len(hits) == limit:
            break
    return hits
