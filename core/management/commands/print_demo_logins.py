from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from core.management.commands.load_demo_data import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the address of the platform and the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    @translation.override("en")
    def handle(self, *args: Any, **options: Any) -> None:
        url = self._url = options["url"]
        users = {u.username: u for u in get_user_model().objects.filter(username__in=[d[0] for d in DEMO_USERS])}
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Bailanys is starting on {url}"))
        self.stdout.write(f"  Citizen portal (Kazakh, switch to Russian at the top): {url}/")
        self.stdout.write(f"  Staff sign-in: {url}/accounts/login/   API docs: {url}/api/v1/docs/")
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _role, *_rest in DEMO_USERS:
            user = users.get(username)
            if user is None:
                continue
            organisation = f" — {user.organisation.name_ru}" if user.organisation else ""
            self.stdout.write(f"    {username:<12} {user.get_role_display()}{organisation}")
        self._print_mail_lines()
        self._print_phone_line()
        self.stdout.write("")

    def _print_mail_lines(self) -> None:
        """Where to send test mail: the built-in SMTP receiver `make run` starts, and the mailboxes it accepts."""
        if apps.is_installed("intake"):
            from intake.mailboxes import mailboxes

            server = f"{settings.INTAKE_SMTP_HOST}:{settings.INTAKE_SMTP_PORT}"
            boxes = mailboxes()
            self.stdout.write(f"  E-mail appeals: send mail by SMTP to {server}, to any of these mailboxes:")
            for box in boxes:
                self.stdout.write(f"    {box.address:<20} topic {box.topic or '—'}, queue {box.queue or '—'}")
            if boxes:
                example = f"swaks --server {server} --from you@example.kz --to {boxes[0].address}"
                self.stdout.write(f"    e.g. `{example} --header 'Subject: Test'`")
        self.stdout.write("  Acknowledgement and answer e-mails are written to var/outbox/ in this mode.")

    def _print_phone_line(self) -> None:
        from telephony.edges.pjsip.config import EdgeConfigError, EdgeSettings
        from telephony.models import ConsultantLine

        try:
            address = EdgeSettings.from_env().public_address()
        except EdgeConfigError:
            return
        self.stdout.write(f"  Phone line (SIP, e.g. `baresip` then `/dial {address}`): {address}")
        self.stdout.write("  Consultants' softphones must listen at (the edge rings them there):")
        for line in ConsultantLine.objects.select_related("user").order_by("extension"):
            languages = "+".join(line.languages)
            self.stdout.write(f"    {line.user.username:<12} ext. {line.extension}  {line.sip_uri}  ({languages})")
        self.stdout.write(f"  Supervisors' wallboard: {self._url}/telephony/wallboard/")
