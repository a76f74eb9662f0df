"""The EDS verifier of issue 7 against an NCA-shaped test PKI: what it accepts, what it refuses and why.

Every refusal is checked for its reason code (for the audit record) and its message (for the citizen).
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import algos, cms
from cryptography.hazmat.primitives import serialization

from complaints.eds import trust, verifier
from complaints.eds.verifier import Reason, Status, Verdict, verify
from complaints.tests.pki import CITIZEN_IIN, OTHER_IIN, NcaTestPki, complaint_xml, detached_cms, enveloped_xml

DOCUMENT = "Шағым: мемлекеттік қызмет уақытында көрсетілмеді. Жалоба: услуга не оказана в срок.".encode()

pytestmark = [
    pytest.mark.usefixtures("eds_dirs"),
    pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning"),  # NCA names pass 64 bytes
]


def assert_refused(verdict: Verdict, reason: Reason) -> None:
    assert verdict.status is Status.INVALID, verdict
    assert verdict.reason is reason, verdict
    assert str(verdict.message) == str(verifier.MESSAGES[reason])
    assert str(verdict.message)
    assert not verdict.is_valid


# --- accepted ----------------------------------------------------------------------------------------------------


def test_valid_detached_cms_is_accepted_with_its_evidence(pki: NcaTestPki) -> None:
    # given a detached CMS made the way NCALayer's basicsSignCMS makes it
    signature = detached_cms(pki.sign, DOCUMENT)

    # when
    verdict = verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN)

    # then it is valid, and the verdict carries who signed, when, the chain and the CRLs relied on
    assert verdict.status is Status.VALID, verdict
    assert verdict.reason is Reason.VALID
    assert (verdict.signature_format, verdict.algorithm) == ("cms", "1.2.840.113549.1.1.11")
    assert verdict.signer_iin == CITIZEN_IIN
    assert verdict.signer_name == "ТЕСТОВ ТЕСТ ТЕСТОВИЧ"
    assert verdict.certificate_serial == format(pki.sign.certificate.serial_number, "x")
    assert verdict.chain == (pki.sign.der, pki.intermediate.der, pki.root.der)
    assert sorted((crl.number, crl.next_update) for crl in verdict.crls) == sorted(
        [(7, pki.root_crl.next_update_utc), (42, pki.intermediate_crl.next_update_utc)]
    )
    assert {crl.der for crl in verdict.crls} == {
        pki.root_crl.public_bytes(serialization.Encoding.DER),
        pki.intermediate_crl.public_bytes(serialization.Encoding.DER),
    }
    assert all(crl.this_update <= dt.datetime.now(dt.UTC) for crl in verdict.crls)
    assert verdict.signing_time is not None
    assert abs(verdict.signing_time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert verdict.signed_content == DOCUMENT


def test_attached_cms_in_base64_is_accepted(pki: NcaTestPki) -> None:
    # given an attached CMS as base64 text (what NCALayer hands the page)
    signature = base64.b64encode(detached_cms(pki.sign, DOCUMENT, attached=True))

    # when the document is given, and when it is left to the envelope
    with_document = verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN)
    from_envelope = verify(b"", signature, expected_iin=CITIZEN_IIN)

    # then
    assert with_document.status is Status.VALID, with_document
    assert from_envelope.status is Status.VALID, from_envelope
    assert from_envelope.signed_content == DOCUMENT


def test_attached_cms_over_another_document_is_refused(pki: NcaTestPki) -> None:
    signature = detached_cms(pki.sign, b"another text", attached=True)
    assert_refused(verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN), Reason.CONTENT_MISMATCH)


def test_valid_xml_signature_is_accepted_with_its_evidence(pki: NcaTestPki) -> None:
    # given the complaint's XML signed as NCALayer's basicsSignXML signs (enveloped, only the signer's certificate)
    document = complaint_xml()
    signed = enveloped_xml(pki.sign, document)

    # when
    verdict = verify(document, signed, expected_iin=CITIZEN_IIN)

    # then
    assert verdict.status is Status.VALID, verdict
    assert verdict.signature_format == "xmldsig"
    assert verdict.algorithm == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    assert verdict.signer_iin == CITIZEN_IIN
    assert verdict.chain == (pki.sign.der, pki.intermediate.der, pki.root.der)
    assert {crl.number for crl in verdict.crls} == {7, 42}
    assert b"<iin>870101300128</iin>" in verdict.signed_content
    assert b"Signature" not in verdict.signed_content


# --- refused: the document or the signature ---------------------------------------------------------------------


def test_tampered_document_is_refused(pki: NcaTestPki) -> None:
    # given a valid signature and a document changed afterwards (pyHanko: intact=False while valid=True)
    signature = detached_cms(pki.sign, DOCUMENT)
    verdict = verify(DOCUMENT + b" (and one more demand)", signature, expected_iin=CITIZEN_IIN)
    assert_refused(verdict, Reason.DOCUMENT_MODIFIED)


def test_tampered_xml_is_refused(pki: NcaTestPki) -> None:
    signed = enveloped_xml(pki.sign, complaint_xml())
    tampered = signed.replace("көрсетілмеді".encode(), "көрсетілді".encode())
    assert tampered != signed
    assert_refused(verify(b"", tampered, expected_iin=CITIZEN_IIN), Reason.DOCUMENT_MODIFIED)


def test_forged_signature_value_is_refused(pki: NcaTestPki) -> None:
    # given a CMS whose signature bytes were altered (the digest still matches the document)
    content_info = cms.ContentInfo.load(detached_cms(pki.sign, DOCUMENT))
    signer = content_info["content"]["signer_infos"][0]
    forged = bytearray(signer["signature"].native)
    forged[10] ^= 0xFF
    signer["signature"] = bytes(forged)
    verdict = verify(DOCUMENT, content_info.dump(force=True), expected_iin=CITIZEN_IIN)
    assert_refused(verdict, Reason.SIGNATURE_INVALID)


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(b"\x30\x82\x01\x00" + b"\x00" * 20, id="garbage-der"),
        pytest.param(b"this is not a signature at all", id="garbage-text"),
        pytest.param(b"", id="empty"),
        pytest.param(b"<not-closed>", id="broken-xml"),
    ],
)
def test_malformed_signature_is_refused(signature: bytes) -> None:
    assert_refused(verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN), Reason.MALFORMED)


def test_truncated_cms_is_refused(pki: NcaTestPki) -> None:
    signature = detached_cms(pki.sign, DOCUMENT)
    for cut in (len(signature) // 2, len(signature) - 1):
        assert_refused(verify(DOCUMENT, signature[:cut], expected_iin=CITIZEN_IIN), Reason.MALFORMED)


def test_cms_that_is_not_signed_data_is_refused() -> None:
    content_info = cms.ContentInfo({"content_type": "data", "content": b"hello"})
    assert_refused(verify(DOCUMENT, content_info.dump(), expected_iin=CITIZEN_IIN), Reason.MALFORMED)


def test_sha1_is_refused(pki: NcaTestPki) -> None:
    assert_refused(
        verify(DOCUMENT, detached_cms(pki.sign, DOCUMENT, digest="sha1"), expected_iin=CITIZEN_IIN),
        Reason.WEAK_ALGORITHM,
    )
    document = complaint_xml()
    assert_refused(
        verify(document, enveloped_xml(pki.sign, document, digest="sha1"), expected_iin=CITIZEN_IIN),
        Reason.WEAK_ALGORITHM,
    )


def test_signing_time_in_the_future_is_refused(pki: NcaTestPki) -> None:
    # given a signature claiming to be made tomorrow (pyHanko and openssl both accept it)
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    signature = detached_cms(pki.sign, DOCUMENT, signing_time=tomorrow)
    assert_refused(verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN), Reason.SIGNING_TIME_IN_FUTURE)


def test_signing_time_within_the_clock_skew_is_accepted(pki: NcaTestPki, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EDS_SIGNING_TIME_SKEW_SECONDS = 300
    signature = detached_cms(pki.sign, DOCUMENT, signing_time=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2))
    assert verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN).status is Status.VALID


# --- refused: the certificate ------------------------------------------------------------------------------------


@pytest.mark.parametrize("with_rogue_chain", [False, True], ids=["alone", "rogue-chain-included"])
def test_certificate_from_a_rogue_ca_with_the_same_names_is_refused(pki: NcaTestPki, with_rogue_chain: bool) -> None:
    # given a citizen certificate from a CA whose names copy the NCA's, the rogue chain maybe sent along
    extra = (pki.rogue_intermediate.certificate, pki.rogue_root.certificate) if with_rogue_chain else ()
    signature = detached_cms(pki.rogue_citizen, DOCUMENT, extra_certificates=extra)
    assert pki.rogue_citizen.certificate.issuer == pki.sign.certificate.issuer
    assert_refused(verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN), Reason.UNTRUSTED_ISSUER)


def test_rogue_ca_xml_is_refused(pki: NcaTestPki) -> None:
    document = complaint_xml()
    verdict = verify(document, enveloped_xml(pki.rogue_citizen, document), expected_iin=CITIZEN_IIN)
    assert_refused(verdict, Reason.UNTRUSTED_ISSUER)


def test_expired_certificate_is_refused(pki: NcaTestPki) -> None:
    assert_refused(
        verify(DOCUMENT, detached_cms(pki.expired, DOCUMENT), expected_iin=CITIZEN_IIN), Reason.CERTIFICATE_EXPIRED
    )


def test_certificate_is_judged_at_the_given_moment(pki: NcaTestPki) -> None:
    # given a signature made the day before the certificate expired, verified as of that day with today's CRLs
    at = pki.expired.certificate.not_valid_after_utc - dt.timedelta(days=1)
    signature = detached_cms(pki.expired, DOCUMENT, signing_time=at - dt.timedelta(minutes=1))

    # then it was valid then (a later CRL that does not list it says it was not revoked then), and is not now
    assert verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN, at=at).status is Status.VALID
    assert_refused(verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN), Reason.CERTIFICATE_EXPIRED)


def test_revoked_certificate_is_refused(pki: NcaTestPki) -> None:
    verdict = verify(DOCUMENT, detached_cms(pki.revoked, DOCUMENT), expected_iin=CITIZEN_IIN)
    assert_refused(verdict, Reason.CERTIFICATE_REVOKED)
    assert verdict.chain[0] == pki.revoked.der


def test_revoked_certificate_xml_is_refused(pki: NcaTestPki) -> None:
    # signxml alone accepts it: it checks no CRL
    document = complaint_xml()
    verdict = verify(document, enveloped_xml(pki.revoked, document), expected_iin=CITIZEN_IIN)
    assert_refused(verdict, Reason.CERTIFICATE_REVOKED)


def test_signature_with_the_auth_key_is_refused(pki: NcaTestPki) -> None:
    assert_refused(verify(DOCUMENT, detached_cms(pki.auth, DOCUMENT), expected_iin=CITIZEN_IIN), Reason.NOT_SIGNING_KEY)
    document = complaint_xml()
    assert_refused(
        verify(document, enveloped_xml(pki.auth, document), expected_iin=CITIZEN_IIN), Reason.NOT_SIGNING_KEY
    )


def test_iin_mismatch_is_refused(pki: NcaTestPki) -> None:
    # given a valid signature by one citizen on a form that names another
    verdict = verify(DOCUMENT, detached_cms(pki.sign, DOCUMENT), expected_iin=OTHER_IIN)
    assert_refused(verdict, Reason.IIN_MISMATCH)
    assert verdict.signer_iin == CITIZEN_IIN
    # and another citizen's signature on this citizen's form
    other = verify(DOCUMENT, detached_cms(pki.other_citizen, DOCUMENT), expected_iin=CITIZEN_IIN)
    assert_refused(other, Reason.IIN_MISMATCH)
    assert other.signer_iin == OTHER_IIN


# --- refused: XML hardening --------------------------------------------------------------------------------------

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE complaint [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<complaint><iin>870101300128</iin><text>&xxe;</text></complaint>"""


