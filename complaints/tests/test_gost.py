"""The GOST backend of the EDS verifier (issue 7) against a GOST 34.10-2015 test PKI built with gostcrypto.

Pure-Python GOST: a verification is three to five signature checks of ~0.05 s each (the CMS, each certificate of
the path; each CRL once per process), so each test stays well under a second.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path

import pytest
from asn1crypto import algos, cms, core

from complaints.eds import gost_keys, trust, verifier
from complaints.eds.verifier import Reason, Status, Verdict, verify
from complaints.tests.gost_pki import (
    CITIZEN_IIN,
    SIGNATURE_ALGORITHM,
    GostTestPki,
    build_gost_pki,
    gost_cms,
    with_signer_info,
)
from complaints.tests.pki import NcaTestPki, detached_cms

DOCUMENT = "Шағым: мемлекеттік қызмет уақытында көрсетілмеді. Жалоба: услуга не оказана в срок.".encode()
OTHER_IIN = "900215400132"


@pytest.fixture(scope="session")
def gost_pki() -> GostTestPki:
    return build_gost_pki()


@pytest.fixture
def gost_dirs(settings, tmp_path: Path, gost_pki: GostTestPki) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """The pinned GOST root and intermediate and their current CRLs, as an operator would install them."""
    settings.EDS_TRUST_DIR = gost_pki.write_trust_dir(tmp_path / "trust")
    settings.EDS_CRL_DIR = gost_pki.write_crl_dir(tmp_path / "crl")
    return settings.EDS_TRUST_DIR, settings.EDS_CRL_DIR


pytestmark = pytest.mark.usefixtures("gost_dirs")


def assert_refused(verdict: Verdict, reason: Reason) -> None:
    assert verdict.status is Status.INVALID, verdict
    assert verdict.reason is reason, verdict
    assert str(verdict.message) == str(verifier.MESSAGES[reason])


# --- accepted ----------------------------------------------------------------------------------------------------


def test_valid_gost_cms_is_accepted_with_its_evidence(gost_pki: GostTestPki) -> None:
    # given a detached CMS signed with a GOST 34.10-2015 SIGN key, as NCALayer's basicsSignCMS makes it
    signature = gost_cms(gost_pki.sign, DOCUMENT)

    # when
    verdict = verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN)

    # then it is valid, with the same evidence as an RSA signature: signer, chain up to the root, CRLs, signing time
    assert (verdict.status, verdict.reason) == (Status.VALID, Reason.VALID), verdict
    assert (verdict.signature_format, verdict.algorithm) == ("cms", SIGNATURE_ALGORITHM)
    assert verdict.signer_iin == CITIZEN_IIN
    assert verdict.signer_name == "ТЕСТОВ ТЕСТ ТЕСТОВИЧ"
    assert verdict.certificate_serial == format(gost_pki.sign.certificate.serial_number, "x")
    assert verdict.chain == (gost_pki.sign.der, gost_pki.intermediate.der, gost_pki.root.der)
    assert {(crl.number, crl.der) for crl in verdict.crls} == {
        (7, gost_pki.root_crl),
        (42, gost_pki.intermediate_crl),
    }
    assert verdict.signing_time is not None
    assert abs(verdict.signing_time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert verdict.signed_content == DOCUMENT


def test_attached_gost_cms_in_base64_is_accepted(gost_pki: GostTestPki) -> None:
    signature = base64.b64encode(gost_cms(gost_pki.sign, DOCUMENT, attached=True))
    verdict = verify(b"", signature, expected_iin=CITIZEN_IIN)
    assert verdict.status is Status.VALID, verdict
    assert verdict.signed_content == DOCUMENT


def test_gostcrypto_native_byte_order_is_accepted_too(gost_pki: GostTestPki) -> None:
    # given a certificate and CMS whose key and signature use gostcrypto's big-endian order, not RFC 4491's
    signature = gost_cms(gost_pki.native_sign, DOCUMENT)

    # when / then
    verdict = verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN)
    assert verdict.status is Status.VALID, verdict


def test_rsa_and_gost_roots_side_by_side(gost_pki: GostTestPki, pki: NcaTestPki, gost_dirs: tuple[Path, Path]) -> None:
    # given the RSA and the GOST NCA roots, intermediates and CRLs in the same folders (as in production)
    trust_dir, crl_dir = gost_dirs
    pki.write_trust_dir(trust_dir)
    pki.write_crl_dir(crl_dir)

    # when / then both kinds verify: pyhanko-certvalidator is not upset by GOST roots it cannot read
    rsa = verify(DOCUMENT, detached_cms(pki.sign, DOCUMENT), expected_iin=CITIZEN_IIN)
    gost = verify(DOCUMENT, gost_cms(gost_pki.sign, DOCUMENT), expected_iin=CITIZEN_IIN)
    assert rsa.status is Status.VALID, rsa
    assert gost.status is Status.VALID, gost


# --- refused -----------------------------------------------------------------------------------------------------


def test_tampered_document_is_refused(gost_pki: GostTestPki) -> None:
    signature = gost_cms(gost_pki.sign, DOCUMENT)
    assert_refused(verify(DOCUMENT + b" ", signature, expected_iin=CITIZEN_IIN), Reason.DOCUMENT_MODIFIED)


def test_attached_content_other_than_the_document_is_refused(gost_pki: GostTestPki) -> None:
    signature = gost_cms(gost_pki.sign, DOCUMENT, attached=True)
    assert_refused(verify(b"other", signature, expected_iin=CITIZEN_IIN), Reason.CONTENT_MISMATCH)


def test_a_changed_signature_value_is_refused(gost_pki: GostTestPki) -> None:
    # given the signature value with one bit flipped (the signed attributes and the document untouched)
    original = gost_cms(gost_pki.sign, DOCUMENT)
    value = bytearray(cms.ContentInfo.load(original)["content"]["signer_infos"][0]["signature"].native)
    value[5] ^= 0x01

    # when / then
    signature = with_signer_info(original, signature=core.OctetString(bytes(value)))
    assert_refused(verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN), Reason.SIGNATURE_INVALID)


def test_rogue_ca_with_the_same_names_is_refused(gost_pki: GostTestPki) -> None:
    # given a citizen certificate from a rogue CA named exactly like the NCA, without an authority key identifier:
    # only the intermediate's signature over it can tell
    signature = gost_cms(gost_pki.rogue_citizen, DOCUMENT)
    assert_refused(verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN), Reason.UNTRUSTED_ISSUER)


def test_expired_certificate_is_refused(gost_pki: GostTestPki) -> None:
    signature = gost_cms(gost_pki.expired, DOCUMENT, signing_time=gost_pki.built_at - dt.timedelta(days=100))
    assert_refused(verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN), Reason.CERTIFICATE_EXPIRED)


def test_revoked_certificate_is_refused(gost_pki: GostTestPki) -> None:
    verdict = verify(DOCUMENT, gost_cms(gost_pki.revoked, DOCUMENT), expected_iin=CITIZEN_IIN)
    assert_refused(verdict, Reason.CERTIFICATE_REVOKED)


def test_auth_key_is_refused(gost_pki: GostTestPki) -> None:
    verdict = verify(DOCUMENT, gost_cms(gost_pki.auth, DOCUMENT), expected_iin=CITIZEN_IIN)
    assert_refused(verdict, Reason.NOT_SIGNING_KEY)


def test_iin_mismatch_is_refused(gost_pki: GostTestPki) -> None:
    verdict = verify(DOCUMENT, gost_cms(gost_pki.sign, DOCUMENT), expected_iin=OTHER_IIN)
    assert_refused(verdict, Reason.IIN_MISMATCH)
    assert verdict.signer_iin == CITIZEN_IIN


def test_signing_time_in_the_future_is_refused(gost_pki: GostTestPki) -> None:
    future = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    verdict = verify(DOCUMENT, gost_cms(gost_pki.sign, DOCUMENT, signing_time=future), expected_iin=CITIZEN_IIN)
    assert_refused(verdict, Reason.SIGNING_TIME_IN_FUTURE)


def test_gost_oid_on_an_rsa_certificate_is_refused(pki: NcaTestPki) -> None:
    signature = with_signer_info(
        detached_cms(pki.sign, DOCUMENT),
        signature_algorithm=algos.SignedDigestAlgorithm({"algorithm": SIGNATURE_ALGORITHM}),
    )
    assert_refused(verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN), Reason.SIGNATURE_INVALID)


# --- pending -----------------------------------------------------------------------------------------------------


def test_stale_crl_makes_the_verdict_pending(gost_pki: GostTestPki, gost_dirs: tuple[Path, Path]) -> None:
    # given the intermediate's CRL as it was when the refresh stopped two days ago
    _, crl_dir = gost_dirs
    gost_pki.write_crl_dir(crl_dir, intermediate_crl=gost_pki.stale_intermediate_crl())

    # when
    verdict = verify(DOCUMENT, gost_cms(gost_pki.sign, DOCUMENT), expected_iin=CITIZEN_IIN)

    # then it is neither valid nor refused, and says which CRL
    assert (verdict.status, verdict.reason) == (Status.PENDING, Reason.CRL_STALE), verdict
    assert "nca_gost.crl" in verdict.detail


def test_crl_whose_signature_does_not_verify_makes_the_verdict_pending(
    gost_pki: GostTestPki, gost_dirs: tuple[Path, Path]
) -> None:
    # given the intermediate's CRL with its signature damaged (so it cannot say the certificate is not revoked)
    _, crl_dir = gost_dirs
    damaged = bytearray(gost_pki.intermediate_crl)
    damaged[-3] ^= 0x01
    gost_pki.write_crl_dir(crl_dir, intermediate_crl=bytes(damaged))

    # when / then
    verdict = verify(DOCUMENT, gost_cms(gost_pki.sign, DOCUMENT), expected_iin=CITIZEN_IIN)
    assert (verdict.status, verdict.reason) == (Status.PENDING, Reason.REVOCATION_UNKNOWN), verdict


def test_missing_crl_makes_the_verdict_pending(gost_pki: GostTestPki, gost_dirs: tuple[Path, Path]) -> None:
    _, crl_dir = gost_dirs
    (crl_dir / "nca_gost.crl").unlink()
    verdict = verify(DOCUMENT, gost_cms(gost_pki.sign, DOCUMENT), expected_iin=CITIZEN_IIN)
    assert (verdict.status, verdict.reason) == (Status.PENDING, Reason.CRL_MISSING), verdict


def test_a_2015_signature_relabelled_as_2004_is_refused(gost_pki: GostTestPki) -> None:
    # given a GOST 34.10-2015 CMS whose SignerInfo claims GOST 34.310-2004 (the GOST 34.311-95 hash)
    signature = with_signer_info(
        gost_cms(gost_pki.sign, DOCUMENT),
        signature_algorithm=algos.SignedDigestAlgorithm({"algorithm": gost_keys.GOST_2004}),
    )

    # when / then the signature does not verify under the hash it claims
    assert_refused(verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN), Reason.SIGNATURE_INVALID)


def test_an_unknown_curve_is_unsupported_not_invalid(gost_pki: GostTestPki) -> None:
    spki = gost_keys.RawPublicKeyInfo.load(gost_pki.sign.key.spki().dump())
    spki["algorithm"]["parameters"] = gost_keys.KeyParameters({"public_key_param_set": "1.2.398.3.10.1.1.2.99"})
    with pytest.raises(gost_keys.GostUnsupportedError, match=re.escape("1.2.398.3.10.1.1.2.99")):
        gost_keys.public_key(spki.dump(force=True))


# --- CRL refresh -------------------------------------------------------------------------------------------------


def test_crl_refresh_accepts_a_gost_crl_and_verdicts_turn_valid(
    gost_pki: GostTestPki, gost_dirs: tuple[Path, Path]
) -> None:
    # given a stale GOST intermediate CRL held, and the CA publishing a current one
    _, crl_dir = gost_dirs
    gost_pki.write_crl_dir(crl_dir, intermediate_crl=gost_pki.stale_intermediate_crl())
    signature = gost_cms(gost_pki.sign, DOCUMENT)
    assert verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN).reason is Reason.CRL_STALE
    published = {"http://crl.test/nca_gost.crl": gost_pki.intermediate_crl}

    # when
    results = trust.refresh_crls(urls=list(published), fetch=published.__getitem__)

    # then the GOST signature of the CRL was checked against the pinned intermediate, and the verdict is valid
    assert [result.ok for result in results] == [True], results
    assert verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN).is_valid


def test_crl_refresh_refuses_a_gost_crl_no_pinned_ca_signed(
    gost_pki: GostTestPki, gost_dirs: tuple[Path, Path]
) -> None:
    # given a CRL with the intermediate's name whose signature is damaged
    damaged = bytearray(gost_pki.intermediate_crl)
    damaged[-3] ^= 0x01
    published = {"http://crl.test/nca_gost.crl": bytes(damaged)}

    # when / then
    results = trust.refresh_crls(urls=list(published), fetch=published.__getitem__)
    assert [(result.ok, result.detail) for result in results] == [(False, "no pinned CA signed this CRL")]
