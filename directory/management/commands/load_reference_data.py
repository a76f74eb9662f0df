"""Load the real reference data: KATO territories, central bodies, regional akimats, public services.

Idempotent: a second run creates nothing and updates only what the files changed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory import reference
from directory.choices import TerritoryLevel
from directory.services import (
    ImportSummary,
    import_central_bodies,
    import_regional_akimats,
    import_services,
    import_territories,
)


def parse_levels(value: str) -> list[str]:
    levels = [level.strip() for level in value.split(",") if level.strip()]
    unknown = sorted(set(levels) - set(TerritoryLevel.values))
    if unknown or not levels:
        raise CommandError(f"--kato-levels: unknown level(s) {unknown}; choose from {', '.join(TerritoryLevel.values)}")
    return levels


class Command(BaseCommand):
    help = "Load KATO territories, central bodies, regional akimats and the egov.kz services register."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--kato-levels",
            default=",".join(TerritoryLevel.values),
            help="Comma-separated KATO levels to load (oblast,district,sub_district,settlement). Default: all.",
        )
        parser.add_argument("--services-limit", type=int, default=None, help="Load only the first N services.")
        parser.add_argument("--data-dir", type=Path, default=None, help="Default: settings.REFERENCE_DATA_DIR.")

    def handle(self, *args: Any, **options: Any) -> None:
        levels = parse_levels(options["kato_levels"])
        limit = options["services_limit"]
        if limit is not None and limit < 0:
            raise CommandError("--services-limit must be zero or more")
        directory = options["data_dir"]
        try:
            self._run(
                "territories", lambda: import_territories(rows=reference.read_kato(directory=directory, levels=levels))
            )
            self._run(
                "central bodies", lambda: import_central_bodies(rows=reference.read_central_bodies(directory=directory))
            )
            self._run(
                "regional akimats",
                lambda: import_regional_akimats(rows=reference.read_regional_akimats(directory=directory)),
            )
            self._run(
                "services", lambda: import_services(rows=reference.read_services(directory=directory), limit=limit)
            )
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"Cannot read the reference data: {error}") from error

    def _run(self, label: str, step: Any) -> None:
        started = time.monotonic()
        summary: ImportSummary = step()
        self.stdout.write(
            f"{label}: {summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged"
            + (f", {summary.skipped} skipped" if summary.skipped else "")
            + f" ({time.monotonic() - started:.1f} s)"
        )