def test_xml_with_a_doctype_or_external_entity_is_refused(pki: NcaTestPki) -> None:
    # given XML declaring an external entity, signed or not, and a bare DOCTYPE spelled in lower case
    signed = enveloped_xml(pki.sign, complaint_xml())
    with_doctype = signed.replace(b"?>", b'?>\n<!doctype complaint SYSTEM "http://127.0.0.1:9/x.dtd">', 1)

    # then both are refused before parsing
    for document in (XXE, with_doctype):
        assert_refused(verify(b"", document, expected_iin=CITIZEN_IIN), Reason.XML_DOCTYPE)


def test_xml_not_in_utf8_is_refused() -> None:
    assert_refused(verify(b"", XXE.decode().encode("utf-16"), expected_iin=CITIZEN_IIN), Reason.MALFORMED)


def test_xml_signature_wrapping_is_refused(pki: NcaTestPki) -> None:
    # given a signature over one element (by Id) and an unsigned element beside it that a naive reader would take
    document = b'<envelope><complaint Id="c1"><iin>870101300128</iin><text>Original</text></complaint></envelope>'
    signed = enveloped_xml(pki.sign, document, reference_uri="#c1")
    wrapped = signed.replace(b"<envelope>", b"<envelope><complaint><text>Injected demand</text></complaint>", 1)

    # then signxml alone would accept it; the verifier refuses what the signature does not cover
    assert_refused(verify(b"", wrapped, expected_iin=CITIZEN_IIN), Reason.UNSIGNED_CONTENT)


