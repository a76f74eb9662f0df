"""GOST signatures with the NCA's own OIDs and Kalkan's byte orders, through `verify` as complaint filing calls it.

The test PKI (`gost_pki.build_nca_gost_pki`) issues GOST 34.10-2015 256- and 512-bit and GOST 34.310-2004 keys with
the NCA's key, curve, signature and digest OIDs, and signs in Kalkan's convention (signature r || s little-endian).
Pure-Python GOST is slow (a refused 512-bit signature, tried in three byte orders, is ~0.3 s): each kind is checked
valid once, and refusals that reach the signature only on the 2004 and 512-bit kinds.
"""

from __future__ import annotations

import pytest
from asn1crypto import algos, cms, core

from complaints.eds import gost_keys
from complaints.eds.verifier import Reason, Status, verify
from complaints.tests.gost_pki import CITIZEN_IIN, GostHolder, NcaGostPki, gost_cms, with_signer_info

DOCUMENT = "Шағым: өтініш мерзімінде қаралмады. Жалоба: обращение не рассмотрено в срок.".encode()


pytestmark = pytest.mark.usefixtures("nca_dirs")


def holder(pki: NcaGostPki, kind: str) -> GostHolder:
    return {"2004": pki.sign_2004, "2015-256": pki.sign_256, "2015-512": pki.sign_512}[kind]


@pytest.mark.parametrize(
    ("kind", "algorithm", "issuer"),
    [
        ("2004", "1.2.398.3.10.1.1.1.2", "ca_2004"),
        ("2015-256", "1.2.398.3.10.1.1.2.3.1", "ca_2015"),
        ("2015-512", "1.2.398.3.10.1.1.2.3.2", "ca_2015"),
    ],
)
def test_nca_signature_of_each_kind_is_valid(nca_pki: NcaGostPki, kind: str, algorithm: str, issuer: str) -> None:
    # given a detached CMS as Kalkan makes it: NCA OIDs throughout, signature r || s little-endian
    signer = holder(nca_pki, kind)
    signature = gost_cms(signer, DOCUMENT)

    # when
    verdict = verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN)

    # then it is valid, its path checked through the issuer's (2004 or 512-bit) signature up to the pinned root
    assert (verdict.status, verdict.reason) == (Status.VALID, Reason.VALID), verdict
    assert verdict.algorithm == algorithm
    assert verdict.chain == (signer.der, getattr(nca_pki, issuer).der, nca_pki.root.der)
    assert verdict.signer_iin == CITIZEN_IIN


@pytest.mark.parametrize("kind", ["2004", "2015-256", "2015-512"])
def test_tampered_document_is_refused(nca_pki: NcaGostPki, kind: str) -> None:
    signature = gost_cms(holder(nca_pki, kind), DOCUMENT)
    verdict = verify(DOCUMENT + b".", signature, expected_iin=CITIZEN_IIN)
    assert (verdict.status, verdict.reason) == (Status.INVALID, Reason.DOCUMENT_MODIFIED), verdict


@pytest.mark.parametrize("kind", ["2004", "2015-512"])
def test_a_changed_signature_value_is_refused(nca_pki: NcaGostPki, kind: str) -> None:
    # given the signature value with one bit flipped (the signed attributes and the document untouched)
    original = gost_cms(holder(nca_pki, kind), DOCUMENT)
    value = bytearray(cms.ContentInfo.load(original)["content"]["signer_infos"][0]["signature"].native)
    value[3] ^= 0x01
    signature = with_signer_info(original, signature=core.OctetString(bytes(value)))

    # when / then
    verdict = verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN)
    assert (verdict.status, verdict.reason) == (Status.INVALID, Reason.SIGNATURE_INVALID), verdict


@pytest.mark.parametrize("algorithm", [gost_keys.NCA_KEY_2004, gost_keys.GOST_2004_KALKAN])
def test_other_names_of_the_2004_signature_are_valid(nca_pki: NcaGostPki, algorithm: str) -> None:
    # given the SignerInfo naming the key's algorithm (as BouncyCastle-family CMS does) or Kalkan's older OID
    signature = with_signer_info(
        gost_cms(nca_pki.sign_2004, DOCUMENT),
        signature_algorithm=algos.SignedDigestAlgorithm({"algorithm": algorithm}),
    )

    # when / then
    verdict = verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN)
    assert verdict.status is Status.VALID, verdict


def test_an_unknown_curve_is_pending_not_invalid(nca_pki: NcaGostPki) -> None:
    # given a certificate whose key names a curve parameter set no mapping knows
    signature = gost_cms(nca_pki.unknown_curve, DOCUMENT)

    # when / then it cannot be decided: pending, never refused
    verdict = verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN)
    assert (verdict.status, verdict.reason) == (Status.PENDING, Reason.GOST_NOT_CONFIGURED), verdict
    assert "1.2.398.3.10.1.1.2.1.99" in verdict.detail


def test_an_unknown_digest_algorithm_is_pending_not_invalid(nca_pki: NcaGostPki) -> None:
    # given a SignerInfo whose digest algorithm (CryptoPro's GOST R 34.11-94, another S-box) is not computed here
    signature = with_signer_info(
        gost_cms(nca_pki.sign_2004, DOCUMENT),
        digest_algorithm=algos.DigestAlgorithm({"algorithm": "1.2.643.2.2.9"}),
    )

    # when / then
    verdict = verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN)
    assert (verdict.status, verdict.reason) == (Status.PENDING, Reason.GOST_NOT_CONFIGURED), verdict
