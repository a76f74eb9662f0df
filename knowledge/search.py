"""Knowledge search behind a small interface.

Callers use `search_articles(query=..., language=...)` and get `SearchHit`s. The backend here is
the database one (portable, no index to build); the tantivy backend with our own kk/ru analysis
replaces it behind the same interface (issue: knowledge search).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_CHARS = 300
MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    repaired: str | None = None


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    slug: str
    title: str
    snippet: SafeString
    language: str
    service_slug: str | None
    score: float


def query_terms(query: str) -> list[str]:
    """Words of the query (at least 2 letters), lower-cased, at most MAX_TERMS."""
    words = _WORD.findall(fold_for_search(query[:MAX_QUERY_CHARS]))
    return [word for word in words if len(word) >= 2][:MAX_TERMS]


# Citizens often type Kazakh without its special letters (қ→к, ә→а, ...): both the stored text and
# the query are folded the same way, so "кызмет" finds "қызмет". Every letter maps to exactly one
# letter, so a position in the folded text is the same position in the original (used by `highlight`).
_KAZAKH_FOLD = str.maketrans(
    {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и", "ё": "е"}
)


def _fold_char(char: str) -> str:
    folded = char.casefold()
    return folded if len(folded) == 1 else char.lower()


def fold_for_search(text: str) -> str:
    """Case-folded text with Kazakh letters and ё folded to their plain Cyrillic neighbours.

    Stored in ArticleTranslation.search_text at publication; the query goes through the same folding.
    The result has exactly the length of the input.
    """
    return "".join(_fold_char(char) for char in (text or "")).translate(_KAZAKH_FOLD)


def _match_spans(folded: str, terms: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for term in terms:
        spans.extend((match.start(), match.end()) for match in re.finditer(re.escape(term), folded))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _excerpt_anchor(folded: str, terms: list[str], spans: list[tuple[int, int]]) -> int:
    """Where the excerpt centres: the whole query as a phrase, else the first query word, else the first match."""
    for needle in (" ".join(terms), *terms[:1]):
        position = folded.find(needle) if needle else -1
        if position >= 0:
            return position
    return spans[0][0] if spans else 0


def highlight(text: str, terms: list[str], width: int = 220) -> SafeString:
    """An escaped excerpt around the first matching term, with matches wrapped in <mark>."""
    folded = fold_for_search(text)
    spans = _match_spans(folded, terms)
    start = max(0, _excerpt_anchor(folded, terms, spans) - width // 3)
    end = min(len(text), start + width)
    parts: list[str] = []
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(escape(text[cursor:span_start]))
        parts.append("<mark>" + escape(text[span_start:span_end]) + "</mark>")
        cursor = span_end
    parts.append(escape(text[cursor:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)


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


def search_articles(*, query: str, language: str, limit: int = 10) -> list[SearchHit]:
    """Published, non-archived articles matching every query word, best first.

    Each article appears once, in the query's language when it has a translation in it.
    """
    from knowledge.models import ArticleTranslation

    terms = query_terms(query)
    if not terms:
        return []
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
        score = _score(fold_for_search(row.title), row.search_text, terms) + (0.5 if row.language == language else 0.0)
        current = best.get(row.article_id)
        if current is None or score > current[0]:
            best[row.article_id] = (score, row)
    ranked = sorted(best.values(), key=lambda item: (-item[0], item[1].title))[:limit]
    return [
        SearchHit(
            article_id=row.article_id,
            slug=row.article.slug,
            title=row.title,
            snippet=highlight(row.body, terms),
            language=row.language,
            service_slug=row.article.service.slug if row.article.service else None,
            score=score,
        )
        for score, row in ranked
    ]


def search(*, query: str, language: str, limit: int = 10, channel: str | None = None) -> SearchResult:
    """Hits with what the engine understood of the query (`repaired`, for a "did you mean" line).

    `channel` names where the query came from (portal, desk, api), for the knowledge-gap list.
    """
    return SearchResult(hits=search_articles(query=query, language=language, limit=limit))
