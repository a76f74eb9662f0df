"""Compile every .po catalogue to .mo with polib (pure Python: no gettext needed to run)."""

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


def catalogue_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return sorted(path for path in base.glob("**/locale/*/LC_MESSAGES/*.po") if ".venv" not in path.parts)


class Command(BaseCommand):
    help = "Compile the kk and ru translation catalogues (.po → .mo)."

    def handle(self, *args: Any, **options: Any) -> None:
        for po_path in catalogue_files():
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            self.stdout.write(f"compiled {po_path.relative_to(settings.BASE_DIR)}")
