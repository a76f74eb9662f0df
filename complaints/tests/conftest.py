"""The test PKI, built once per session (RSA-2048 keys are the slow part), and the folders the verifier reads."""

from pathlib import Path

import pytest

from complaints.tests.gost_pki import NcaGostPki, build_nca_gost_pki
from complaints.tests.pki import NcaTestPki, build_pki


@pytest.fixture(autouse=True)
def complaint_tasks_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Complaint mails run in the test's process: these tests keep their data in a transaction the CI run's Celery
    worker cannot see (the worker path of mail tasks is exercised by appeals' transactional e-mail tests)."""
    from complaints import tasks

    for task in (tasks.send_acknowledgement, tasks.send_answer, tasks.send_refusal, tasks.notify_staff):
        monkeypatch.setattr(task, "delay", lambda *args, _task=task, **kwargs: _task.apply(args=args, kwargs=kwargs))


@pytest.fixture(scope="session")
def pki() -> NcaTestPki:
    return build_pki()


@pytest.fixture
def eds_dirs(settings, tmp_path: Path, pki: NcaTestPki) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """The pinned NCA root and intermediate and their current CRLs, as an operator would install them."""
    settings.EDS_TRUST_DIR = pki.write_trust_dir(tmp_path / "trust")
    settings.EDS_CRL_DIR = pki.write_crl_dir(tmp_path / "crl")
    return settings.EDS_TRUST_DIR, settings.EDS_CRL_DIR


@pytest.fixture(scope="session")
def nca_pki() -> NcaGostPki:
    """NCA-shaped GOST keys (2004, 2015 256- and 512-bit) and their CAs, as Kalkan makes them."""
    return build_nca_gost_pki()


@pytest.fixture
def nca_dirs(settings, tmp_path: Path, nca_pki: NcaGostPki) -> None:  # type: ignore[no-untyped-def]
    """The pinned GOST root and CAs of `nca_pki` and their current CRLs."""
    settings.EDS_TRUST_DIR = nca_pki.write_trust_dir(tmp_path / "trust")
    settings.EDS_CRL_DIR = nca_pki.write_crl_dir(tmp_path / "crl")


@pytest.fixture
def passport_service(organisation):  # type: ignore[no-untyped-def]
    """A service whose responsible body is the fixed `organisation` (МВД)."""
    from directory.models import Service, ServiceCategory

    category = ServiceCategory.objects.create(code="docs", name_kk="Құжаттар", name_ru="Документы")
    return Service.objects.create(
        slug="passport",
        category=category,
        name_kk="Паспорт беру",
        name_ru="Выдача паспорта",
        responsible_organisation=organisation,
    )


@pytest.fixture
def region(db):  # type: ignore[no-untyped-def]
    """Abai region (KATO 10) with a district (1010) and a rural district (101010) in it; the regional akimat sits on
    the region, a public service center on the district."""
    from directory.choices import OrganisationKind, TerritoryLevel
    from directory.models import Organisation, Territory

    oblast = Territory.objects.create(kato="100000000", level=TerritoryLevel.OBLAST, name_kk="Абай", name_ru="Абай")
    district = Territory.objects.create(
        kato="101000000", level=TerritoryLevel.DISTRICT, name_kk="Аягөз", name_ru="Аягоз", parent=oblast
    )
    village = Territory.objects.create(
        kato="101010000", level=TerritoryLevel.SUB_DISTRICT, name_kk="Ауыл", name_ru="Аул", parent=district
    )
    akimat = Organisation.objects.create(
        code="abai-akimat",
        kind=OrganisationKind.REGIONAL_AKIMAT,
        name_kk="Абай облысының әкімдігі",
        name_ru="Акимат области Абай",
        territory=oblast,
    )
    center = Organisation.objects.create(
        code="con-ayagoz",
        kind=OrganisationKind.SERVICE_CENTER,
        name_kk="Аягөз ХҚКО",
        name_ru="ЦОН Аягоза",
        territory=district,
    )
    return {"oblast": oblast, "district": district, "village": village, "akimat": akimat, "center": center}


@pytest.fixture
def file_signed(pki, eds_dirs):  # type: ignore[no-untyped-def]
    """Files a complaint signed with the citizen's SIGN key (CMS, as NCALayer makes it)."""
    from complaints.services import file_complaint
    from complaints.tests.helpers import draft, signed_cms

    def file(**overrides):  # type: ignore[no-untyped-def]
        document, signature = signed_cms(pki.sign, draft(**overrides))
        filing = file_complaint(document=document, signature=signature)
        assert filing.complaint is not None
        return filing.complaint

    return file
