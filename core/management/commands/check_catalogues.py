"""Refresh the catalogues from the code and fail on any untranslated or fuzzy entry.

Runs `makemessages` for kk and ru (needs GNU gettext), so a string added without its
translations fails CI. Kazakh and Russian must both be complete.
"""

from typing import Any

import polib
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core.management.commands.compile_catalogues import catalogue_files

LANGUAGES = ("kk", "ru")


class Command(BaseCommand):
    help = "Extract messages and fail when a kk or ru entry is missing or fuzzy."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command(
            "makemessages",
            locale=list(LANGUAGES),
            no_obsolete=True,
            add_location="file",
            ignore_patterns=[".venv/*", "staticfiles/*", "var/*", "bench/*", "*/tests/*", "conftest.py"],
            verbosity=0,
        )
        problems: list[str] = []
        for po_path in catalogue_files():
            language = po_path.parts[-3]
            if language not in LANGUAGES:
                continue
            catalogue = polib.pofile(str(po_path))
            for entry in catalogue:
                if entry.obsolete:
                    continue
                if "fuzzy" in entry.flags or not entry.translated():
                    problems.append(f"{po_path}: {language}: {entry.msgid!r}")
        if problems:
            listing = "\n".join(problems[:200])
            raise CommandError(f"{len(problems)} untranslated or fuzzy entries:\n{listing}")
        call_command("compile_catalogues")
        self.stdout.write(self.style.SUCCESS("kk and ru catalogues are complete"))
