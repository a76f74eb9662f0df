"""`manage.py verify_recordings_package PACKAGE.zip` — check an export package against the center's own key."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recordings.package_verify import PackageError, verify_package
from recordings.signing import center_key


class Command(BaseCommand):
    help = (
        "Verify an export package of recordings: the manifest's signature (by the center's certificate unless "
        "--certificate names another), then every file against the manifest. Outside the platform, run "
        "`python -m recordings.package_verify` with the same arguments."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("package", type=Path)
        parser.add_argument("--certificate", type=Path, help="the signer's certificate (PEM) to pin")

    def handle(self, *args: Any, **options: Any) -> None:
        pinned = options["certificate"].read_bytes() if options["certificate"] else center_key().certificate_pem
        try:
            result = verify_package(options["package"], pinned_certificate=pinned)
        except PackageError as exc:
            raise CommandError(str(exc)) from exc
        for problem in result.problems:
            self.stderr.write(f"FAILED: {problem}")
        if not result.ok:
            raise CommandError(f"The package is not intact: {len(result.problems)} problem(s).")
        self.stdout.write(f"OK: {result.checked_files} files match the manifest signed by {result.signer}")
