"""Complaints on the portal (issue 7, the citizen's side): the explanation, the form of each type with the
regulation's fields, the signing page, the submit step with real test-PKI signatures, the done page and tracking.

Signatures are made with the NCA-shaped test PKI (complaints/tests/pki.py) exactly as NCALayer makes them (detached
CMS over the canonical document), and verified for real by `complaints.services.file_complaint`.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from complaints.choices import ComplaintKind, ComplaintStatus
from complaints.deadlines import review_due
from complaints.documents import canonical_document, clean_draft
from complaints.models import Complaint
from complaints.services import answer_complaint
from complaints.tests.conftest import eds_dirs, pki  # noqa: F401 - the test PKI and the folders the verifier reads
from complaints.tests.pki import CITIZEN_IIN, NcaTestPki, detached_cms
from directory.models import Organisation, Service, Territory
from directory.tests.fixtures import reference_territories  # noqa: F401 - KATO oblasts and districts
from portal.tests.conftest import DRIVING_LICENCE_SLUG

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("eds_dirs"),
    pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning"),  # NCA names pass 64 bytes
]

SERVICE_ORDER = ComplaintKind.SERVICE_ORDER.value
OFFICIAL_CONDUCT = ComplaintKind.OFFICIAL_CONDUCT.value
DESCRIPTION = "Жүргізуші куәлігі 15 жұмыс күнінде берілмеді, стандарт бойынша мерзімі — 5 күн."
REQUIRED_KK = "Бұл шағым түрі үшін бұл өріс міндетті."
REQUIRED_RU = "Для этого типа жалобы это поле обязательно."
SIGN_KEY_KK = "Құжатқа аутентификация кілтімен (AUTH) қол қойылған."


def russian_client() -> Client:
    client = Client()
    client.cookies["bailanys_language"] = "ru"
    return client


def new_url(kind: str) -> str:
    return reverse("portal:complaint_new", kwargs={"kind": kind})


def due_now(kind: str) -> str:
    return f"{timezone.localtime(review_due(filed_at=timezone.now(), kind=kind)):%d.%m.%Y %H:%M}"


def citizen_fields(client: Client, kind: str, **fields: str) -> dict[str, str]:
    """The citizen's part of the form, with the token the form page gave."""
    page = client.get(new_url(kind)).content.decode()
    token = re.search(r'name="form_token" value="([0-9a-f-]{36})"', page)
    assert token is not None
    data = {
        "form_token": token.group(1),
        "citizen_iin": CITIZEN_IIN,
        "citizen_name": "Тестов Тест Тестович",
        "phone": "8 701 123 45 67",
        "email": "test@example.kz",
    }
    data.update(fields)
    return data


@pytest.fixture
def place(reference_territories: list[Territory]) -> tuple[Territory, Territory]:  # noqa: F811
    oblast = Territory.objects.filter(level="oblast", children__level="district").order_by("kato").first()
    assert oblast is not None
    return oblast, oblast.children.filter(level="district").order_by("kato").first()  # type: ignore[return-value]


@pytest.fixture
def licence(published_services: list[Service]) -> Service:
    return Service.objects.get(slug=DRIVING_LICENCE_SLUG)


def fill_service_order(client: Client, place: tuple[Territory, Territory], **fields: str) -> Any:
    data = citizen_fields(
        client,
        SERVICE_ORDER,
        service=DRIVING_LICENCE_SLUG,
        description=DESCRIPTION,
        region=place[0].kato,
        territory=place[1].kato,
    )
    data.update(fields)
    return client.post(new_url(SERVICE_ORDER), data)


def signing_page(client: Client, response: Any) -> tuple[str, str, bytes]:
    """(page, form token, canonical document) of the signing page the form sent the citizen to."""
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    token = re.search(r'name="form_token" value="([0-9a-f-]{36})"', page)
    document = re.search(r'name="document" value="([A-Za-z0-9+/=]+)"', page)
    assert token is not None and document is not None
    return page, token.group(1), base64.b64decode(document.group(1))


def submit(client: Client, token: str, document: bytes, signature: bytes) -> Any:
    return client.post(
        reverse("portal:complaint_submit"),
        {
            "form_token": token,
            "document": base64.b64encode(document).decode(),
            "signature": base64.b64encode(signature).decode(),
        },
    )


# --- The explanation (clause 12) -----------------------------------------------------------------------------------


