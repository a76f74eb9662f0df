"""XML-DSig with GOST algorithms (NCALayer's `basicsSignXML` with a GOST key), verified as `gost` verifies GOST CMS.

signxml knows no GOST, so the XML-DSig core validation is done here, on the envelope `xmldsig.read_envelope` parsed
(DOCTYPE and entity declarations refused before parsing, exactly one ds:Signature, a child of the document element):

1. the signature method URI names a GOST algorithm `gost_keys` computes (below), the signer's certificate is in
   KeyInfo/X509Data and its key fits the algorithm (`gost.signer_key`);
2. each Reference points into this document — URI="" (the document) or URI="#id" (the one element whose Id, ID or id
   is `id`); any other URI (another file, a web address, an XPointer) is refused — and its transforms are the
   enveloped-signature transform and/or one C14N 1.0 (inclusive or exclusive, with or without comments; same-document
   references drop comments either way, as XML-DSig 4.4.3.3 says); its digest, under its DigestMethod, must match;
3. SignedInfo, canonicalized per its CanonicalizationMethod, carries a signature the certificate's key made (in each
   byte order `gost_keys` knows for the key's family);
4. one reference covers the whole document but the signature, and it is the document the citizen was asked to sign
   (`xmldsig.signed_content_refusal`, the RSA path's rule): only that content is handed on as what was signed;
5. the certificate's path, CRLs, validity, key usage and IIN: `gost_chain.assess`, as for GOST CMS.

URIs: the NCA's (`urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:`, GOST 34.10-2015 with GOST 34.11-2015, 256 and
512 bits), GOST 34.310-2004 as `xmldsig-more#gostr34102001-gostr3411` with `xmldsig-more#gostr3411` (GOST 34.311-95
for NCA keys; for other keys that URI means GOST R 34.11-94 with CryptoPro's S-box, not computed here: PENDING), and
the TC26 ones of RFC 9215 style (`urn:ietf:params:xml:ns:cpxmlsec:algorithms:`). SHA-256/384/512 reference digests
are accepted beside them, SHA-1 is refused as on the RSA path. Any other URI naming GOST is PENDING.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from lxml import etree

from complaints.eds import chain, gost, gost_chain, gost_keys, xmldsig
from complaints.eds.trust import trust_store
from complaints.eds.verifier import (
    Envelope,
    MalformedSignatureError,
    Reason,
    Request,
    SignatureFormat,
    Verdict,
    invalid,
    pending,
    register,
)
from complaints.eds.xmldsig import NS

PKIGOVKZ = "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:"
CPXMLSEC = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:"
XMLDSIG_MORE = "http://www.w3.org/2001/04/xmldsig-more#"
GOST_2004_URI = XMLDSIG_MORE + "gostr34102001-gostr3411"
GOST_34311_URI = XMLDSIG_MORE + "gostr3411"
SIGNATURE_METHODS = {  # URI → the signature algorithm OID `gost_keys` computes it as
    PKIGOVKZ + "gostr34102015-gostr34112015-256": "1.2.398.3.10.1.1.2.3.1",
    PKIGOVKZ + "gostr34102015-gostr34112015-512": "1.2.398.3.10.1.1.2.3.2",
    GOST_2004_URI: gost_keys.GOST_2004,
    CPXMLSEC + "gostr34102012-gostr34112012-256": "1.2.643.7.1.1.3.2",
    CPXMLSEC + "gostr34102012-gostr34112012-512": "1.2.643.7.1.1.3.3",
}
DIGEST_METHODS = {  # URI → `gost_keys.hash_data`'s or hashlib's name of the hash
    PKIGOVKZ + "gostr34112015-256": gost_keys.STREEBOG_256,
    PKIGOVKZ + "gostr34112015-512": gost_keys.STREEBOG_512,
    GOST_34311_URI: gost_keys.GOST_34311,
    CPXMLSEC + "gostr34112012-256": gost_keys.STREEBOG_256,
    CPXMLSEC + "gostr34112012-512": gost_keys.STREEBOG_512,
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    XMLDSIG_MORE + "sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
EXCLUSIVE_NS = "http://www.w3.org/2001/10/xml-exc-c14n#"


@dataclass(frozen=True)
class Canonicalization:
    exclusive: bool
    with_comments: bool

    def apply(
        self, node: etree._Element | etree._ElementTree, *, prefixes: list[str] | None = None, comments: bool = True
    ) -> bytes:
        return etree.tostring(
            node,
            method="c14n",
            exclusive=self.exclusive,
            with_comments=self.with_comments and comments,
            inclusive_ns_prefixes=prefixes if self.exclusive else None,
        )


CANONICALIZATIONS = {
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315": Canonicalization(exclusive=False, with_comments=False),
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments": Canonicalization(
        exclusive=False, with_comments=True
    ),
    EXCLUSIVE_NS: Canonicalization(exclusive=True, with_comments=False),
    EXCLUSIVE_NS + "WithComments": Canonicalization(exclusive=True, with_comments=True),
}
INCLUSIVE_C14N = CANONICALIZATIONS["http://www.w3.org/TR/2001/REC-xml-c14n-20010315"]


def is_gost_uri(algorithm: str) -> bool:
    return "gost" in algorithm.lower()


@register(SignatureFormat.XMLDSIG, is_gost_uri, name="gost-xml")
def verify_gost_xml(envelope: Envelope, request: Request) -> Verdict:
    try:
        return _verify(envelope, request)
    except gost_keys.GostUnsupportedError as exc:
        return pending(Reason.GOST_NOT_CONFIGURED, f"GOST algorithm {envelope.algorithm}: {exc}")


def _verify(envelope: Envelope, request: Request) -> Verdict:
    root: etree._Element = envelope.parsed
    signature = root.find("ds:Signature", NS)
    assert signature is not None  # read_envelope checked
    weak = xmldsig.weak_algorithm_refusal(envelope.algorithm, signature)
    if weak is not None:
        return weak
    algorithm = _signature_algorithm(envelope.algorithm)
    try:
        certificate, others = xmldsig.key_info_certificates(signature)
    except ValueError as exc:
        return invalid(Reason.NO_CERTIFICATE, str(exc))
    evidence = chain.signer_evidence(certificate)
    key = gost.signer_key(certificate, algorithm, evidence)
    if isinstance(key, Verdict):
        return key
    _nca_only(envelope.algorithm, key)
    signer = _Signer(certificate, tuple(others), key, algorithm)
    try:
        return _verify_signature(envelope, request, signer, evidence)
    except MalformedSignatureError as exc:
        return invalid(exc.reason, str(exc), **evidence)
    except gost_keys.GostUnsupportedError:  # a ValueError too, but PENDING: `verify_gost_xml` answers it
        raise
    except (ValueError, TypeError, etree.LxmlError) as exc:
        return invalid(Reason.MALFORMED, f"GOST XML-DSig could not be read: {exc!r}", **evidence)


@dataclass(frozen=True)
class _Signer:
    certificate: asn1_x509.Certificate
    others: tuple[asn1_x509.Certificate, ...]  # the other certificates KeyInfo carries
    key: gost_keys.PublicKey
    algorithm: str  # the signature algorithm OID `gost_keys` computes


def _verify_signature(envelope: Envelope, request: Request, signer: _Signer, evidence: dict[str, object]) -> Verdict:
    root: etree._Element = envelope.parsed
    signature = root.find("ds:Signature", NS)
    assert signature is not None
    signed_info = _only(signature, "ds:SignedInfo")
    stripped = xmldsig.parse_xml(envelope.payload)  # the document as the enveloped-signature transform sees it
    xmldsig.remove_signature(stripped)
    covered: etree._Element | None = None
    references = signed_info.findall("ds:Reference", NS)
    if not references:
        raise MalformedSignatureError(Reason.MALFORMED, "SignedInfo has no Reference")
    for reference in references:
        target, enveloped, intact = _check_reference(reference, root, stripped, signer.key)
        if not intact:
            detail = f"the digest of Reference URI={reference.get('URI')!r} does not match"
            return invalid(Reason.DOCUMENT_MODIFIED, detail, **evidence)
        if target is root and enveloped:
            covered = stripped
    canonicalization = _only(signed_info, "ds:CanonicalizationMethod")
    signed_bytes = _canonicalization(canonicalization).apply(signed_info, prefixes=_prefixes(canonicalization))
    value = _base64(_only(signature, "ds:SignatureValue"))
    if not gost_keys.verify(signer.key, signer.algorithm, signed_bytes, value):
        return invalid(Reason.SIGNATURE_INVALID, "the signature over SignedInfo does not verify", **evidence)
    refusal = xmldsig.signed_content_refusal(root, covered, request, evidence)
    if refusal is not None:
        return refusal
    return gost_chain.assess(
        signer.certificate,
        store=trust_store(),
        expected_iin=request.expected_iin,
        at=request.at,
        evidence=evidence,
        extra_certificates=signer.others,
    )


def _signature_algorithm(uri: str) -> str:
    try:
        return SIGNATURE_METHODS[uri]
    except KeyError:
        raise gost_keys.GostUnsupportedError(f"GOST signature method {uri} is not supported") from None


def _nca_only(uri: str, key: gost_keys.PublicKey) -> None:
    """xmldsig-more's GOST 2001 URIs mean GOST 34.311-95 for the NCA's keys, CryptoPro's GOST R 34.11-94 for others."""
    if uri in (GOST_2004_URI, GOST_34311_URI) and key.algorithm not in gost_keys.NCA_KEY_ALGORITHMS:
        raise gost_keys.GostUnsupportedError(f"{uri} with a key of {key.algorithm} (GOST R 34.11-94, CryptoPro)")


