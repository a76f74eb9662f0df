"""Take one message from standard input (a mail server's pipe delivery, or an .eml file kept aside)."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from intake import services
from intake.mailboxes import mailbox_for
from intake.models import InboundSource


class Command(BaseCommand):
    help = "Store one raw message from standard input and register it (exit code 75 asks the mail server to retry)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--mailbox", required=True, help="the center's address the message was delivered to")

    def handle(self, *args: Any, **options: Any) -> None:
        if mailbox_for(options["mailbox"]) is None:
            raise CommandError(f"{options['mailbox']} is not one of the center's mailboxes")
        raw = sys.stdin.buffer.read()
        try:
            accepted = services.accept_message(raw=raw, mailbox=options["mailbox"], source=InboundSource.PIPE)
        except (DatabaseError, OSError) as error:
            # EX_TEMPFAIL: the mail server keeps the message and tries again (any other code bounces it).
            self.stderr.write(f"temporary failure, try again later: {error}")
            sys.exit(75)
        self.stdout.write(f"{accepted.message.status} {accepted.message.key}")
