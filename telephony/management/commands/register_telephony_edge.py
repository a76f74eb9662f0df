"""Register (or re-key) a telephony edge and print the secret to give it."""

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from telephony.services import register_edge


class Command(BaseCommand):
    help = "Register a telephony edge (a PJSIP edge or a PBX adapter) and print its shared secret."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The edge's name, as it sends it in X-Bailanys-Edge.")
        parser.add_argument(
            "--control-prefix",
            required=True,
            help="Commands go only to control addresses starting with this, e.g. http://10.0.5.7:",
        )
        parser.add_argument("--secret", default="", help="Use this secret instead of a new random one.")

    def handle(self, *args: Any, **options: Any) -> None:
        secret = options["secret"] or secrets.token_urlsafe(32)
        edge = register_edge(name=options["name"], secret=secret, control_url_prefix=options["control_prefix"])
        self.stdout.write(f"Edge {edge.name} registered. Give it TELEPHONY_EDGE_SECRET={secret}")