def test_the_complaint_page_explains_filing_in_kazakh_with_the_review_period_as_dates() -> None:
    # when
    body = Client().get(reverse("portal:complaint_about")).content.decode()
    # then
    assert "Шағым беру" in body
    assert "NCALayer" in body
    assert "Мемлекеттік қызмет көрсету тәртібі" in body  # the type of complaint, in Kazakh
    for kind in (SERVICE_ORDER, OFFICIAL_CONDUCT):
        assert f'href="{new_url(kind)}"' in body
        assert due_now(kind) in body


def test_the_complaint_page_in_russian(settings) -> None:
    # given a longer review period for complaints about officials
    settings.POLICY = {**settings.POLICY, "COMPLAINT_REVIEW_WORKING_DAYS": {SERVICE_ORDER: 5, OFFICIAL_CONDUCT: 15}}
    # when
    body = russian_client().get(reverse("portal:complaint_about")).content.decode()
    # then
    assert "Подать жалобу" in body
    assert due_now(OFFICIAL_CONDUCT) != due_now(SERVICE_ORDER)
    assert due_now(OFFICIAL_CONDUCT) in body and due_now(SERVICE_ORDER) in body


def test_the_home_page_links_to_complaints() -> None:
    body = Client().get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:complaint_about")}"' in body


# --- The forms (clauses 13-15) ------------------------------------------------------------------------------------


def test_the_form_of_type_1_asks_for_the_service_and_the_non_compliance(licence, place) -> None:
    # when
    body = Client().get(new_url(SERVICE_ORDER)).content.decode()
    # then
    assert 'name="service"' in body and 'name="description"' in body
    assert f'value="{DRIVING_LICENCE_SLUG}"' in body
    assert f'value="{place[0].kato}"' in body and f'data-region="{place[0].kato}"' in body
    for absent in ("organisation", "official_surname", "reason", "demands"):
        assert f'name="{absent}"' not in body
    for common in ("citizen_iin", "citizen_name", "phone", "email", "attachments"):
        assert f'name="{common}"' in body


def test_the_form_of_type_2_asks_for_the_body_the_official_the_reason_and_the_demands(organisation) -> None:
    # when
    body = Client().get(new_url(OFFICIAL_CONDUCT)).content.decode()
    # then
    for present in ("organisation", "official_surname", "official_name", "official_patronymic", "reason", "demands"):
        assert f'name="{present}"' in body
    assert f'value="{organisation.code}"' in body
    assert 'name="service"' not in body and 'name="description"' not in body


def test_an_unknown_type_is_not_found() -> None:
    assert Client().get(new_url("anything")).status_code == 404


@pytest.mark.parametrize(
    ("kind", "required"),
    [
        (SERVICE_ORDER, ["service", "description"]),
        (OFFICIAL_CONDUCT, ["organisation", "official_surname", "official_name", "reason", "demands"]),
    ],
)
def test_the_regulations_required_fields_are_reported_beside_them_in_kazakh(kind, required, licence) -> None:
    # given a citizen who gave who they are but nothing of the complaint
    client = Client()
    data = citizen_fields(client, kind)
    # when
    response = client.post(new_url(kind), data)
    # then
    body = response.content.decode()
    assert response.status_code == 400
    for name in required:
        errors = re.search(rf'data-testid="error-{name}">(.*?)</ul>', body, re.S)
        assert errors is not None, name
        assert REQUIRED_KK in errors.group(1)
    assert 'data-testid="error-official_patronymic"' not in body  # the patronymic is optional
    assert 'value="Тестов Тест Тестович"' in body  # nothing typed is lost
    assert not Complaint.objects.exists()


def test_errors_in_russian_keep_what_was_typed(licence) -> None:
    # given
    client = russian_client()
    data = citizen_fields(client, SERVICE_ORDER, citizen_iin="870101300123", email="", phone="", description="Долго")
    # when
    response = client.post(new_url(SERVICE_ORDER), data)
    # then
    body = response.content.decode()
    assert response.status_code == 400
    assert REQUIRED_RU in re.search(r'data-testid="error-service">(.*?)</ul>', body, re.S).group(1)  # type: ignore[union-attr]
    assert 'data-testid="error-citizen_iin"' in body
    assert "Укажите телефон или адрес электронной почты для ответа." in body
    assert "Долго</textarea>" in body
    assert 'value="870101300123"' in body


def test_a_district_of_another_region_is_refused(licence, place) -> None:
    # given a district that is not in the region chosen
    other = Territory.objects.filter(level="district").exclude(parent=place[0]).first()
    assert other is not None
    # when
    response = fill_service_order(Client(), place, territory=other.kato)
    # then
    assert response.status_code == 400
    assert 'data-testid="error-territory"' in response.content.decode()


# --- The signing page ---------------------------------------------------------------------------------------------