def test_xml_signed_over_another_document_is_refused(pki: NcaTestPki) -> None:
    signed = enveloped_xml(pki.sign, complaint_xml("Басқа мәтін"))
    assert_refused(verify(complaint_xml(), signed, expected_iin=CITIZEN_IIN), Reason.CONTENT_MISMATCH)


# --- pending: not decidable now ----------------------------------------------------------------------------------


def test_stale_crl_makes_the_verdict_pending_never_valid(pki: NcaTestPki, eds_dirs: tuple[Path, Path]) -> None:
    # given the intermediate's CRL whose nextUpdate passed (the refresh stopped)
    _, crl_dir = eds_dirs
    pki.write_crl_dir(crl_dir, intermediate_crl=pki.stale_intermediate_crl())

    # when a valid signature is verified
    verdict = verify(DOCUMENT, detached_cms(pki.sign, DOCUMENT), expected_iin=CITIZEN_IIN)

    # then
    assert verdict.status is Status.PENDING, verdict
    assert verdict.reason is Reason.CRL_STALE
    assert str(verdict.message)
    assert 1 in {crl.number for crl in verdict.crls}


def test_stale_crl_does_not_hide_a_refusal(pki: NcaTestPki, eds_dirs: tuple[Path, Path]) -> None:
    _, crl_dir = eds_dirs
    pki.write_crl_dir(crl_dir, intermediate_crl=pki.stale_intermediate_crl())
    signature = detached_cms(pki.sign, DOCUMENT)
    assert_refused(verify(DOCUMENT + b"!", signature, expected_iin=CITIZEN_IIN), Reason.DOCUMENT_MODIFIED)
    assert_refused(verify(DOCUMENT, signature, expected_iin=OTHER_IIN), Reason.IIN_MISMATCH)


