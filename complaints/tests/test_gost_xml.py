"""XML-DSig signed with NCA GOST keys, as NCALayer's basicsSignXML makes it, through `verify` as complaint filing calls
it (and once through the filing itself).

`gost_pki.gost_enveloped_xml` builds the enveloped signature by hand with lxml — the reference's digest over the
canonical document, SignedInfo canonicalized and signed with the test PKI's GOST signer in Kalkan's byte order — with
the NCA's URIs for each kind of key (or the TC26 ones). Pure-Python GOST is slow (a 512-bit verification ~0.3 s):
refusals that need no valid chain use the 256-bit key.
"""

from __future__ import annotations

import base64

import pytest
from lxml import etree

from complaints.eds.verifier import Reason, Status, Verdict, verify
from complaints.services import file_complaint
from complaints.tests.gost_pki import (
    CITIZEN_IIN,
    GostHolder,
    NcaGostPki,
    gost_enveloped_xml,
)
from complaints.tests.helpers import draft
from complaints.tests.pki import complaint_xml

PKIGOVKZ = "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:"
CPXMLSEC = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:"
EXCLUSIVE_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"

pytestmark = pytest.mark.usefixtures("nca_dirs")


def holder(pki: NcaGostPki, kind: str) -> GostHolder:
    return {"2004": pki.sign_2004, "2015-256": pki.sign_256, "2015-512": pki.sign_512}[kind]


def assert_verdict(verdict: Verdict, status: Status, reason: Reason) -> None:
    assert (verdict.status, verdict.reason) == (status, reason), verdict


# --- accepted ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "signature_uri", "issuer"),
    [
        ("2004", "http://www.w3.org/2001/04/xmldsig-more#gostr34102001-gostr3411", "ca_2004"),
        ("2015-256", PKIGOVKZ + "gostr34102015-gostr34112015-256", "ca_2015"),
        ("2015-512", PKIGOVKZ + "gostr34102015-gostr34112015-512", "ca_2015"),
    ],
)
def test_nca_xml_signature_of_each_kind_is_valid(
    nca_pki: NcaGostPki, kind: str, signature_uri: str, issuer: str
) -> None:
    # given the complaint's XML signed as NCALayer signs it with an NCA GOST key: NCA URIs, Kalkan's byte order
    signer = holder(nca_pki, kind)
    document = complaint_xml()
    signed = gost_enveloped_xml(signer, document)

    # when
    verdict = verify(document, signed, expected_iin=CITIZEN_IIN)

    # then it is valid with the same evidence as GOST CMS, and what was signed is the document alone
    assert_verdict(verdict, Status.VALID, Reason.VALID)
    assert (verdict.signature_format, verdict.algorithm) == ("xmldsig", signature_uri)
    assert verdict.chain == (signer.der, getattr(nca_pki, issuer).der, nca_pki.root.der)
    assert verdict.signer_iin == CITIZEN_IIN
    assert verdict.signed_content == etree.tostring(etree.fromstring(document), method="c14n")


@pytest.mark.parametrize("size", [256, 512])
def test_tc26_uris_and_exclusive_c14n_are_valid(nca_pki: NcaGostPki, size: int) -> None:
    # given the RFC 9215-style URIs, exclusive C14N (the root's unused namespace is not rendered into SignedInfo, as
    # inclusive C14N would), and the root element referenced by its Id
    signer = nca_pki.sign_256 if size == 256 else nca_pki.sign_512
    document = complaint_xml().replace(b"<complaint>", b'<complaint xmlns:portal="urn:bailanys:portal" Id="complaint">')
    methods = (f"{CPXMLSEC}gostr34102012-gostr34112012-{size}", f"{CPXMLSEC}gostr34112012-{size}")
    signed = gost_enveloped_xml(
        signer, document, methods=methods, canonicalization=EXCLUSIVE_C14N, reference_uri="#complaint"
    )

    # when / then
    assert_verdict(verify(document, signed, expected_iin=CITIZEN_IIN), Status.VALID, Reason.VALID)


@pytest.mark.django_db
def test_a_gost_xml_complaint_is_registered(nca_pki: NcaGostPki, passport_service) -> None:  # type: ignore[no-untyped-def]
    # given the XML of a complaint, signed with a GOST 2015 key as basicsSignXML returns it
    from complaints.documents import canonical_xml

    document = canonical_xml(draft())
    signed = gost_enveloped_xml(nca_pki.sign_256, document)

    # when
    filing = file_complaint(document=document, signature=signed, signature_format="xmldsig")

    # then
    assert filing.created and filing.complaint is not None
    assert filing.complaint.signature_format == "xmldsig"
    assert filing.verdict.is_valid, filing.verdict


# --- refused -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["2004", "2015-512"])
def test_tampered_content_is_refused(nca_pki: NcaGostPki, kind: str) -> None:
    signed = gost_enveloped_xml(holder(nca_pki, kind), complaint_xml())
    tampered = signed.replace("көрсетілмеді".encode(), "көрсетілді".encode())
    assert tampered != signed
    assert_verdict(verify(b"", tampered, expected_iin=CITIZEN_IIN), Status.INVALID, Reason.DOCUMENT_MODIFIED)


def test_a_signed_but_wrong_reference_digest_is_refused(nca_pki: NcaGostPki) -> None:
    # given a SignedInfo whose reference digest is not the document's, though the signature over it is sound
    signed = gost_enveloped_xml(nca_pki.sign_256, complaint_xml(), digest_value=bytes(32))

    # when / then
    assert_verdict(verify(b"", signed, expected_iin=CITIZEN_IIN), Status.INVALID, Reason.DOCUMENT_MODIFIED)


