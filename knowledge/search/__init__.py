"""Knowledge search behind a small interface.

Callers use `search(query=..., language=..., channel=...)` (a `SearchResult`: hits, "did you mean", fuzzy) or
`search_articles(...)` (the hits only). The backend is chosen by `SEARCH_BACKEND`: "tantivy" (our kk/ru
analysis indexed in tantivy, the default) or "database" (folded substrings, no index). When the tantivy index
cannot be used the database backend answers, with a logged warning: a search never fails a page.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError

from knowledge.search.base import IndexBusy, SearchBackend, SearchHit, SearchResult
from knowledge.search.database import DatabaseBackend
from knowledge.search.text import MAX_QUERY_CHARS, MAX_TERMS, clean_query, fold_for_search, highlight, query_terms

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "DatabaseBackend",
    "IndexBusy",
    "SearchBackend",
    "SearchHit",
    "SearchResult",
    "clean_query",
    "fold_for_search",
    "get_backend",
    "highlight",
    "index_articles",
    "index_updates_batched",
    "query_terms",
    "rebuild_index",
    "remove_articles",
    "search",
    "search_articles",
]

logger = logging.getLogger(__name__)
LANGUAGES = ("kk", "ru")
MAX_LIMIT = 100

_lock = threading.Lock()
_engines: dict[str, SearchBackend] = {}


def get_backend() -> SearchBackend:
    """The configured backend; the tantivy one is opened once per process and index directory."""
    if getattr(settings, "SEARCH_BACKEND", "tantivy") == "database":
        return DatabaseBackend()
    from knowledge.search.engine import TantivyBackend

    directory = str(Path(settings.SEARCH_INDEX_DIR).resolve())
    with _lock:
        if directory not in _engines:
            _engines.clear()
            _engines[directory] = TantivyBackend(directory)
        return _engines[directory]


def search(*, query: str, language: str, limit: int = 10, channel: str | None = None) -> SearchResult:
    """Published, non-archived articles for the query, best first, one hit per article (in `language` when the
    article has a text in it). With a `channel` (portal, desk, api) a query that found nothing good is logged
    as a knowledge gap."""
    language = language if language in LANGUAGES else "kk"
    limit = max(1, min(int(limit), MAX_LIMIT))
    backend = get_backend()
    try:
        result = backend.search(query, language, limit)
    except IndexBusy:
        logger.warning("knowledge search: the index is being written; the database backend answers")
        result = DatabaseBackend().search(query, language, limit)
    except Exception:
        if isinstance(backend, DatabaseBackend):
            raise
        logger.exception("knowledge search: the %s backend failed; the database backend answers", backend.name)
        result = DatabaseBackend().search(query, language, limit)
    if channel and result.is_gap:
        _record_gap(result, channel)
    return result


def search_articles(*, query: str, language: str, limit: int = 10) -> list[SearchHit]:
    """The hits of `search` (for callers that need only them)."""
    return search(query=query, language=language, limit=limit).hits


def _record_gap(result: SearchResult, channel: str) -> None:
    from knowledge.services import record_search_gap

    try:
        record_search_gap(query=result.query, language=result.language, channel=channel)
    except DatabaseError:
        logger.warning("knowledge search: a knowledge gap could not be recorded", exc_info=True)


_batch = threading.local()


def index_articles(ids: Iterable[int]) -> None:
    """Re-index these articles now, or at the end of the enclosing `index_updates_batched` block."""
    pending = getattr(_batch, "ids", None)
    if pending is not None:
        pending.update(ids)
        return
    get_backend().index_articles(ids)


@contextmanager
def index_updates_batched() -> Iterator[None]:
    """Index updates requested inside the block (in this thread) are written once, at its end: a bulk load
    publishing hundreds of texts commits the index once instead of once per text."""
    if getattr(_batch, "ids", None) is not None:
        yield
        return
    pending: set[int] = set()
    _batch.ids = pending
    try:
        yield
    finally:
        _batch.ids = None
    if pending:
        backend = get_backend()
        try:
            backend.index_articles(pending)
        except IndexBusy:
            logger.warning("knowledge search: index busy after a bulk load; indexed with the next write")
            if hasattr(backend, "defer"):
                backend.defer(pending)


def remove_articles(ids: Iterable[int]) -> None:
    get_backend().remove(ids)


def rebuild_index() -> int:
    return get_backend().rebuild()
