"""Knowledge search benchmark: quality per spelling variant, baselines beside it, latency and build time.

    .venv/bin/python bench/search/run.py [--questions FILE] [--json] [--passages N] [--skip-scale]

Sets Django up itself (DEBUG=True; a throwaway database: SQLite under a temporary directory, or a new database on
the PostgreSQL server DATABASE_URL names, dropped at the end, where PostgreSQL's `russian` full text joins the
baselines; the index under the temporary directory), loads the reference data and the demo knowledge base with
the management commands, builds the index, then runs every question through our search
(`knowledge.search.search_articles`, whatever backend is configured) and through the baselines over the same
article texts. The process is pinned to one CPU core, so latencies are per query on one core, analysis included.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from bench.search.metrics import load_questions, percentiles, quality  # noqa: E402

TARGETS = {"mrr@10": 0.85, "p99_ms_100k": 5.0, "build_s_100k": 60.0}


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=HERE / "questions.jsonl")
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    parser.add_argument("--passages", type=int, default=100_000, help="size of the generated corpus")
    parser.add_argument("--skip-scale", action="store_true", help="no generated corpus (quality and demo only)")
    return parser.parse_args()


@contextmanager
def throwaway_database(workdir: Path) -> Iterator[None]:
    """DATABASE_URL pointed at a database of this run only: a SQLite file under `workdir`, or, when DATABASE_URL
    names a PostgreSQL server, a new database on it (dropped afterwards), so the run never writes into the
    database it was given."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = given or f"sqlite:///{workdir / 'bench.sqlite3'}"
        yield
        return
    import psycopg
    from psycopg import sql

    name = f"bench_search_{os.getpid()}"
    server = urlsplit(given)
    with psycopg.connect(given, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    os.environ["DATABASE_URL"] = urlunsplit(server._replace(path=f"/{name}"))
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(given, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def set_up_django(workdir: Path) -> None:
    os.environ["DEBUG"] = "True"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ["SEARCH_INDEX_DIR"] = str(workdir / "index")
    os.environ.setdefault("MEDIA_ROOT", str(workdir / "media"))
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def load_data() -> None:
    from django.core.management import call_command

    with redirect_stdout(io.StringIO()):
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_reference_data", verbosity=0)
        call_command("build_demo_knowledge_base", verbosity=0)
    from knowledge.search import rebuild_index

    rebuild_index()


def article_texts() -> list:
    from bench.search.baselines import Text
    from knowledge.models import ArticleTranslation

    rows = ArticleTranslation.objects.filter(article__is_archived=False).select_related("article")
    return [Text(row.article.slug, row.language, row.title, row.body) for row in rows.order_by("pk")]


def our_ranker(question: dict) -> list[str]:
    from knowledge.search import search_articles

    return [hit.slug for hit in search_articles(query=question["query"], language=question["lang"], limit=10)]


def baselines(texts: list) -> list:
    from django.db import connection

    from bench.search.baselines import Fts5Baseline, PostgresRussianBaseline, TantivyDefaultBaseline

    found = [Fts5Baseline(texts), TantivyDefaultBaseline(texts)]
    if connection.vendor == "postgresql":
        found.append(PostgresRussianBaseline(texts))
    return found


def timed(run, questions: list[dict]) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    for question in questions:
        started = time.perf_counter()
        run(question)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def scale_figures(texts: list, questions: list[dict], count: int, workdir: Path) -> dict:
    from bench.search.corpus import build_engine_index, engine_ranked_ids, generate

    passages = generate(texts, count)
    backend, build_seconds = build_engine_index(workdir / "generated-index", passages)
    for question in questions[:20]:  # warm-up: searcher, caches
        engine_ranked_ids(backend, question["query"])
    samples = timed(lambda question: engine_ranked_ids(backend, question["query"]), questions)
    return {"latency": percentiles(samples), "build_s": round(build_seconds, 2), "passages": count}


def run(arguments: argparse.Namespace, workdir: Path) -> dict:
    questions = load_questions(arguments.questions)
    set_up_django(workdir)
    load_data()
    texts = article_texts()
    for question in questions[:20]:  # warm-up: index load, caches
        our_ranker(question)
    report: dict = {"quality": quality(questions, our_ranker)}
    report["latency_ms"] = {"demo": percentiles(timed(our_ranker, questions))}
    report["baselines"] = {
        baseline.name: {"quality": quality(questions, lambda q, b=baseline: b.rank(q["query"]))}
        for baseline in baselines(texts)
    }
    if not arguments.skip_scale:
        scale = scale_figures(texts, questions, arguments.passages, workdir)
        report["latency_ms"]["100k"] = scale["latency"]
        report["build_s_100k"] = scale["build_s"]
        report["passages"] = scale["passages"]
    from django.conf import settings

    report["setup"] = {
        "backend": settings.SEARCH_BACKEND,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "questions": len(questions),
        "articles": len({text.slug for text in texts}),
        "translations": len(texts),
    }
    return report


def print_table(report: dict) -> None:
    systems = {"ours": report["quality"]} | {name: b["quality"] for name, b in report["baselines"].items()}
    variants = sorted({variant for figures in systems.values() for variant in figures})
    setup = report["setup"]
    print(
        f"{setup['questions']} questions, {setup['articles']} articles ({setup['translations']} translations), "
        f"backend {setup['backend']}, database {setup['database']}"
    )
    print(f"\n{'variant':<15}{'n':>4}  " + "  ".join(f"{name:>24}" for name in systems))
    print(f"{'':<21}" + "  ".join(f"{'MRR@10  R@1   R@5':>24}" for _ in systems))
    for variant in variants:
        count = report["quality"].get(variant, {}).get("questions", 0)
        cells = []
        for figures in systems.values():
            f = figures.get(variant)
            cells.append(f"{f['mrr@10']:>8.3f} {f['recall@1']:>5.2f} {f['recall@5']:>5.2f}" if f else f"{'-':>24}")
        print(f"{variant:<15}{count:>4}  " + "  ".join(f"{cell:>24}" for cell in cells))
    latency = report["latency_ms"]
    print(
        f"\nlatency per query, one core, analysis included (ms): demo KB p50 {latency['demo']['p50']:.2f} "
        f"p99 {latency['demo']['p99']:.2f} (full search: analysis, engine, database, snippets)"
    )
    if "100k" in latency:
        print(
            f"generated corpus of {report['passages']:,} passages: p50 {latency['100k']['p50']:.2f} "
            f"p99 {latency['100k']['p99']:.2f} (analysis and engine, no database); "
            f"index build {report['build_s_100k']:.1f} s"
        )
    misses = [v for v, f in report["quality"].items() if f["mrr@10"] < TARGETS["mrr@10"]]
    verdict = "met" if not misses else "missed in " + ", ".join(misses)
    print(f"\ntargets: MRR@10 >= {TARGETS['mrr@10']} in every variant: {verdict}")
    if "100k" in latency:
        fast = "met" if latency["100k"]["p99"] <= TARGETS["p99_ms_100k"] else "missed"
        quick = "met" if report["build_s_100k"] <= TARGETS["build_s_100k"] else "missed"
        print(f"  p99 <= {TARGETS['p99_ms_100k']} ms at 100k: {fast}; build <= {TARGETS['build_s_100k']} s: {quick}")


def main() -> None:
    arguments = parse_arguments()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with (
        tempfile.TemporaryDirectory(prefix="bench-search-") as workdir,
        throwaway_database(Path(workdir)),
    ):
        report = run(arguments, Path(workdir))
    if arguments.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_table(report)


if __name__ == "__main__":
    main()
