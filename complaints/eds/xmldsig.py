"""XML-DSig signatures (NCALayer `basicsSignXML`): enveloped, C14N, the signer's certificate alone in KeyInfo.

Hardening, in order: a DOCTYPE or ENTITY declaration, or XML that is not UTF-8, is refused before any parser sees
it; the parser resolves no entities, loads no DTD and opens no network. signxml checks the references and the
signature against the certificate from KeyInfo (its own chain check is not used: the path goes through the shared
certvalidator code in `chain`, with CRLs). Then only what the signature covers is read: the signed element must be
the whole document (an unsigned element beside a signed one — signature wrapping — is refused), and, when the
caller gives the document the citizen was asked to sign, the signed XML must be that document.

GOST signature methods are verified by `gost_xml` on the same parse and with the same helpers (KeyInfo, SHA-1 refusal,
what the signature covers); this module's backend is the fallback for every other algorithm.
"""

from __future__ import annotations

import base64
import binascii
import copy
import re

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidDigest, InvalidInput, InvalidSignature, SignXMLException

from complaints.eds import chain
from complaints.eds.trust import trust_store
from complaints.eds.verifier import (
    Envelope,
    MalformedSignatureError,
    Reason,
    Request,
    SignatureFormat,
    Verdict,
    invalid,
    register,
)

DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"ds": DS}
_DECLARATION = re.compile(rb"<!\s*(doctype|entity|element|attlist|notation)", re.IGNORECASE)
ACCEPTED = SignatureConfiguration(
    location="./",
    expect_references=1,
    signature_methods=frozenset(
        {
            SignatureMethod.RSA_SHA256,
            SignatureMethod.RSA_SHA384,
            SignatureMethod.RSA_SHA512,
            SignatureMethod.ECDSA_SHA256,
            SignatureMethod.ECDSA_SHA384,
            SignatureMethod.ECDSA_SHA512,
        }
    ),
    digest_algorithms=frozenset({DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512}),
)


def hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def parse_xml(data: bytes) -> etree._Element:
    """Refuse declarations before parsing; raise MalformedSignatureError with the reason."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise MalformedSignatureError(Reason.MALFORMED, "only UTF-8 XML is accepted")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedSignatureError(Reason.MALFORMED, "only UTF-8 XML is accepted") from exc
    if _DECLARATION.search(data):
        raise MalformedSignatureError(Reason.XML_DOCTYPE, "DOCTYPE or markup declaration present")
    try:
        root = etree.fromstring(data, parser=hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedSignatureError(Reason.MALFORMED, f"not well-formed XML: {exc}") from exc
    if root.getroottree().docinfo.internalDTD is not None:  # belt and braces: the byte check should have caught it
        raise MalformedSignatureError(Reason.XML_DOCTYPE, "DTD present")
    return root


def read_envelope(data: bytes) -> Envelope:
    root = parse_xml(data)
    signatures = root.findall(".//ds:Signature", NS)
    if len(signatures) != 1:
        raise MalformedSignatureError(Reason.MALFORMED, f"{len(signatures)} ds:Signature elements; one expected")
    if signatures[0].getparent() is not root:
        raise MalformedSignatureError(Reason.MALFORMED, "ds:Signature is not a child of the document element")
    method = signatures[0].find("ds:SignedInfo/ds:SignatureMethod", NS)
    if method is None or not method.get("Algorithm"):
        raise MalformedSignatureError(Reason.MALFORMED, "no SignatureMethod")
    return Envelope(SignatureFormat.XMLDSIG, method.get("Algorithm", ""), data, root)


@register(SignatureFormat.XMLDSIG, lambda algorithm: True, name="xmldsig", fallback=True)
def verify_xml(envelope: Envelope, request: Request) -> Verdict:
    root: etree._Element = envelope.parsed
    signature = root.find("ds:Signature", NS)
    assert signature is not None  # read_envelope checked
    weak = weak_algorithm_refusal(envelope.algorithm, signature)
    if weak is not None:
        return weak
    try:
        certificate, others = key_info_certificates(signature)
    except ValueError as exc:
        return invalid(Reason.NO_CERTIFICATE, str(exc))
    evidence = chain.signer_evidence(certificate)
    try:
        result = XMLVerifier().verify(
            envelope.payload,
            x509_cert=x509.load_der_x509_certificate(certificate.dump()),
            parser=hardened_parser(),
            expect_config=ACCEPTED,
        )
    except InvalidDigest as exc:
        return invalid(Reason.DOCUMENT_MODIFIED, f"signxml: {exc}", **evidence)
    except InvalidSignature as exc:
        return invalid(Reason.SIGNATURE_INVALID, f"signxml: {exc}", **evidence)
    except (InvalidInput, SignXMLException, ValueError) as exc:
        return invalid(Reason.MALFORMED, f"signxml: {exc}", **evidence)
    refusal = signed_content_refusal(root, result.signed_xml, request, evidence)  # type: ignore[union-attr]
    if refusal is not None:
        return refusal
    store = trust_store()
    outcome = chain.validate_certificate(certificate, store, request.at, tuple(others))
    return chain.assess(
        certificate, outcome, store=store, expected_iin=request.expected_iin, at=request.at, evidence=evidence
    )


def weak_algorithm_refusal(algorithm: str, signature: etree._Element) -> Verdict | None:
    """SHA-1 as the signature's or any reference's algorithm is refused, whatever the key."""
    algorithms = [algorithm, *(m.get("Algorithm", "") for m in signature.iterfind(".//ds:DigestMethod", NS))]
    if any(name.lower().endswith("sha1") for name in algorithms):
        return invalid(Reason.WEAK_ALGORITHM, "SHA-1 in " + ", ".join(algorithms))
    return None


def signed_content_refusal(
    root: etree._Element, signed: etree._Element | None, request: Request, evidence: dict[str, object]
) -> Verdict | None:
    """Only what the signature covers is read: `signed` (the referenced element, after its transforms) must be the
    whole document but the signature, and the document the citizen was asked to sign when the caller gives it. Puts
    the signed content (C14N) into `evidence`."""
    if signed is None or c14n(signed) != c14n(without_signature(root)):
        return invalid(Reason.UNSIGNED_CONTENT, "the signature does not cover the whole document", **evidence)
    if request.document:
        try:
            expected = parse_xml(request.document)
        except MalformedSignatureError as exc:
            return invalid(Reason.CONTENT_MISMATCH, f"the expected document is not readable XML: {exc}", **evidence)
        if c14n(expected) != c14n(signed):
            return invalid(Reason.CONTENT_MISMATCH, "signed XML differs from the document submitted", **evidence)
    evidence["signed_content"] = c14n(signed)
    return None


def key_info_certificates(signature: etree._Element) -> tuple[asn1_x509.Certificate, list[asn1_x509.Certificate]]:
    """The signer's certificate (the first that is not a CA) and any others KeyInfo carries."""
    certificates = []
    for element in signature.iterfind("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS):
        try:
            certificate = asn1_x509.Certificate.load(base64.b64decode("".join((element.text or "").split())))
            _ = certificate.subject.native
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"unreadable X509Certificate: {exc}") from exc
        certificates.append(certificate)
    signers = [c for c in certificates if not c.ca]
    if not signers:
        raise ValueError("no signer certificate in KeyInfo/X509Data")
    return signers[0], [c for c in certificates if c is not signers[0]]


def without_signature(root: etree._Element) -> etree._Element:
    stripped = copy.deepcopy(root)
    remove_signature(stripped)
    return stripped


def remove_signature(root: etree._Element) -> None:
    """The enveloped-signature transform, in place: the ds:Signature children go, the text after them stays."""
    for signature in root.findall("ds:Signature", NS):
        previous, parent = signature.getprevious(), signature.getparent()
        if signature.tail and parent is not None:
            if previous is not None:
                previous.tail = (previous.tail or "") + signature.tail
            else:
                parent.text = (parent.text or "") + signature.tail
        if parent is not None:
            parent.remove(signature)


def c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n")
