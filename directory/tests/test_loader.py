"""The reference-data loader on the real files."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from directory import reference
from directory.choices import DataOrigin, OrganisationKind
from directory.models import Organisation, Service, ServiceCategory, Territory
from directory.services import import_central_bodies, import_services, import_territories, set_service_responsible_body


def _load(*args: str) -> str:
    out = StringIO()
    call_command("load_reference_data", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_full_load_of_the_real_files_twice_gives_the_same_rows():
    # given an empty directory
    # when everything is loaded, then loaded again
    first = _load()
    counts = _counts()
    second = _load()

    # then the counts are those of the files
    assert counts["levels"] == {"oblast": 20, "district": 209, "sub_district": 2379, "settlement": 12986}
    assert counts["organisations"] == {OrganisationKind.CENTRAL_BODY: 32, OrganisationKind.REGIONAL_AKIMAT: 20}
    assert counts["active_services"] == 258
    assert counts["categories"] == 12
    assert "territories: 15594 created" in first
    # and the second run changed nothing
    assert _counts() == counts
    assert "territories: 0 created, 0 updated, 15594 unchanged" in second
    assert "services: 0 created, 0 updated, 258 unchanged, 32 skipped" in second
    # and every territory but the 20 oblasts hangs from a parent
    assert Territory.objects.filter(parent__isnull=True).count() == 20
    # and there is one audit record per import and run, not one per row
    assert AuditEvent.objects.filter(action__startswith="directory.").count() == 8


def _counts() -> dict:
    return {
        "levels": {
            level: Territory.objects.filter(level=level).count()
            for level in ("oblast", "district", "sub_district", "settlement")
        },
        "organisations": {
            kind: Organisation.objects.filter(kind=kind).count()
            for kind in (OrganisationKind.CENTRAL_BODY, OrganisationKind.REGIONAL_AKIMAT)
        },
        "active_services": Service.objects.filter(is_active=True).count(),
        "categories": ServiceCategory.objects.count(),
        "services_total": Service.objects.count(),
    }


@pytest.mark.django_db
def test_kato_parents_follow_the_code_structure_and_its_exceptions():
    # given the real KATO rows of one oblast (Akmola, 11...) and Astana (71...)
    rows = [row for row in reference.read_kato() if row["kato"][:2] in ("11", "71")]

    # when they are imported
    import_territories(rows=rows)

    # then a district hangs from its oblast, a rural district from its district, a village from its rural district
    assert Territory.objects.get(kato="111000000").parent_id == "110000000"
    assert Territory.objects.get(kato="111033000").parent_id == "111000000"
    assert Territory.objects.get(kato="111033100").parent_id == "111033000"
    # and a town without a rural district (Atbasar) hangs from its district
    assert Territory.objects.get(kato="113820100").parent_id == "113800000"
    # and Astana's city districts, which have no district-level code, hang from the city
    assert Territory.objects.get(kato="711110000").parent_id == "710000000"


@pytest.mark.django_db
def test_loading_a_lower_level_later_moves_settlements_under_it():
    # given oblasts, districts and settlements but no rural districts
    _load("--kato-levels", "oblast,district,settlement", "--services-limit", "0")
    assert Territory.objects.get(kato="111033100").parent_id == "111000000"

    # when the rural districts are loaded
    _load("--kato-levels", "sub_district", "--services-limit", "0")

    # then the settlements hang from their rural district
    assert Territory.objects.get(kato="111033100").parent_id == "111033000"


@pytest.mark.django_db
def test_subset_load_with_levels_and_services_limit():
    # when only two levels and five services are loaded
    output = _load("--kato-levels", "oblast,district", "--services-limit", "5")

    # then
    assert Territory.objects.count() == 229
    assert Service.objects.count() == 5
    assert ServiceCategory.objects.count() == 12
    assert "territories: 229 created" in output


@pytest.mark.django_db
def test_unknown_level_is_refused_clearly():
    with pytest.raises(CommandError, match="unknown level"):
        _load("--kato-levels", "oblast,galaxy")


@pytest.mark.django_db
def test_negative_services_limit_is_refused():
    with pytest.raises(CommandError, match="services-limit"):
        _load("--kato-levels", "oblast", "--services-limit", "-1")


@pytest.mark.django_db
def test_missing_data_directory_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read the reference data"):
        _load("--data-dir", str(tmp_path))


@pytest.mark.django_db
def test_central_bodies_with_swapped_kazakh_names_are_fixed():
    # when the real central bodies are imported
    summary = import_central_bodies(rows=reference.read_central_bodies())

    # then the rows whose nameKk held the English name get the Kazakh one (it was in nameEn)
    assert sorted(summary.notes["kazakh_name_swapped_fixed"]) == ["afm", "mepr", "mne", "msh"]
    assert Organisation.objects.get(code="afm").short_name_kk == "ҚР ҚМА"
    assert Organisation.objects.get(code="msh").short_name_kk == "ҚР АШМ"
    assert Organisation.objects.get(code="mne").short_name_kk == "ҚР ҰЭМ"
    assert Organisation.objects.get(code="mepr").short_name_kk == "ҚР ЭТРМ"
    # and no Kazakh short name is Latin
    assert not Organisation.objects.filter(short_name_kk__regex=r"^[A-Za-z ]+$").exists()
    # and the Latin "C" inside "ҚР CӘ" (Judicial Administration) is the Cyrillic "С"
    assert Organisation.objects.get(code="sa").short_name_kk == "ҚР СӘ"
    # and the trailing space of "ҚР ЕХӘҚМ " is gone
    assert Organisation.objects.get(code="mtszn").short_name_kk == "ҚР ЕХӘҚМ"


@pytest.mark.django_db
def test_expanded_full_names_are_marked_inferred_short_names_kept_from_the_source():
    # when
    import_central_bodies(rows=reference.read_central_bodies())

    # then
    mvd = Organisation.objects.get(code="mvd")
    assert mvd.short_name_ru == "МВД РК"
    assert mvd.name_ru == "Министерство внутренних дел Республики Казахстан"
    assert mvd.name_kk == "Қазақстан Республикасының Ішкі істер министрлігі"
    assert mvd.names_origin == DataOrigin.INFERRED
    assert mvd.names_inferred
    # and no contacts were invented
    assert not Organisation.objects.exclude(phone="", email="", website="", address_kk="", address_ru="").exists()


@pytest.mark.django_db
def test_regional_akimats_are_linked_to_their_oblast(reference_territories):
    # given the 20 regional akimats loaded with the oblasts (fixture)
    akimats = Organisation.objects.filter(kind=OrganisationKind.REGIONAL_AKIMAT)

    # then every akimat has its oblast-level territory, each a different one
    assert akimats.count() == 20
    assert akimats.filter(territory__level="oblast").values("territory").distinct().count() == 20
    # the abbreviations are resolved: ВКО/ШҚО is East Kazakhstan, and Almaty city is not Almaty oblast
    assert akimats.get(short_name_ru="ВКО").territory.name_ru == "Восточно-Казахстанская область"
    assert akimats.get(short_name_ru="г.Алматы").territory_id == "750000000"
    assert akimats.get(short_name_ru="Алматинская обл.").territory_id == "190000000"
    assert akimats.get(short_name_ru="г. Астана").name_kk == "Астана қаласының әкімдігі"


@pytest.mark.django_db
def test_importing_akimats_twice_changes_nothing(reference_territories):
    # when the akimats are imported a second time
    output = _load("--kato-levels", "oblast", "--services-limit", "0")

    # then
    assert "regional akimats: 0 created, 0 updated, 20 unchanged" in output


@pytest.mark.django_db
def test_services_get_an_inferred_responsible_body_from_the_slug_suffix(real_services):
    # given real services loaded with the central bodies (fixture)
    by_slug = {service.slug: service for service in real_services}

    # then a service with the "mvd" suffix points at the МВД, inferred, with its basis
    service = by_slug["00203002_mvd"]
    assert service.responsible_organisation.short_name_ru == "МВД РК"
    assert service.responsible_origin == DataOrigin.INFERRED
    assert service.responsible_basis == "slug suffix 'mvd'"
    assert service.responsible_inferred
    # and the former education ministry splits: higher education to МНВО, schools to МП
    assert by_slug["182pass_mon"].responsible_organisation.short_name_ru == "МНВО РК"
    assert by_slug["037pass_mon"].responsible_organisation.short_name_ru == "МП РК"
    # and an unknown suffix gives no responsible body
    assert by_slug["e_004"].responsible_organisation is None
    assert by_slug["e_004"].responsible_basis == ""
    assert not by_slug["e_004"].responsible_inferred


@pytest.mark.django_db
def test_reload_updates_changed_names_but_keeps_a_confirmed_responsible_body(real_services, editor):
    # given a service whose responsible body an editor confirmed as another body
    service = next(service for service in real_services if service.slug == "00203002_mvd")
    mid = Organisation.objects.get(code="mid")
    set_service_responsible_body(service=service, organisation=mid, actor=editor)
    # and a source row whose Russian name changed
    rows = [dict(row) for row in reference.read_services()]
    row = next(row for row in rows if row["slug"] == "00203002_mvd")
    row["name_ru"] = "Разрешение иностранцам на временное проживание"

    # when the services are imported again
    summary = import_services(rows=rows)

    # then the name follows the source, the confirmation stays
    service.refresh_from_db()
    assert service.name_ru == "Разрешение иностранцам на временное проживание"
    assert service.responsible_organisation == mid
    assert service.responsible_origin == DataOrigin.CONFIRMED
    assert summary.skipped == 32


@pytest.mark.django_db
def test_loader_keeps_contacts_an_editor_filled_in(organisation):
    # given the conftest МВД organisation, with contacts, before any import
    phone = organisation.phone

    # when the central bodies are imported
    import_central_bodies(rows=reference.read_central_bodies())

    # then it is the same organisation (matched by code), names from the loader, contacts untouched
    organisation.refresh_from_db()
    assert Organisation.objects.filter(code="mvd").count() == 1
    assert organisation.external_id == "AVGAuYywtbdHOrfpstqI"
    assert organisation.phone == phone
