"""The phone queue's clock without Celery beat (make run): ends expired wrap-ups and offers waiting calls."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from telephony.tasks import dispatch_tick


class Command(BaseCommand):
    help = "Run the phone queue's safety tick every few seconds (production runs it from Celery beat)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=5.0, help="Seconds between ticks.")
        parser.add_argument("--once", action="store_true", help="Tick once and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            offered = dispatch_tick()
            if offered:
                self.stdout.write(f"offered {offered} waiting call(s)")
            if options["once"]:
                return
            time.sleep(options["every"])
            # A long-running loop must not hold a connection the database has since dropped.
            close_old_connections()