def test_missing_crl_makes_the_verdict_pending(pki: NcaTestPki, eds_dirs: tuple[Path, Path]) -> None:
    _, crl_dir = eds_dirs
    (crl_dir / "nca_rsa.crl").unlink()
    verdict = verify(DOCUMENT, detached_cms(pki.sign, DOCUMENT), expected_iin=CITIZEN_IIN)
    assert (verdict.status, verdict.reason) == (Status.PENDING, Reason.CRL_MISSING), verdict


def test_no_trust_roots_installed_makes_the_verdict_pending(pki: NcaTestPki, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.EDS_TRUST_DIR = tmp_path / "empty"
    verdict = verify(DOCUMENT, detached_cms(pki.sign, DOCUMENT), expected_iin=CITIZEN_IIN)
    assert (verdict.status, verdict.reason) == (Status.PENDING, Reason.TRUST_NOT_CONFIGURED), verdict


@pytest.mark.parametrize(
    ("oid", "status", "reason"),
    [
        ("1.2.398.3.10.1.1.1.2", Status.INVALID, Reason.SIGNATURE_INVALID),  # verified (test_gost*): not a GOST key
        ("1.3.6.1.4.1.6801.1.2.2", Status.INVALID, Reason.SIGNATURE_INVALID),
        ("1.2.398.3.10.1.1.2.3.1", Status.INVALID, Reason.SIGNATURE_INVALID),
        ("1.2.398.3.10.1.1.2.3.2", Status.INVALID, Reason.SIGNATURE_INVALID),
        ("1.2.398.3.10.1.1.2.3.9", Status.PENDING, Reason.GOST_NOT_CONFIGURED),  # an NCA GOST OID not mapped
    ],
)
def test_gost_oids_reach_the_gost_backend(pki: NcaTestPki, oid: str, status: Status, reason: Reason) -> None:
    # given an RSA CMS relabelled with one of NCA's GOST signature OIDs
    content_info = cms.ContentInfo.load(detached_cms(pki.sign, DOCUMENT))
    content_info["content"]["signer_infos"][0]["signature_algorithm"] = algos.SignedDigestAlgorithm({"algorithm": oid})

    # when
    verdict = verify(DOCUMENT, content_info.dump(force=True), expected_iin=CITIZEN_IIN)

    # then the GOST backend answers through the same interface: never valid
    assert (verdict.status, verdict.reason, verdict.algorithm) == (status, reason, oid)


REFUSED = (Status.INVALID, Reason.SIGNATURE_INVALID)
UNKNOWN = (Status.PENDING, Reason.GOST_NOT_CONFIGURED)


@pytest.mark.parametrize(
    ("uri", "status", "reason"),
    [  # verified (test_gost_xml): not a GOST key
        ("urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34102015-gostr34112015-512", *REFUSED),
        ("http://www.w3.org/2001/04/xmldsig-more#gostr34102001-gostr3411", *REFUSED),
        ("urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256", *REFUSED),
        ("urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34102015-gostr34112015-384", *UNKNOWN),
    ],
)
def test_gost_xml_uris_reach_the_gost_backend(pki: NcaTestPki, uri: str, status: Status, reason: Reason) -> None:
    # given an RSA XML-DSig relabelled with a GOST signature URI
    signed = enveloped_xml(pki.sign, complaint_xml()).replace(
        b"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", uri.encode()
    )

    # when
    verdict = verify(b"", signed, expected_iin=CITIZEN_IIN)

    # then the GOST XML backend answers through the same interface: never valid
    assert (verdict.status, verdict.reason, verdict.algorithm) == (status, reason, uri), verdict


def test_a_gost_backend_plugs_into_the_registry(pki: NcaTestPki, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a GOST backend registered for the 2015 OIDs (as a real one would register itself)
    monkeypatch.setattr(verifier, "_REGISTRY", list(verifier._REGISTRY))
    verifier._load_backends()
    seen = []

    @verifier.register(verifier.SignatureFormat.CMS, lambda oid: oid.startswith("1.2.398.3.10.1.1.2.3."), name="gost")
    def fake_gost(envelope: verifier.Envelope, request: verifier.Request) -> Verdict:
        seen.append((envelope.algorithm, request.expected_iin))
        return verifier.invalid(Reason.SIGNATURE_INVALID, "fake backend")

    content_info = cms.ContentInfo.load(detached_cms(pki.sign, DOCUMENT))
    content_info["content"]["signer_infos"][0]["signature_algorithm"] = algos.SignedDigestAlgorithm(
        {"algorithm": "1.2.398.3.10.1.1.2.3.2"}
    )

    # when / then the GOST signature reaches it, and an RSA one still reaches the CMS backend
    assert verify(DOCUMENT, content_info.dump(force=True), expected_iin=CITIZEN_IIN).detail == "fake backend"
    assert seen == [("1.2.398.3.10.1.1.2.3.2", CITIZEN_IIN)]
    assert verify(DOCUMENT, detached_cms(pki.sign, DOCUMENT), expected_iin=CITIZEN_IIN).is_valid


def test_a_naive_moment_is_a_programming_error(pki: NcaTestPki) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        verify(DOCUMENT, detached_cms(pki.sign, DOCUMENT), expected_iin=CITIZEN_IIN, at=dt.datetime(2026, 1, 1))


# --- CRL refresh -------------------------------------------------------------------------------------------------


def test_crl_refresh_replaces_a_stale_crl_and_verdicts_turn_valid(pki: NcaTestPki, eds_dirs: tuple[Path, Path]) -> None:
    # given a stale intermediate CRL held, and the CA publishing a current one
    _, crl_dir = eds_dirs
    pki.write_crl_dir(crl_dir, intermediate_crl=pki.stale_intermediate_crl())
    signature = detached_cms(pki.sign, DOCUMENT)
    assert verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN).reason is Reason.CRL_STALE
    published = {"http://crl.test/nca_rsa.crl": pki.intermediate_crl.public_bytes(serialization.Encoding.PEM)}

    # when
    results = trust.refresh_crls(urls=list(published), fetch=published.__getitem__)

    # then
    assert [result.ok for result in results] == [True], results
    assert verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN).is_valid


