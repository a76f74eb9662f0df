"""A citizen files a complaint in a real browser (Debian's Chromium through Playwright) and signs it through a fake
NCALayer: a TLS websocket on 127.0.0.1 that answers the basics module's `sign` with the test PKI's keys.

A: in Kazakh, type 1, signed with the SIGN key: the number and the due date.
B: signed with the AUTH key: the refusal and the way to sign again; nothing filed.
C: NCALayer not running: the message in Kazakh, and in Russian after the language switch.
D: the citizen cancels in NCALayer: told so, nothing filed.
"""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.deadlines import review_due
from complaints.models import Complaint
from complaints.tests.conftest import eds_dirs, pki  # noqa: F401 - the test PKI and the folders the verifier reads
from complaints.tests.pki import CITIZEN_IIN, NcaTestPki
from directory.models import Territory
from directory.tests.fixtures import reference_territories  # noqa: F401 - KATO oblasts and districts
from portal.tests.conftest import DRIVING_LICENCE_SLUG
from portal.tests.fake_ncalayer import FakeNcaLayer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eds_dirs"),
    pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning"),
]

TIMEOUT_MS = 15_000
DESCRIPTION = "Жүргізуші куәлігі 15 жұмыс күнінде берілмеді."
NOT_RUNNING_KK = "Бұл компьютерде NCALayer іске қосылмаған."
NOT_RUNNING_RU = "NCALayer не запущен на этом компьютере."


@pytest.fixture
def ncalayer(pki: NcaTestPki, settings) -> Iterator[FakeNcaLayer]:  # noqa: F811
    fake = FakeNcaLayer(pki.sign).start()
    settings.NCALAYER_URL = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh context that accepts the fake NCALayer's self-signed certificate (as a citizen's browser accepts the
    real one's, which NCALayer installs)."""
    context = browser.new_context(base_url=live_server.url, locale="ru-RU", ignore_https_errors=True)
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def place(reference_territories: list[Territory]) -> tuple[Territory, Territory]:  # noqa: F811
    oblast = Territory.objects.filter(level="oblast", children__level="district").order_by("kato").first()
    assert oblast is not None
    district = oblast.children.filter(level="district").order_by("kato").first()
    assert district is not None
    return oblast, district


def fill_type_1(page: Any, place: tuple[Territory, Territory]) -> None:
    """From the home page: the complaint page, type 1, the form filled in, on to the signing page."""
    page.goto(reverse("portal:home"))
    page.locator("[data-testid=complaint-link]").click()
    page.locator("[data-testid=kind-service_order]").click()
    page.fill("#id_citizen_name", "Тестов Тест Тестович")
    page.fill("#id_citizen_iin", CITIZEN_IIN)
    page.fill("#id_email", "test@example.kz")
    page.select_option("#id_region", place[0].kato)
    page.select_option("#id_territory", place[1].kato)
    page.fill("#service-filter", "жүргізуші куәлігін алу")
    assert page.locator("#id_service").input_value() == DRIVING_LICENCE_SLUG
    page.fill("#id_description", DESCRIPTION)
    page.locator("[data-testid=complaint-continue]").click()
    page.locator("[data-testid=sign-button]").wait_for()


def due_now() -> str:
    return f"{timezone.localtime(review_due(filed_at=timezone.now(), kind='service_order')):%d.%m.%Y %H:%M}"


def test_a_citizen_files_a_complaint_in_kazakh_and_signs_it_with_ncalayer(
    page, ncalayer, published_services, place
) -> None:
    # given
    fill_type_1(page, place)
    assert page.locator("html").get_attribute("lang") == "kk"
    assert DESCRIPTION in page.locator("[data-testid=complaint-statement]").inner_text()
    assert page.locator("[data-testid=due-at]").inner_text() == due_now()
    # when
    page.locator("[data-testid=sign-button]").click()
    number = page.locator("[data-testid=complaint-number]")
    number.wait_for()
    # then
    complaint = Complaint.objects.get()
    assert number.inner_text().strip() == complaint.number
    assert page.get_by_role("heading", name="Шағымыңыз тіркелді").is_visible()
    assert complaint.due_at is not None
    assert page.locator("[data-testid=due-at]").inner_text() == f"{timezone.localtime(complaint.due_at):%d.%m.%Y %H:%M}"
    assert complaint.routed_to is not None
    assert page.locator("[data-testid=routed-to]").inner_text() == complaint.routed_to.name_kk
    # and NCALayer was asked as its basics module expects: the canonical document, detached CMS, a signing key
    (request,) = ncalayer.requests
    assert (request["module"], request["method"]) == ("kz.gov.pki.knca.basics", "sign")
    args = request["args"]
    assert (args["format"], args["locale"], args["signerParams"]["extKeyUsageOids"]) == (
        "cms",
        "kk",
        ["1.3.6.1.5.5.7.3.4"],
    )
    assert args["signingParams"] == {"decode": True, "encapsulate": False, "digested": False, "tsaProfile": {}}
    assert base64.b64decode(args["data"]) == complaint.document.read()
    assert (complaint.description, complaint.citizen_iin, complaint.stated_territory) == (
        DESCRIPTION,
        CITIZEN_IIN,
        place[1].kato,
    )


def test_a_complaint_signed_with_the_auth_key_is_refused_with_the_way_back(
    page,
    ncalayer,
    pki: NcaTestPki,  # noqa: F811
    published_services,
    place,
) -> None:
    # given
    ncalayer.signer = pki.auth
    fill_type_1(page, place)
    # when
    page.locator("[data-testid=sign-button]").click()
    refusal = page.locator("[data-testid=refusal-message]")
    refusal.wait_for()
    # then
    assert "аутентификация кілтімен (AUTH)" in refusal.inner_text()
    assert not Complaint.objects.exists()
    # when the citizen signs again with the signing key
    ncalayer.signer = pki.sign
    page.locator("[data-testid=sign-button]").click()
    page.locator("[data-testid=complaint-number]").wait_for()
    # then
    assert Complaint.objects.count() == 1


def test_ncalayer_not_running_is_explained_in_kazakh_and_in_russian(page, settings, published_services, place) -> None:
    # given nothing listens where the page looks for NCALayer
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.NCALAYER_URL = f"wss://127.0.0.1:{probe.getsockname()[1]}"
    fill_type_1(page, place)
    # when
    page.locator("[data-testid=sign-button]").click()
    error = page.locator("[data-testid=sign-error]")
    error.wait_for()
    # then
    assert NOT_RUNNING_KK in error.inner_text()
    assert page.locator("[data-testid=sign-button]").is_enabled()
    # when the citizen reads the page in Russian and tries again
    page.locator("[data-testid=lang-ru]").click()
    page.get_by_role("button", name="Подписать в NCALayer").click()
    error.wait_for()
    # then
    assert NOT_RUNNING_RU in error.inner_text()
    assert not Complaint.objects.exists()


def test_the_citizen_cancels_in_ncalayer(page, ncalayer, published_services, place) -> None:
    # given
    ncalayer.mode = "cancel"
    fill_type_1(page, place)
    # when
    page.locator("[data-testid=sign-button]").click()
    error = page.locator("[data-testid=sign-error]")
    error.wait_for()
    # then
    assert "Қол қою тоқтатылды." in error.inner_text()
    assert error.get_attribute("data-kind") == "cancelled"
    assert not Complaint.objects.exists()
