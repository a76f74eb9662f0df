"""The database backend: folded substrings in `ArticleTranslation.search_text` (portable, no index to build).

Kept as the fallback when the tantivy index cannot be used, and for installs that choose it
(SEARCH_BACKEND=database). Every query word must occur; no stemming, no typo tolerance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Q

from knowledge.search.base import SearchHit, SearchResult
from knowledge.search.text import clean_query, fold_for_search, highlight, query_terms


def _occurrence_score(text: str, term: str, *, weight: float) -> float:
    """A word starting with the term counts fully, the term inside a word half."""
    if re.search(rf"(?<!\w){re.escape(term)}", text):
        return weight
    return weight / 2 if term in text else 0.0


def _score(title: str, text: str, terms: list[str]) -> float:
    score = sum(
        max(_occurrence_score(title, term, weight=3.0), _occurrence_score(text, term, weight=1.0)) for term in terms
    )
    phrase = " ".join(terms)
    if len(terms) > 1 and phrase in title:
        score += 3.0
    elif len(terms) > 1 and phrase in text:
        score += 1.0
    return score


class DatabaseBackend:
    name = "database"

    def search(self, query: str, language: str, limit: int = 10) -> SearchResult:
        """Published, non-archived articles matching every query word, best first.

        Each article appears once, in the query's language when it has a translation in it.
        """
        from knowledge.models import ArticleTranslation

        query = clean_query(query)
        terms = query_terms(query)
        if not terms:
            return SearchResult(query=query, language=language, backend=self.name)
        condition = Q()
        for term in terms:
            condition &= Q(search_text__contains=term)
        rows = (
            ArticleTranslation.objects.filter(condition, article__is_archived=False)
            .select_related("article__service")
            .order_by("article_id", "language")[:500]
        )
        best: dict[int, tuple[float, ArticleTranslation]] = {}
        for row in rows:
            score = _score(fold_for_search(row.title), row.search_text, terms) + (
                0.5 if row.language == language else 0
            )
            current = best.get(row.article_id)
            if current is None or score > current[0]:
                best[row.article_id] = (score, row)
        ranked = sorted(best.values(), key=lambda item: (-item[0], item[1].title))[:limit]
        hits = [_hit(row, score, terms) for score, row in ranked]
        return SearchResult(query=query, language=language, hits=hits, coverage=1.0 if hits else 0.0, backend=self.name)

    def index_articles(self, ids: Iterable[int]) -> None:
        """Nothing to do: `search_text` is written at publication."""

    def remove(self, ids: Iterable[int]) -> None:
        """Nothing to do: archived articles are filtered out by the query."""

    def rebuild(self) -> int:
        return 0


def _hit(row, score: float, terms: list[str]) -> SearchHit:  # type: ignore[no-untyped-def]
    return SearchHit(
        article_id=row.article_id,
        slug=row.article.slug,
        title=row.title,
        snippet=highlight(row.body, terms),
        language=row.language,
        service_slug=row.article.service.slug if row.article.service else None,
        score=score,
    )
