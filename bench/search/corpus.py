"""A generated corpus of passages for scale figures: real sentences of the demo texts, recombined.

Each passage takes a real service name as title and 2-5 random real sentences of the same language as
body (seeded, so every run builds the same corpus). The index is built with the engine's own schema and
document analysis; queries go through the engine's query preparation and compilation, without the database
lookup of titles and snippets (those passages are not in the database).
"""

from __future__ import annotations

import json
import random
import re
import time
from pathlib import Path
from types import SimpleNamespace

from bench.search.baselines import Text

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


def generate(texts: list[Text], count: int) -> list[SimpleNamespace]:
    """`count` passages alternating Kazakh and Russian, shaped like article translations for the engine."""
    rng = random.Random(SEED)
    pool = sentences(texts)
    titles = {language: [t.title for t in texts if t.language == language] for language in ("kk", "ru")}
    passages = []
    for number in range(count):
        language = "kk" if number % 2 == 0 else "ru"
        body = " ".join(rng.choice(pool[language]) for _ in range(rng.randint(2, 5)))
        passages.append(
            SimpleNamespace(
                article_id=number + 1,
                language=language,
                title=rng.choice(titles[language]),
                body=body,
                article=SimpleNamespace(slug=f"passage-{number + 1}"),
            )
        )
    return passages


def build_engine_index(directory: Path, passages: list[SimpleNamespace]) -> tuple[object, float]:
    """An engine backend over the passages, and the seconds the build took (analysis and indexing)."""
    from knowledge.search import engine

    backend = engine.TantivyBackend(directory)
    started = time.perf_counter()
    with backend._writer() as writer:
        for passage in passages:
            writer.add_document(engine.translation_document(passage))
    elapsed = time.perf_counter() - started
    marker = {"schema": engine.SCHEMA_VERSION, "documents": len(passages), "generated": True}
    (backend.path / engine.BUILT_MARKER).write_text(json.dumps(marker), encoding="utf-8")
    return backend, elapsed


def engine_ranked_ids(backend: object, query: str, limit: int = 10) -> list[int]:
    """What the engine ranks for a query (analysis, vocabulary, compilation, search), without the database."""
    from knowledge.search import engine
    from knowledge.search.query import prepare_query

    prepared = prepare_query(query)
    if prepared.is_empty:
        return []
    searcher = backend.searcher()
    compiled, _fuzzy, _coverage = engine.QueryCompiler(backend.schema, searcher, backend.matching).compile(prepared)
    if compiled is None:
        return []
    found = searcher.search(compiled, limit * engine.CANDIDATES_PER_HIT, count=False)
    return [article_id for article_id, _score, _language in engine._best_per_article(searcher, found.hits)][:limit]
