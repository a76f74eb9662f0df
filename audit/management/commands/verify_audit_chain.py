from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.selectors import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and report the first broken link."

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify_chain()
        if not verdict.intact:
            raise CommandError(
                f"Audit chain broken at event #{verdict.broken_at}: {verdict.reason} "
                f"({verdict.checked} events before it are intact)"
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {verdict.checked} events verified"))