def _check_reference(
    reference: etree._Element, root: etree._Element, stripped: etree._Element, key: gost_keys.PublicKey
) -> tuple[etree._Element, bool, bool]:
    """The referenced element, whether the enveloped-signature transform applies to it, and whether the digest of
    the octets its transforms make is its DigestValue."""
    method_uri = _only(reference, "ds:DigestMethod").get("Algorithm", "")
    if method_uri not in DIGEST_METHODS:
        raise gost_keys.GostUnsupportedError(f"digest method {method_uri} is not supported")
    _nca_only(method_uri, key)
    expected = _base64(_only(reference, "ds:DigestValue"))
    transforms = reference.findall("ds:Transforms/ds:Transform", NS)
    names = [transform.get("Algorithm", "") for transform in transforms]
    enveloped = names[:1] == [ENVELOPED]
    rest = names[1:] if enveloped else names
    if len(rest) > 1 or any(name not in CANONICALIZATIONS for name in rest):
        raise MalformedSignatureError(Reason.MALFORMED, f"transforms not accepted: {', '.join(names)}")
    canonicalization = CANONICALIZATIONS[rest[0]] if rest else INCLUSIVE_C14N
    target, node = _target(reference.get("URI"), root, stripped, enveloped)
    octets = canonicalization.apply(node, prefixes=_prefixes(transforms[-1]) if rest else None, comments=False)
    return target, enveloped, _hash(DIGEST_METHODS[method_uri], octets) == expected


