"""Follow-up work of the knowledge base, queued after the transaction commits."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def refresh_search_index(article_id: int) -> None:
    """Bring the search index up to date with an article's published texts.

    The database backend reads `ArticleTranslation.search_text`, written at publication, so there is
    nothing more to do here; the tantivy backend re-indexes the article in this task.
    """
    logger.debug("knowledge: search index refresh requested for article %s", article_id)
