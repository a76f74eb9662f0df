"""A generated corpus of passages for scale figures: real sentences of the demo texts, recombined.

Each passage takes a real service name as title and 2-5 random real sentences of the same language as
body (seeded, so every run builds the same corpus). The index is built with the engine's public `build_index`
and queried with `query_index`: the same analysis, matching and ranking as the site's search, without the
database lookup of titles and snippets (those passages are not in the database).
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.search.baselines import Text

if TYPE_CHECKING:
    from knowledge.search.engine import IndexRow, TantivyBackend

SEED = 1414
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def sentences(texts: list[Text]) -> dict[str, list[str]]:
    """Real sentences of the demo texts by language (at least three words each)."""
    found: dict[str, list[str]] = {"kk": [], "ru": []}
    for text in texts:
        for sentence in _SENTENCE_END.split(text.body):
            if len(sentence.split()) >= 3:
                found[text.language].append(sentence.strip())
    return found


def generate(texts: list[Text], count: int) -> list[IndexRow]:
    """`count` passages alternating Kazakh and Russian, as index rows (id, language, title, body)."""
    from knowledge.search.engine import IndexRow

    rng = random.Random(SEED)
    pool = sentences(texts)
    titles = {language: [t.title for t in texts if t.language == language] for language in ("kk", "ru")}
    passages = []
    for number in range(count):
        language = "kk" if number % 2 == 0 else "ru"
        body = " ".join(rng.choice(pool[language]) for _ in range(rng.randint(2, 5)))
        passages.append(IndexRow(id=number + 1, language=language, title=rng.choice(titles[language]), body=body))
    return passages


def build_engine_index(directory: Path, passages: list[IndexRow]) -> tuple[TantivyBackend, float]:
    """An engine index over the passages, and the seconds the build took (analysis and indexing)."""
    from knowledge.search.engine import build_index

    started = time.perf_counter()
    backend = build_index(directory, passages)
    return backend, time.perf_counter() - started


def engine_ranked_ids(backend: TantivyBackend, query: str, limit: int = 10) -> list[int]:
    """What the engine ranks for a query (analysis, vocabulary, matching, ranking), without the database."""
    from knowledge.search.engine import query_index

    return query_index(backend, query, limit).article_ids
