"""The test PKI, built once per session (RSA-2048 keys are the slow part), and the folders the verifier reads."""

from pathlib import Path

import pytest

from complaints.tests.pki import NcaTestPki, build_pki


@pytest.fixture(scope="session")
def pki() -> NcaTestPki:
    return build_pki()


@pytest.fixture
def eds_dirs(settings, tmp_path: Path, pki: NcaTestPki) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """The pinned NCA root and intermediate and their current CRLs, as an operator would install them."""
    settings.EDS_TRUST_DIR = pki.write_trust_dir(tmp_path / "trust")
    settings.EDS_CRL_DIR = pki.write_crl_dir(tmp_path / "crl")
    return settings.EDS_TRUST_DIR, settings.EDS_CRL_DIR
