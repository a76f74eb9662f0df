"""What every search backend returns, and the interface it implements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.utils.safestring import SafeString

GAP_MIN_COVERAGE = 0.75


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    slug: str
    title: str
    snippet: SafeString
    language: str
    service_slug: str | None
    score: float


@dataclass(frozen=True)
class SearchResult:
    """Hits best first, and how the query was understood.

    `repaired`: the query as the analysis understood it when it differs from what was typed (wrong keyboard
    layout, Latin Kazakh): shown as "did you mean". `used_fuzzy`: some query words were unknown to the index
    and matched by edit distance. `coverage`: the share of the query's words matched (exactly, through the
    vocabulary, or allowing a typo), 0..1.
    """

    query: str
    language: str
    hits: list[SearchHit] = field(default_factory=list)
    repaired: str | None = None
    used_fuzzy: bool = False
    coverage: float = 0.0
    backend: str = ""

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __bool__(self) -> bool:
        return bool(self.hits)

    @property
    def is_gap(self) -> bool:
        """Nothing good was found: no hit, or more than a quarter of the query's words match nothing in the
        knowledge base, even allowing a typo ("космодром байқоңыр": Baikonur is known, the cosmodrome is not)."""
        return bool(self.query) and (not self.hits or self.coverage < GAP_MIN_COVERAGE)


class IndexBusy(Exception):
    """Another writer holds the index (one writer per index directory); try again later."""


class SearchBackend(Protocol):
    name: str

    def search(self, query: str, language: str, limit: int) -> SearchResult: ...

    def index_articles(self, ids: Iterable[int]) -> None: ...

    def remove(self, ids: Iterable[int]) -> None: ...

    def rebuild(self) -> int: ...