def test_the_signing_page_shows_the_complaint_as_signed_with_the_due_date(licence, place) -> None:
    # given
    client = Client()
    # when
    page, _token, document = signing_page(client, fill_service_order(client, place))
    # then: the document is the canonical one of what was typed, and the page shows it readably
    draft = clean_draft(
        {
            "kind": SERVICE_ORDER,
            "language": "kk",
            "citizen_iin": CITIZEN_IIN,
            "citizen_name": "Тестов Тест Тестович",
            "phone": "8 701 123 45 67",
            "email": "test@example.kz",
            "territory": place[1].kato,
            "service": DRIVING_LICENCE_SLUG,
            "description": DESCRIPTION,
        }
    )
    assert document == canonical_document(draft)
    statement = re.search(r'data-testid="complaint-statement">(.*?)</dl>', page, re.S).group(1)  # type: ignore[union-attr]
    for shown in (licence.name_kk, DESCRIPTION, "Тестов Тест Тестович", CITIZEN_IIN, place[1].name_kk):
        assert shown in statement
    assert due_now(SERVICE_ORDER) in page
    assert 'data-url="wss://127.0.0.1:13579"' in page and 'data-locale="kk"' in page
    assert not Complaint.objects.exists()


def test_the_signing_page_of_type_2_shows_the_official(organisation: Organisation) -> None:
    # given
    client = Client()
    data = citizen_fields(
        client,
        OFFICIAL_CONDUCT,
        organisation=organisation.code,
        official_surname="Серіков",
        official_name="Ерлан",
        reason="Құжатты қабылдаудан негізсіз бас тартты.",
        demands="Құжатты қабылдауды талап етемін.",
    )
    # when
    page, _token, _document = signing_page(client, client.post(new_url(OFFICIAL_CONDUCT), data))
    # then
    for shown in (organisation.name_kk, "Серіков", "Ерлан", "Құжатты қабылдауды талап етемін."):
        assert shown in page


def test_going_back_from_the_signing_page_keeps_what_was_typed(licence, place) -> None:
    # given
    client = Client()
    _page, token, _document = signing_page(client, fill_service_order(client, place))
    # when
    body = client.get(new_url(SERVICE_ORDER), {"draft": token}).content.decode()
    # then
    assert f"{DESCRIPTION}</textarea>" in body
    assert f'value="{DRIVING_LICENCE_SLUG}" selected' in body
    assert f'value="{token}"' in body


