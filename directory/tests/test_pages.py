"""Directory pages: every page for every role, filters, edits and bad input."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from conftest import client_for
from directory.choices import DataOrigin
from directory.models import Organisation, Service

WEBSITE_MESSAGE = (
    "Enter a full web address starting with https://, for example https://www.gov.kz/memleket/entities/example."
)
PHONE_MESSAGE = (
    "Enter phone numbers with digits, spaces, dashes and brackets, for example +7 7172 74 00 00; separate several "
    "numbers with commas."
)
READER_CLIENTS = [
    "consultant_client",
    "supervisor_client",
    "editor_client",
    "officer_client",
    "regulator_client",
    "admin_client_user",
]
CONTACTS = {
    "phone": "+7 7172 72 24 24",
    "email": "kense@mvd.gov.kz",
    "website": "https://www.gov.kz/memleket/entities/qriim",
    "address_kk": "Астана қ.",
    "address_ru": "г. Астана",
}


@pytest.fixture
def integration_client(integration) -> Client:
    return client_for(integration)


@pytest.fixture
def mvd_service(real_services) -> Service:
    return next(service for service in real_services if service.slug == "00203002_mvd")


@pytest.fixture
def read_urls(real_services, reference_territories, organisation, mvd_service) -> list[str]:
    return [
        reverse("directory:organisation_list"),
        reverse("directory:organisation_detail", args=[organisation.pk]),
        reverse("directory:service_list"),
        reverse("directory:service_detail", args=[mvd_service.slug]),
        reverse("directory:territory_list"),
        reverse("directory:territory_detail", args=["110000000"]),
    ]


@pytest.fixture
def edit_urls(organisation, mvd_service) -> list[str]:
    return [
        reverse("directory:organisation_edit", args=[organisation.pk]),
        reverse("directory:service_edit", args=[mvd_service.slug]),
    ]


# --- Role matrix -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client, read_urls, edit_urls):
    for url in [*read_urls, *edit_urls]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_integration_role_has_no_pages(integration_client, read_urls, edit_urls):
    for url in [*read_urls, *edit_urls]:
        assert integration_client.get(url).status_code == 403, url


@pytest.mark.django_db
@pytest.mark.parametrize("client_name", READER_CLIENTS)
def test_every_staff_reader_sees_every_page(request, client_name, read_urls):
    client = request.getfixturevalue(client_name)
    for url in read_urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("client_name", ["consultant_client", "supervisor_client", "regulator_client"])
def test_readers_who_do_not_edit_are_refused_the_edit_pages(request, client_name, edit_urls):
    client = request.getfixturevalue(client_name)
    for url in edit_urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, CONTACTS).status_code == 403, url


@pytest.mark.django_db
@pytest.mark.parametrize("client_name", ["editor_client", "admin_client_user", "officer_client"])
def test_editors_and_the_own_officer_open_the_edit_pages(request, client_name, edit_urls):
    client = request.getfixturevalue(client_name)
    for url in edit_urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_officer_of_another_organisation_gets_404_on_edit_pages(outsider_client, edit_urls):
    for url in edit_urls:
        assert outsider_client.get(url).status_code == 404, url
        assert outsider_client.post(url, CONTACTS).status_code == 404, url


@pytest.mark.django_db
def test_unknown_objects_are_404(editor_client):
    assert editor_client.get(reverse("directory:organisation_detail", args=[999999])).status_code == 404
    assert editor_client.get(reverse("directory:service_detail", args=["no-such-service"])).status_code == 404
    assert editor_client.get(reverse("directory:territory_detail", args=["999999999"])).status_code == 404
    assert editor_client.get("/directory/territories/12345/").status_code == 404


# --- Organisation list and detail -----------------------------------------------------------------------
@pytest.mark.django_db
def test_organisation_list_filters_by_kind_region_and_name(consultant_client, real_services, reference_territories):
    url = reverse("directory:organisation_list")
    # by kind
    body = consultant_client.get(url, {"kind": "regional_akimat"}).content.decode()
    assert "Ақмола облысының әкімдігі" in body
    assert "Ішкі істер министрлігі" not in body
    # by region (East Kazakhstan)
    body = consultant_client.get(url, {"territory": "630000000"}).content.decode()
    assert "Шығыс Қазақстан облысының әкімдігі" in body
    assert "Ақмола облысының әкімдігі" not in body
    # by name, in lower case and without Kazakh letters ("iшкi" typed as "ишки")
    body = consultant_client.get(url, {"q": "ишки истер"}).content.decode()
    assert "Ішкі істер министрлігі" in body
    assert "Денсаулық" not in body
    body = consultant_client.get(url, {"q": "мвд"}).content.decode()
    assert "Ішкі істер министрлігі" in body


@pytest.mark.django_db
def test_organisation_list_htmx_returns_the_table_only(consultant_client, real_services):
    response = consultant_client.get(reverse("directory:organisation_list"), {"q": "мвд"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'data-testid="organisation-table"' in body
    assert "<html" not in body


@pytest.mark.django_db
def test_organisation_list_rejects_bad_filters_clearly(consultant_client, real_services):
    url = reverse("directory:organisation_list")
    for params in ({"q": "x" * 10_000}, {"kind": "galaxy"}, {"territory": "' OR 1=1 --"}):
        response = consultant_client.get(url, params)
        assert response.status_code == 200
        assert 'class="errorlist"' in response.content.decode(), params


@pytest.mark.django_db
def test_organisation_list_survives_hostile_but_valid_queries(consultant_client, real_services):
    url = reverse("directory:organisation_list")
    for query in ("<script>alert(1)</script>", "'; DROP TABLE directory_organisation; --", "🏛️", "\u200fمرحبا"):
        response = consultant_client.get(url, {"q": query})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()
    # a NUL byte in the query string is dropped (core middleware); the search still works
    body = consultant_client.get(url, {"q": "мвд\x00"}).content.decode()
    assert "Ішкі істер министрлігі" in body


@pytest.mark.django_db
def test_organisation_detail_shows_kazakh_first_inferred_names_and_services(
    consultant_client, real_services, organisation
):
    body = consultant_client.get(reverse("directory:organisation_detail", args=[organisation.pk])).content.decode()
    assert body.index("Қазақстан Республикасының Ішкі істер министрлігі") < body.index(
        "Министерство внутренних дел Республики Казахстан"
    )
    assert 'class="inferred"' in body
    assert "+7 7172 72 24 24" in body  # the conftest contacts survive the import
    assert "Шетелдіктерге уақытша тұруға рұқсат беру" in body  # a service it is responsible for


# --- Organisation edit --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_officer_saves_own_contacts(officer_client, organisation):
    url = reverse("directory:organisation_edit", args=[organisation.pk])
    response = officer_client.post(url, {**CONTACTS, "phone": "+7 7172 00 00 00"})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.phone == "+7 7172 00 00 00"


@pytest.mark.django_db
def test_editor_saves_any_organisation_contacts(editor_client, other_organisation):
    url = reverse("directory:organisation_edit", args=[other_organisation.pk])
    assert editor_client.post(url, CONTACTS).status_code == 302
    other_organisation.refresh_from_db()
    assert other_organisation.email == "kense@mvd.gov.kz"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "kense-at-mvd", "Enter a valid e-mail address, for example kense@example.gov.kz."),
        ("website", "gov.kz/mvd", WEBSITE_MESSAGE),
        ("phone", "звоните", PHONE_MESSAGE),
        ("address_ru", "Астана\x00", "Null characters are not allowed."),
        ("address_kk", "ә" * 10_000, None),
    ],
)
def test_bad_contacts_show_a_clear_error_and_save_nothing(editor_client, organisation, field, value, message):
    # when
    url = reverse("directory:organisation_edit", args=[organisation.pk])
    response = editor_client.post(url, {**CONTACTS, field: value})

    # then the field's error is shown, in Kazakh (the default language)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-testid="error-{field}"' in body
    if message:
        with translation.override("kk"):
            assert escape(gettext(message)) in body
    organisation.refresh_from_db()
    assert organisation.email == "kense@mvd.gov.kz"


# --- Services -------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_service_list_marks_inferred_bodies_and_filters(consultant_client, real_services, editor, organisation):
    url = reverse("directory:service_list")
    # every service is listed, inferred responsible bodies marked as such
    body = consultant_client.get(url).content.decode()
    assert "inferred, not confirmed" in body or "расталмаған" in body or 'class="inferred"' in body
    assert 'data-testid="responsible-inferred"' in body
    # category filter
    body = consultant_client.get(url, {"category": "consular-services"}).content.decode()
    assert body.count("<tr>") == 1 + 3
    # inferred-only filter leaves out the services without a responsible body and the confirmed ones
    service = next(service for service in real_services if service.slug == "00203002_mvd")
    Service.objects.filter(pk=service.pk).update(responsible_origin=DataOrigin.CONFIRMED)
    body = consultant_client.get(url, {"inferred": "on"}).content.decode()
    assert "00203002_mvd" not in body and service.name_kk not in body
    assert "Некесіз" not in body  # e_004 has no responsible body
    # name search, Russian, case-insensitive
    body = consultant_client.get(url, {"q": "ПАССАЖИРСКАЯ"}).content.decode()
    assert body.count("<tr>") >= 1


@pytest.mark.django_db
def test_service_detail_shows_the_inference_basis(consultant_client, mvd_service):
    body = consultant_client.get(reverse("directory:service_detail", args=[mvd_service.slug])).content.decode()
    assert "slug suffix &#x27;mvd&#x27;" in body
    assert 'data-testid="responsible-inferred"' in body


@pytest.mark.django_db
def test_service_list_refuses_an_unknown_category_clearly(consultant_client, real_services):
    response = consultant_client.get(reverse("directory:service_list"), {"category": "no-such"})
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()


@pytest.mark.django_db
def test_officer_confirms_own_service(officer_client, mvd_service, organisation):
    url = reverse("directory:service_edit", args=[mvd_service.slug])
    response = officer_client.post(url, {"organisation": organisation.pk})
    assert response.status_code == 302
    mvd_service.refresh_from_db()
    assert mvd_service.responsible_origin == DataOrigin.CONFIRMED


@pytest.mark.django_db
def test_officer_cannot_pick_another_organisation(officer_client, mvd_service):
    other = Organisation.objects.get(code="mid")
    url = reverse("directory:service_edit", args=[mvd_service.slug])
    response = officer_client.post(url, {"organisation": other.pk})
    assert response.status_code == 200
    assert 'data-testid="error-organisation"' in response.content.decode()
    mvd_service.refresh_from_db()
    assert mvd_service.responsible_origin == DataOrigin.INFERRED


@pytest.mark.django_db
def test_editor_corrects_a_service(editor_client, mvd_service):
    other = Organisation.objects.get(code="mid")
    url = reverse("directory:service_edit", args=[mvd_service.slug])
    assert editor_client.post(url, {"organisation": other.pk}).status_code == 302
    mvd_service.refresh_from_db()
    assert mvd_service.responsible_organisation == other
    assert mvd_service.responsible_origin == DataOrigin.CONFIRMED


@pytest.mark.django_db
def test_editor_gets_a_clear_error_for_a_bogus_choice(editor_client, mvd_service):
    url = reverse("directory:service_edit", args=[mvd_service.slug])
    for value in ("abc", "999999", "1\x00"):
        response = editor_client.post(url, {"organisation": value})
        assert response.status_code == 200
        assert 'data-testid="error-organisation"' in response.content.decode()


# --- Territories ----------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_territory_browser_goes_from_oblast_to_districts(consultant_client, reference_territories):
    body = consultant_client.get(reverse("directory:territory_list")).content.decode()
    assert "Ақмола облысы" in body
    body = consultant_client.get(reverse("directory:territory_detail", args=["110000000"])).content.decode()
    assert "Көкшетау Қ.Ә." in body  # a district of Akmola
    assert "Ақмола облысының әкімдігі" in body  # its akimat
    body = consultant_client.get(reverse("directory:territory_detail", args=["111000000"])).content.decode()
    assert reverse("directory:territory_detail", args=["110000000"]) in body  # path back to the oblast
