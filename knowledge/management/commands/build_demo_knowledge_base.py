"""Build the demo knowledge base from the public services register (idempotent)."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from knowledge.demo import build_demo_knowledge_base


class Command(BaseCommand):
    help = "One published article per active public service, from the official egov.kz texts (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        summary = build_demo_knowledge_base()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"knowledge: {summary.articles_created} articles created, "
            f"{summary.translations_published} translations published in {elapsed:.1f} s"
        )
        if summary.missing_texts:
            self.stdout.write(f"no source text for {len(summary.missing_texts)}: {', '.join(summary.missing_texts)}")
