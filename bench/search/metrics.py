"""Quality and latency figures: MRR@10, recall@1, recall@5 per variant; p50/p99 in milliseconds."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

Question = dict
Ranker = Callable[[Question], list[str]]


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        question = json.loads(line)
        missing = {"query", "lang", "variant", "expected"} - question.keys()
        if missing:
            raise SystemExit(f"{path}:{number}: missing {', '.join(sorted(missing))}")
        questions.append(question)
    return questions


def first_relevant_rank(ranked: list[str], expected: Iterable[str]) -> int | None:
    """1-based rank of the first expected slug among the results, or None."""
    wanted = set(expected)
    return next((rank for rank, slug in enumerate(ranked, start=1) if slug in wanted), None)


def quality(questions: list[Question], rank: Ranker) -> dict[str, dict[str, float]]:
    """Per variant: MRR@10, and recall@k = share of questions with an expected article in the top k."""
    ranks: dict[str, list[int | None]] = defaultdict(list)
    for question in questions:
        ranks[question["variant"]].append(first_relevant_rank(rank(question)[:10], question["expected"]))
    figures = {}
    for variant, found in sorted(ranks.items()):
        count = len(found)
        figures[variant] = {
            "mrr@10": round(sum(1 / r for r in found if r) / count, 3),
            "recall@1": round(sum(1 for r in found if r == 1) / count, 3),
            "recall@5": round(sum(1 for r in found if r and r <= 5) / count, 3),
            "questions": count,
        }
    return figures


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    if not ordered:
        return {"p50": 0.0, "p99": 0.0}

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    return {"p50": round(at(0.50), 3), "p99": round(at(0.99), 3)}