def test_crl_refresh_keeps_only_crls_a_pinned_ca_signed_and_never_goes_back(
    pki: NcaTestPki, eds_dirs: tuple[Path, Path]
) -> None:
    _, crl_dir = eds_dirs
    before = (crl_dir / "nca_rsa.crl").read_bytes()
    rogue = pki.stale_intermediate_crl  # number 1 < 42 held: older
    sources = {
        "http://crl.test/nca_rsa.crl": rogue().public_bytes(serialization.Encoding.DER),
        "http://crl.test/unreachable.crl": None,
        "http://crl.test/garbage.crl": b"not a crl",
    }

    def fetch(url: str) -> bytes:
        body = sources[url]
        if body is None:
            raise OSError("connection refused")
        return body

    results = trust.refresh_crls(urls=list(sources), fetch=fetch)
    assert [result.ok for result in results] == [False, False, False], results
    assert "older" in results[0].detail
    assert (crl_dir / "nca_rsa.crl").read_bytes() == before
    assert sorted(p.name for p in crl_dir.iterdir()) == ["nca_rsa.crl", "root_rsa.crl"]


def test_crl_refresh_refuses_a_crl_signed_by_a_rogue_ca(pki: NcaTestPki, eds_dirs: tuple[Path, Path]) -> None:
    from complaints.tests.pki import _crl

    now = dt.datetime.now(dt.UTC)
    forged = _crl(pki.rogue_intermediate, [], number=99, this_update=now, next_update=now + dt.timedelta(days=1))
    results = trust.refresh_crls(
        urls=["http://crl.test/nca_rsa.crl"], fetch=lambda url: forged.public_bytes(serialization.Encoding.DER)
    )
    assert not results[0].ok
    assert "no pinned CA" in results[0].detail
    assert (
        verify(DOCUMENT, detached_cms(pki.revoked, DOCUMENT), expected_iin=CITIZEN_IIN).reason
        is Reason.CERTIFICATE_REVOKED
    )


def test_verification_works_where_an_event_loop_is_already_running(pki: NcaTestPki) -> None:
    # given a thread that runs an event loop (an async view, Playwright's sync API in a test)
    import asyncio
    import threading

    signature = detached_cms(pki.sign, DOCUMENT)
    verdicts: list[Any] = []

    async def verify_inside_the_loop() -> None:
        verdicts.append(verify(DOCUMENT, signature, expected_iin=CITIZEN_IIN))

    # when the synchronous verifier is called from inside it (on a thread of its own: this test's thread may already
    # run a loop of its own, left by a browser test)
    thread = threading.Thread(target=lambda: asyncio.run(verify_inside_the_loop()))
    thread.start()
    thread.join()

    # then it verifies as anywhere else
    assert len(verdicts) == 1 and verdicts[0].status is Status.VALID, verdicts
