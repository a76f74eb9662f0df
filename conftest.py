"""Fixed characters for every test: one per role, an organisation and an outsider organisation.

Tests read `# given / # when / # then`. The characters are created through the services.
"""

import os
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from accounts.choices import Role
from accounts.services import create_staff_user
from directory.choices import OrganisationKind
from directory.models import Organisation

# Playwright's sync API runs an event loop in the test thread; the ORM calls in the same
# test are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Correct-Horse-1414"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate limits and throttles count in the cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Files tests store (attachments, raw mail, recordings) go to the test's own folder, never the repo's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    """PBKDF2 with production iterations costs ~0.3 s per user; tests don't need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_search_index(settings, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each test gets its own (empty, lazily built) knowledge search index directory.

    The index lives on the node that searches it; a Celery worker started for the CI run cannot see a
    per-test directory, so index refreshes run in the test's own process (other tasks still go to the worker).
    """
    from knowledge.tasks import refresh_search_index

    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    monkeypatch.setattr(
        refresh_search_index, "delay", lambda *args, **kwargs: refresh_search_index.apply(args=args, kwargs=kwargs)
    )


@pytest.fixture
def organisation(db: None) -> Organisation:
    return Organisation.objects.create(
        code="mvd",
        kind=OrganisationKind.CENTRAL_BODY,
        name_kk="ҚР Ішкі істер министрлігі",
        name_ru="Министерство внутренних дел РК",
        short_name_kk="ҚР ІІМ",
        short_name_ru="МВД РК",
        phone="+7 7172 72 24 24",
        email="kense@mvd.gov.kz",
        website="https://www.gov.kz/memleket/entities/qriim",
    )


@pytest.fixture
def other_organisation(db: None) -> Organisation:
    return Organisation.objects.create(
        code="mz",
        kind=OrganisationKind.CENTRAL_BODY,
        name_kk="ҚР Денсаулық сақтау министрлігі",
        name_ru="Министерство здравоохранения РК",
        short_name_kk="ҚР ДСМ",
        short_name_ru="МЗ РК",
    )


def _user(username: str, role: str, organisation: Organisation | None = None):  # type: ignore[no-untyped-def]
    return create_staff_user(
        username=username,
        password=PASSWORD,
        role=role,
        organisation=organisation,
        first_name=username.capitalize(),
        last_name="Testova",
    )


@pytest.fixture
def consultant(db: None):  # type: ignore[no-untyped-def]
    return _user("aigerim", Role.CONSULTANT)


@pytest.fixture
def supervisor(db: None):  # type: ignore[no-untyped-def]
    return _user("bolat", Role.SUPERVISOR)


@pytest.fixture
def editor(db: None):  # type: ignore[no-untyped-def]
    return _user("dana", Role.EDITOR)


@pytest.fixture
def officer(organisation: Organisation):  # type: ignore[no-untyped-def]
    return _user("erlan", Role.ORG_OFFICER, organisation)


@pytest.fixture
def outsider(other_organisation: Organisation):  # type: ignore[no-untyped-def]
    """An officer of another organisation: must be refused (404) on this organisation's objects."""
    return _user("farida", Role.ORG_OFFICER, other_organisation)


@pytest.fixture
def regulator(db: None):  # type: ignore[no-untyped-def]
    return _user("gulnar", Role.REGULATOR)


@pytest.fixture
def administrator(db: None):  # type: ignore[no-untyped-def]
    return _user("khan", Role.ADMIN)


@pytest.fixture
def integration(db: None):  # type: ignore[no-untyped-def]
    return _user("egov-portal", Role.INTEGRATION)


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def consultant_client(consultant) -> Client:  # type: ignore[no-untyped-def]
    return client_for(consultant)


@pytest.fixture
def supervisor_client(supervisor) -> Client:  # type: ignore[no-untyped-def]
    return client_for(supervisor)


@pytest.fixture
def editor_client(editor) -> Client:  # type: ignore[no-untyped-def]
    return client_for(editor)


@pytest.fixture
def officer_client(officer) -> Client:  # type: ignore[no-untyped-def]
    return client_for(officer)


@pytest.fixture
def outsider_client(outsider) -> Client:  # type: ignore[no-untyped-def]
    return client_for(outsider)


@pytest.fixture
def regulator_client(regulator) -> Client:  # type: ignore[no-untyped-def]
    return client_for(regulator)


@pytest.fixture
def admin_client_user(administrator) -> Client:  # type: ignore[no-untyped-def]
    return client_for(administrator)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's) per test process, shared by every app's browser tests (Playwright's sync
    API allows one instance per thread); each test opens its own context."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class SmtpInbox:
    """Messages received by a real SMTP server (aiosmtpd) on settings.EMAIL_PORT."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        with self.arrived:
            self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Message]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        return list(self.messages)

    def clear(self) -> None:
        with self.arrived:
            self.messages.clear()
            self.envelopes.clear()


def _smtp_port() -> int:
    """settings.EMAIL_PORT (where a Celery worker delivers in CI); one port further per xdist worker."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(settings.EMAIL_PORT) + int(worker.removeprefix("gw") or 0)


@pytest.fixture(scope="session")
def _smtp_controller() -> Iterator[SmtpInbox]:
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    controller = Controller(inbox, hostname=settings.EMAIL_HOST, port=_smtp_port())
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_inbox(_smtp_controller: SmtpInbox, settings) -> Iterator[SmtpInbox]:  # type: ignore[no-untyped-def]
    """A real SMTP server receiving what the platform sends (in-process or from the Celery worker)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_PORT = _smtp_port()
    _smtp_controller.clear()
    yield _smtp_controller
    _smtp_controller.clear()
