"""Run the built-in SMTP receiver for the center's mailboxes until stopped (SIGTERM or Ctrl+C)."""

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from intake.email.smtp import start_receiver
from intake.mailboxes import mailboxes


class Command(BaseCommand):
    help = "Receive mail for the center's mailboxes over SMTP and register it as appeals."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=settings.INTAKE_SMTP_HOST)
        parser.add_argument("--port", type=int, default=settings.INTAKE_SMTP_PORT)

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        controller = start_receiver(options["host"], options["port"])
        addresses = ", ".join(box.address for box in mailboxes())
        self.stdout.write(f"SMTP receiver on {options['host']}:{options['port']} for {addresses}", ending="\n")
        self.stdout.flush()
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