def test_a_changed_signature_value_is_refused(nca_pki: NcaGostPki) -> None:
    signed = gost_enveloped_xml(nca_pki.sign_256, complaint_xml())
    root = etree.fromstring(signed)
    value = root.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureValue")
    assert value is not None and value.text
    flipped = bytearray(base64.b64decode(value.text))
    flipped[3] ^= 0x01
    value.text = base64.b64encode(bytes(flipped)).decode()
    forged = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    assert_verdict(verify(b"", forged, expected_iin=CITIZEN_IIN), Status.INVALID, Reason.SIGNATURE_INVALID)


def test_xml_signed_over_another_document_is_refused(nca_pki: NcaGostPki) -> None:
    signed = gost_enveloped_xml(nca_pki.sign_256, complaint_xml("Басқа мәтін"))
    verdict = verify(complaint_xml(), signed, expected_iin=CITIZEN_IIN)
    assert_verdict(verdict, Status.INVALID, Reason.CONTENT_MISMATCH)


def test_a_signature_over_an_inner_element_only_is_refused(nca_pki: NcaGostPki) -> None:
    # given a signature whose reference covers one element, and an unsigned element beside it
    document = b'<envelope><complaint Id="c1"><iin>870101300128</iin><text>Original</text></complaint></envelope>'
    signed = gost_enveloped_xml(nca_pki.sign_256, document, reference_uri="#c1")
    wrapped = signed.replace(b"<envelope>", b"<envelope><complaint><text>Injected demand</text></complaint>", 1)

    # when / then only what the signature covers could be read, and it is not the document
    assert_verdict(verify(b"", wrapped, expected_iin=CITIZEN_IIN), Status.INVALID, Reason.UNSIGNED_CONTENT)


def test_xml_with_a_doctype_is_refused(nca_pki: NcaGostPki) -> None:
    signed = gost_enveloped_xml(nca_pki.sign_256, complaint_xml())
    hostile = signed.replace(b"?>", b'?>\n<!DOCTYPE complaint [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 1)
    assert_verdict(verify(b"", hostile, expected_iin=CITIZEN_IIN), Status.INVALID, Reason.XML_DOCTYPE)


@pytest.mark.parametrize("uri", ["http://127.0.0.1:9/complaint.xml", "file:///etc/passwd", "#xpointer(/)"])
def test_a_reference_outside_the_document_is_refused(nca_pki: NcaGostPki, uri: str) -> None:
    signed = gost_enveloped_xml(nca_pki.sign_256, complaint_xml(), reference_uri=uri)
    verdict = verify(b"", signed, expected_iin=CITIZEN_IIN)
    assert_verdict(verdict, Status.INVALID, Reason.MALFORMED)
    assert "only this document" in verdict.detail


def test_a_2015_key_under_the_2004_uri_is_refused(nca_pki: NcaGostPki) -> None:
    # given a GOST 2015 (256-bit) signature whose SignatureMethod claims GOST 34.310-2004 (the GOST 34.311-95 hash)
    signed = gost_enveloped_xml(
        nca_pki.sign_256,
        complaint_xml(),
        methods=(
            "http://www.w3.org/2001/04/xmldsig-more#gostr34102001-gostr3411",
            PKIGOVKZ + "gostr34112015-256",
        ),
    )
    assert_verdict(verify(b"", signed, expected_iin=CITIZEN_IIN), Status.INVALID, Reason.SIGNATURE_INVALID)


def test_sha1_reference_digest_is_refused(nca_pki: NcaGostPki) -> None:
    signed = gost_enveloped_xml(
        nca_pki.sign_256,
        complaint_xml(),
        methods=(PKIGOVKZ + "gostr34102015-gostr34112015-256", "http://www.w3.org/2000/09/xmldsig#sha1"),
    )
    assert_verdict(verify(b"", signed, expected_iin=CITIZEN_IIN), Status.INVALID, Reason.WEAK_ALGORITHM)


# --- pending -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "methods",
    [
        pytest.param((PKIGOVKZ + "gostr34102015-gostr34112015-1024", PKIGOVKZ + "gostr34112015-256"), id="signature"),
        pytest.param((PKIGOVKZ + "gostr34102015-gostr34112015-256", PKIGOVKZ + "gostr34112015-1024"), id="digest"),
    ],
)
def test_an_unknown_gost_uri_is_pending_not_invalid(nca_pki: NcaGostPki, methods: tuple[str, str]) -> None:
    signed = gost_enveloped_xml(nca_pki.sign_256, complaint_xml(), methods=methods)
    verdict = verify(b"", signed, expected_iin=CITIZEN_IIN)
    assert_verdict(verdict, Status.PENDING, Reason.GOST_NOT_CONFIGURED)
    assert "1024" in verdict.detail


def test_an_unknown_curve_is_pending_not_invalid(nca_pki: NcaGostPki) -> None:
    signed = gost_enveloped_xml(
        nca_pki.unknown_curve,
        complaint_xml(),
        methods=(PKIGOVKZ + "gostr34102015-gostr34112015-256", PKIGOVKZ + "gostr34112015-256"),
    )
    verdict = verify(b"", signed, expected_iin=CITIZEN_IIN)
    assert_verdict(verdict, Status.PENDING, Reason.GOST_NOT_CONFIGURED)
    assert "1.2.398.3.10.1.1.2.1.99" in verdict.detail
