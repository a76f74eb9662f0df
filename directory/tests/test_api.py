"""The public, read-only directory API."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from conftest import client_for
from directory.choices import DataOrigin
from directory.models import Organisation, Service

LIST_URLS = [
    "/api/v1/organisations/",
    "/api/v1/services/",
    "/api/v1/territories/",
    "/api/v1/service-categories/",
]


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def loaded(real_services, reference_territories) -> list[Service]:
    return real_services


@pytest.fixture
def detail_urls(loaded, organisation) -> list[str]:
    return [
        f"/api/v1/organisations/{organisation.pk}/",
        "/api/v1/services/00203002_mvd/",
        "/api/v1/territories/110000000/",
    ]


# --- Who may read -------------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "integration", "consultant", "outsider"])
def test_everyone_reads_the_directory_api(request, who, detail_urls):
    client = Client() if who == "anonymous" else client_for(request.getfixturevalue(who))
    for url in [*LIST_URLS, *detail_urls]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_the_api_is_read_only(api, editor, detail_urls):
    api.force_authenticate(editor)
    for url in [*LIST_URLS, *detail_urls]:
        assert api.post(url, {}).status_code == 405, url
        assert api.delete(url).status_code == 405, url


@pytest.mark.django_db
def test_unknown_objects_are_404(api, loaded):
    for url in (
        "/api/v1/organisations/999999/",
        "/api/v1/services/nope/",
        "/api/v1/territories/999999999/",
        "/api/v1/territories/12/",
    ):
        assert api.get(url).status_code == 404, url


@pytest.mark.django_db
def test_inactive_services_and_organisations_are_not_public(api, loaded):
    # given
    Service.objects.filter(slug="00203002_mvd").update(is_active=False)
    mid = Organisation.objects.get(code="mid")
    Organisation.objects.filter(pk=mid.pk).update(is_active=False)

    # then
    assert api.get("/api/v1/services/00203002_mvd/").status_code == 404
    assert api.get(f"/api/v1/organisations/{mid.pk}/").status_code == 404


# --- Content ---------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_service_has_both_names_and_inferred_flags(api, loaded):
    # when
    data = api.get("/api/v1/services/00203002_mvd/").json()

    # then
    assert data["name_kk"] == "Шетелдіктерге уақытша тұруға рұқсат беру"
    assert data["name_ru"] == "Разрешение иностранцам на временное проживание в РК"
    assert data["category"]["name_kk"] and data["category"]["name_ru"]
    assert data["responsible_organisation"]["short_name_ru"] == "МВД РК"
    assert data["responsible_organisation"]["names_inferred"] is True
    assert data["responsible_origin"] == DataOrigin.INFERRED
    assert data["responsible_inferred"] is True
    assert data["responsible_basis"] == "slug suffix 'mvd'"
    assert data["source_instructions_kk"]


@pytest.mark.django_db
def test_service_list_filters(api, loaded):
    # by category
    data = api.get("/api/v1/services/", {"category": "consular-services"}).json()
    assert data["count"] == 3
    # an unknown category gives an empty list
    assert api.get("/api/v1/services/", {"category": "no-such"}).json()["count"] == 0
    # by name, folded ("ruqsat" typed without Kazakh letters: "уакытша")
    data = api.get("/api/v1/services/", {"q": "уакытша туруга"}).json()
    assert [item["slug"] for item in data["results"]] == ["00203002_mvd"]
    # inferred only
    data = api.get("/api/v1/services/", {"inferred": "true", "limit": 200}).json()
    assert (
        data["count"]
        == Service.objects.filter(
            responsible_origin=DataOrigin.INFERRED, responsible_organisation__isnull=False
        ).count()
    )
    assert all(item["responsible_inferred"] for item in data["results"])


@pytest.mark.django_db
def test_organisation_list_filters(api, loaded, organisation):
    # by kind
    data = api.get("/api/v1/organisations/", {"kind": "regional_akimat"}).json()
    assert data["count"] == 20
    # by territory: the oblast and everything under it
    data = api.get("/api/v1/organisations/", {"territory": "630000000"}).json()
    assert [item["short_name_ru"] for item in data["results"]] == ["ВКО"]
    assert data["results"][0]["territory"]["kato"] == "630000000"
    # by name
    data = api.get("/api/v1/organisations/", {"q": "МВД"}).json()
    assert [item["code"] for item in data["results"]] == ["mvd"]
    item = data["results"][0]
    assert {"name_kk", "name_ru", "short_name_kk", "short_name_ru", "names_inferred", "names_origin"} <= set(item)
    # detail lists its services
    data = api.get(f"/api/v1/organisations/{organisation.pk}/").json()
    assert "00203002_mvd" in [service["slug"] for service in data["services"]]
    assert data["phone"] == organisation.phone


@pytest.mark.django_db
def test_territory_list_filters_and_detail(api, loaded):
    data = api.get("/api/v1/territories/", {"level": "oblast"}).json()
    assert data["count"] == 20
    data = api.get("/api/v1/territories/", {"parent": "110000000", "limit": 200}).json()
    assert data["count"] > 0
    assert all(item["parent"] == "110000000" and item["level"] == "district" for item in data["results"])
    data = api.get("/api/v1/territories/110000000/").json()
    assert data["name_kk"] == "Ақмола облысы"
    assert data["name_ru"] == "Акмолинская область"
    assert data["parent"] is None
    assert data["children_count"] == data["children_count"] and data["children_count"] > 0


@pytest.mark.django_db
def test_service_categories(api, loaded):
    data = api.get("/api/v1/service-categories/").json()
    assert data["count"] == 12
    assert sum(item["active_services"] for item in data["results"]) == 36
    assert all(item["name_kk"] and item["name_ru"] for item in data["results"])


@pytest.mark.django_db
def test_pagination(api, loaded):
    data = api.get("/api/v1/territories/", {"limit": 5, "offset": 5}).json()
    assert len(data["results"]) == 5
    assert data["count"] == 229
    assert data["next"] and data["previous"]


# --- Bad input ----------------------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/services/", {"limit": "abc"}),
        ("/api/v1/services/", {"limit": "0"}),
        ("/api/v1/services/", {"limit": "-5"}),
        ("/api/v1/services/", {"limit": "100000"}),
        ("/api/v1/services/", {"offset": "1e3"}),
        ("/api/v1/services/", {"offset": "99999999999999999999"}),
        ("/api/v1/services/", {"q": "x" * 10_000}),
        ("/api/v1/services/", {"inferred": "maybe"}),
        ("/api/v1/services/", {"category": "<script>"}),
        ("/api/v1/organisations/", {"kind": "galaxy"}),
        ("/api/v1/organisations/", {"territory": "' OR 1=1 --"}),
        ("/api/v1/organisations/", {"q": "қ" * 201}),
        ("/api/v1/territories/", {"level": "planet"}),
        ("/api/v1/territories/", {"parent": "11"}),
        ("/api/v1/service-categories/", {"limit": "١٢"}),  # Arabic-Indic digits
    ],
)
def test_bad_query_parameters_are_a_400_with_the_field_named(api, loaded, url, params):
    # when
    response = api.get(url, params)

    # then
    assert response.status_code == 400
    assert set(response.json()) == set(params)


@pytest.mark.django_db
def test_hostile_but_valid_queries_work(api, loaded):
    for query in ("<script>alert(1)</script>", "'; DROP TABLE directory_service; --", "🏛️", "\u200fمرحبا", "мвд\x00"):
        response = api.get("/api/v1/organisations/", {"q": query})
        assert response.status_code == 200, query
    assert Service.objects.count() == 36
