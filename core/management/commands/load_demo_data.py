"""Load the real reference data, build the demo knowledge base, and create the demo users.

Idempotent: running it again changes nothing that is already there.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts.choices import Role
from accounts.services import create_staff_user
from directory.models import Organisation
from telephony.demo import load_demo_telephony

DEMO_PASSWORD = "Demo-1414-bailanys"

# username, role, first name, last name, the organisation's short Russian name (officers and regulators)
DEMO_USERS: list[tuple[str, str, str, str, str]] = [
    ("consultant", Role.CONSULTANT, "Айгерім", "Сейітова", ""),
    ("consultant2", Role.CONSULTANT, "Дмитрий", "Ким", ""),
    ("supervisor", Role.SUPERVISOR, "Болат", "Жұмабаев", ""),
    ("editor", Role.EDITOR, "Дана", "Омарова", ""),
    ("officer", Role.ORG_OFFICER, "Ерлан", "Ахметов", "МВД РК"),
    ("regulator", Role.REGULATOR, "Гүлнар", "Исаева", "МЦРИАП РК"),
    ("admin", Role.ADMIN, "Хан", "Тәуекел", ""),
]


class Command(BaseCommand):
    help = "Load the real reference data and the demo knowledge base, and create demo users."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("load_reference_data", verbosity=options["verbosity"])
        call_command("build_demo_knowledge_base", verbosity=options["verbosity"])
        self._create_demo_users()
        load_demo_telephony()
        self.stdout.write(self.style.SUCCESS("Demo data ready"))

    def _create_demo_users(self) -> None:
        users = get_user_model().objects
        for username, role, first_name, last_name, organisation_name in DEMO_USERS:
            if users.filter(username=username).exists():
                continue
            organisation = (
                Organisation.objects.filter(short_name_ru=organisation_name).first() if organisation_name else None
            )
            create_staff_user(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                organisation=organisation,
                first_name=first_name,
                last_name=last_name,
                email=f"{username}@demo.1414.kz",
            )
