"""Follow-up work of the knowledge base, queued after the transaction commits."""

import logging

from celery import shared_task

from knowledge.search import IndexBusy, get_backend, index_articles, rebuild_index

logger = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=True, max_retries=10, default_retry_delay=15)
def refresh_search_index(self, article_id: int) -> None:  # type: ignore[no-untyped-def]
    """Bring the search index up to date with an article's published texts (an archived article leaves it).

    Idempotent. When another writer holds the index a worker retries later; in-process (no broker), or when
    the retries run out, the article is remembered and indexed with the next write to the index.
    """
    try:
        index_articles([article_id])
    except IndexBusy:
        if not self.request.is_eager and self.request.retries < self.max_retries:
            raise self.retry() from None
        logger.warning("knowledge: search index busy; article %s is indexed with the next write", article_id)
        backend = get_backend()
        if hasattr(backend, "defer"):
            backend.defer([article_id])


@shared_task(bind=True, ignore_result=True, max_retries=6, default_retry_delay=300)
def rebuild_search_index(self) -> int:  # type: ignore[no-untyped-def]
    """The whole search index rebuilt from the database (nightly, by Celery beat at SEARCH_REBUILD_AT): a safety
    net for updates lost on the way, and it drops index directories of older schema versions. Returns how many
    texts were indexed. When another writer holds the index the worker retries later."""
    try:
        count = rebuild_index()
    except IndexBusy:
        if not self.request.is_eager and self.request.retries < self.max_retries:
            raise self.retry() from None
        logger.warning("knowledge: search index busy; the nightly rebuild is skipped")
        return 0
    logger.info("knowledge: search index rebuilt with %s texts", count)
    return count