def _target(
    uri: str | None, root: etree._Element, stripped: etree._Element, enveloped: bool
) -> tuple[etree._Element, etree._Element | etree._ElementTree]:
    """The element a same-document URI names, and the node its octets are made of: the document (URI="") or the
    element with that Id, without the signature when the enveloped-signature transform applies."""
    if uri == "":
        return root, (stripped if enveloped else root).getroottree()
    if uri is not None and uri.startswith("#") and "(" not in uri:
        target = _element_by_id(root, uri[1:])
        return target, stripped if target is root and enveloped else target
    raise MalformedSignatureError(Reason.MALFORMED, f"Reference URI={uri!r}: only this document is accepted")


def _hash(name: str, data: bytes) -> bytes:
    if name.startswith("sha"):
        return hashlib.new(name, data).digest()
    return gost_keys.hash_data(name, data)


def _element_by_id(root: etree._Element, identifier: str) -> etree._Element:
    """The one element carrying the identifier; none or several (a wrapping attempt) is refused."""
    found = [
        element
        for element in root.iter(etree.Element)
        if identifier in (element.get("Id"), element.get("ID"), element.get("id"))
    ]
    if len(found) != 1:
        raise MalformedSignatureError(Reason.MALFORMED, f"{len(found)} elements with the Id {identifier!r}")
    if any(node.tag == f"{{{xmldsig.DS}}}Signature" for node in (found[0], *found[0].iterancestors())):
        raise MalformedSignatureError(Reason.MALFORMED, f"the Id {identifier!r} is inside the signature")
    return found[0]


def _canonicalization(element: etree._Element) -> Canonicalization:
    uri = element.get("Algorithm", "")
    try:
        return CANONICALIZATIONS[uri]
    except KeyError:
        raise MalformedSignatureError(Reason.MALFORMED, f"canonicalization {uri!r} not accepted") from None


def _prefixes(element: etree._Element) -> list[str] | None:
    """Exclusive C14N's InclusiveNamespaces PrefixList ("#default" for the default namespace)."""
    inclusive = element.find(f"{{{EXCLUSIVE_NS}}}InclusiveNamespaces")
    if inclusive is None:
        return None
    return inclusive.get("PrefixList", "").split() or None


def _only(parent: etree._Element, path: str) -> etree._Element:
    found = parent.findall(path, NS)
    if len(found) != 1:
        raise MalformedSignatureError(Reason.MALFORMED, f"{len(found)} {path} elements; one expected")
    return found[0]


def _base64(element: etree._Element) -> bytes:
    try:
        return base64.b64decode("".join((element.text or "").split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MalformedSignatureError(Reason.MALFORMED, f"{etree.QName(element).localname}: bad base64") from exc
