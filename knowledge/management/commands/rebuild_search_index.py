"""Rebuild the knowledge search index from the database."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from knowledge.search import IndexBusy, get_backend


class Command(BaseCommand):
    help = "Rebuild the knowledge search index from the published articles (readers keep the old one meanwhile)."

    def handle(self, *args: Any, **options: Any) -> None:
        backend = get_backend()
        started = time.monotonic()
        try:
            count = backend.rebuild()
        except IndexBusy as error:
            raise CommandError(f"the search index is being written by another process ({error}); try again") from None
        self.stdout.write(
            f"knowledge: {backend.name} search index: {count} texts indexed in {time.monotonic() - started:.1f} s"
        )