def test_files_chosen_before_going_back_stay_with_the_draft(licence, place) -> None:
    # given a form sent with a file, then corrected from the signing page without choosing the file again
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    scan = SimpleUploadedFile("анықтама.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    first, token, _document = signing_page(client, fill_service_order(client, place, attachments=scan))  # type: ignore[arg-type]
    assert "анықтама.pdf" in first
    # when
    again = fill_service_order(client, place, form_token=token, description="Түзетілген мәтін.")
    # then
    page, same_token, document = signing_page(client, again)
    assert same_token == token
    assert "Түзетілген мәтін." in document.decode()
    assert "анықтама.pdf" in page


def test_a_signing_page_this_session_did_not_prepare_sends_back_to_the_start(licence, place) -> None:
    # given
    client = Client()
    response = fill_service_order(client, place)
    # when another browser opens the link
    other = Client().get(response["Location"])
    # then
    assert other.status_code == 302
    assert other["Location"] == reverse("portal:complaint_about") + "?expired=1"


# --- Submitting the signature -------------------------------------------------------------------------------------


def test_a_document_that_differs_from_the_one_shown_is_refused(pki: NcaTestPki, licence, place) -> None:  # noqa: F811
    # given a signature over something else than the complaint the page showed
    client = Client()
    _page, token, document = signing_page(client, fill_service_order(client, place))
    other = document.replace(DESCRIPTION.encode(), "Басқа мәтін.".encode())
    # when
    response = submit(client, token, other, detached_cms(pki.sign, other))
    # then
    assert response.status_code == 400
    assert 'data-testid="sign-refused"' in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_valid_signature_files_the_complaint_and_shows_the_number_and_the_due_date(
    pki: NcaTestPki,  # noqa: F811
    licence,
    place,
) -> None:
    # given
    client = Client()
    _page, token, document = signing_page(client, fill_service_order(client, place))
    # when
    response = submit(client, token, document, detached_cms(pki.sign, document))
    # then
    assert response.status_code == 302, response.content.decode()[:3000]
    complaint = Complaint.objects.get()
    assert response["Location"] == reverse("portal:complaint_done", kwargs={"number": complaint.number})
    body = client.get(response["Location"]).content.decode()
    assert complaint.number in body
    assert complaint.due_at is not None
    assert f"{timezone.localtime(complaint.due_at):%d.%m.%Y %H:%M}" in body
    assert complaint.routed_to is not None and complaint.routed_to.name_kk in body
    assert 'data-testid="email-sent"' in body
    assert (complaint.kind, complaint.description, complaint.citizen_iin) == (SERVICE_ORDER, DESCRIPTION, CITIZEN_IIN)
    # and the done page is this browser's only
    assert Client().get(response["Location"]).status_code == 404


def test_the_same_signature_sent_twice_is_one_complaint(pki: NcaTestPki, licence, place) -> None:  # noqa: F811
    # given
    client = Client()
    _page, token, document = signing_page(client, fill_service_order(client, place))
    signature = detached_cms(pki.sign, document)
    # when
    first = submit(client, token, document, signature)
    second = submit(client, token, document, signature)
    # then
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Complaint.objects.count() == 1


def test_files_sent_with_the_form_are_registered_with_the_complaint(pki: NcaTestPki, licence, place) -> None:  # noqa: F811
    # given
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    scan = SimpleUploadedFile("анықтама.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    _page, token, document = signing_page(client, fill_service_order(client, place, attachments=scan))  # type: ignore[arg-type]
    # when
    response = submit(client, token, document, detached_cms(pki.sign, document))
    # then
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.appeal is not None
    assert list(complaint.appeal.attachments.values_list("filename", flat=True)) == ["анықтама.pdf"]


@pytest.mark.parametrize(
    ("holder", "message"),
    [("auth", SIGN_KEY_KK), ("other_citizen", "Тіркелгі куәлігіндегі ЖСН нысанда көрсетілген ЖСН-ге сәйкес келмейді.")],
)
def test_a_wrong_key_is_refused_with_a_clear_message_and_a_way_to_sign_again(
    pki: NcaTestPki,  # noqa: F811
    licence,
    place,
    holder,
    message,
) -> None:
    # given
    client = Client()
    _page, token, document = signing_page(client, fill_service_order(client, place))
    # when
    response = submit(client, token, document, detached_cms(getattr(pki, holder), document))
    # then
    body = response.content.decode()
    assert response.status_code == 400
    refusal = re.search(r'data-testid="refusal-message">(.*?)</p>', body, re.S)
    assert refusal is not None and message in refusal.group(1)
    assert 'data-testid="sign-button"' in body and f'value="{token}"' in body
    assert not Complaint.objects.exists()


def test_a_signature_that_is_not_base64_is_refused(licence, place) -> None:
    # given
    client = Client()
    _page, token, document = signing_page(client, fill_service_order(client, place))
    # when
    response = client.post(
        reverse("portal:complaint_submit"),
        {"form_token": token, "document": base64.b64encode(document).decode(), "signature": "не подпись"},
    )
    # then
    assert response.status_code == 400
    assert not Complaint.objects.exists()


# --- Tracking -----------------------------------------------------------------------------------------------------


def test_tracking_shows_the_complaint_and_the_officers_answer(pki: NcaTestPki, licence, place, officer) -> None:  # noqa: F811
    # given a complaint filed and routed to the officer's body
    client = Client()
    _page, token, document = signing_page(client, fill_service_order(client, place))
    submit(client, token, document, detached_cms(pki.sign, document))
    complaint = Complaint.objects.get()
    assert complaint.routed_to_id == officer.organisation_id
    track = {"number": complaint.number, "contact": CITIZEN_IIN}
    before = Client().post(reverse("portal:track"), track).content.decode()
    assert 'data-testid="complaint-result"' in before and 'data-testid="complaint-answer"' not in before
    assert f"{timezone.localtime(complaint.due_at):%d.%m.%Y %H:%M}" in before  # type: ignore[arg-type]
    # when the officer answers
    answer_complaint(complaint=complaint, officer=officer, answer="Куәлік дайын, ХҚКО-дан алыңыз.")
    # then the citizen sees the answer by the number and the IIN, the phone or the e-mail
    for contact in (CITIZEN_IIN, "+77011234567", "test@example.kz"):
        body = Client().post(reverse("portal:track"), {**track, "contact": contact}).content.decode()
        assert "Куәлік дайын, ХҚКО-дан алыңыз." in body, contact
        status = re.search(r'data-testid="complaint-status">(.*?)<', body)
        with translation.override("kk"):
            assert status is not None and status.group(1) == str(ComplaintStatus.ANSWERED.label)
    wrong = Client().post(reverse("portal:track"), {**track, "contact": "900215400132"}).content.decode()
    assert 'data-testid="not-found"' in wrong
