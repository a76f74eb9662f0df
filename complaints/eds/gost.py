"""GOST signatures (NCA's GOST 34.310-2004 and GOST 34.10-2015 keys) behind the same verifier interface.

CMS with a GOST signature — GOST 34.10-2015 (256 or 512 bits, Streebog) or GOST 34.310-2004 (GOST 34.311-95) — is
verified here, the way `cms` verifies RSA with pyHanko, which cannot read GOST keys: asn1crypto reads the SignedData
and the certificates at the structure level, `gost_keys` does the arithmetic (pure-Python gostcrypto, and
`gost34311` for the 2004 hash) and `gost_chain` the path to a pinned root, revocation and the verdict (the same
reasons and evidence as `chain.assess`). The checks, in `cms`'s order: exactly one signer (read by
`cms.read_envelope`), the signer's certificate in the CMS, a signingTime not in the future, the encapsulated content
equal to the document, the messageDigest attribute equal to the document's digest under the SignerInfo's digest
algorithm, the signature over the DER SET OF signed attributes, then the certificate and its path.

Still PENDING (`gost_not_configured`), never VALID nor wrongly INVALID: keys on a parameter set `gost_keys.CURVES`
does not know, signature or digest algorithm OIDs `gost_keys` does not list. XML-DSig with a GOST algorithm is
`gost_xml`'s, which shares `signer_key` and, like this module, ends in `gost_chain.assess`.
"""

from __future__ import annotations

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509

from complaints.eds import chain, gost_chain, gost_keys
from complaints.eds.cms import signed_content
from complaints.eds.trust import trust_store
from complaints.eds.verifier import (
    Envelope,
    Reason,
    Request,
    SignatureFormat,
    Verdict,
    invalid,
    pending,
    register,
)

GOST_2004 = gost_keys.GOST_2004
GOST_2004_KALKAN = gost_keys.GOST_2004_KALKAN
GOST_2015_PREFIX = "1.2.398.3.10.1.1.2.3."  # GOST 34.10-2015 signatures (.1: 256-bit, .2: 512-bit)
GOST_KEY_PREFIX = "1.2.398.3.10.1.1."


def is_gost_oid(algorithm: str) -> bool:
    return (
        algorithm in (GOST_2004, GOST_2004_KALKAN)
        or algorithm.startswith(GOST_2015_PREFIX)
        or algorithm.startswith(GOST_KEY_PREFIX)
    )


@register(SignatureFormat.CMS, is_gost_oid, name="gost")
def verify_gost_cms(envelope: Envelope, request: Request) -> Verdict:
    try:
        return _verify_cms(envelope.parsed, request, envelope.algorithm)
    except gost_keys.GostUnsupportedError as exc:
        return pending(Reason.GOST_NOT_CONFIGURED, f"GOST algorithm {envelope.algorithm}: {exc}")
    except (ValueError, TypeError, KeyError) as exc:  # a part of the DER read lazily turned out broken
        return invalid(Reason.MALFORMED, f"GOST CMS could not be read: {exc!r}")


def signer_key(
    certificate: asn1_x509.Certificate, algorithm: str, evidence: dict[str, object]
) -> gost_keys.PublicKey | Verdict:
    """The certificate's GOST key when it can make `algorithm`'s signatures, else the INVALID verdict (a key of
    another kind or size); GostUnsupportedError (PENDING) for an algorithm or curve not known."""
    size = gost_keys.signature_algorithm(algorithm).size
    try:
        key = gost_keys.public_key(certificate["tbs_certificate"]["subject_public_key_info"].dump())
    except gost_keys.GostKeyError as exc:
        return invalid(Reason.SIGNATURE_INVALID, f"a GOST signature, but the certificate's key: {exc}", **evidence)
    if key.size != size:
        return invalid(Reason.SIGNATURE_INVALID, f"a {size * 8}-bit signature by a {key.size * 8}-bit key", **evidence)
    return key


def _verify_cms(signed_data: cms.SignedData, request: Request, algorithm: str) -> Verdict:
    gost_keys.signature_algorithm(algorithm)  # an algorithm not known is PENDING before anything else is read
    signer = signed_data["signer_infos"][0]
    certificate = _signer_certificate(signed_data, signer)
    if certificate is None:
        return invalid(Reason.NO_CERTIFICATE, "the signer's certificate is not in the CMS")
    evidence = chain.signer_evidence(certificate)
    key = signer_key(certificate, algorithm, evidence)
    if isinstance(key, Verdict):
        return key
    attributes = signer["signed_attrs"]
    document = signed_content(signed_data, request, _attribute(attributes, "signing_time"), evidence)
    if isinstance(document, Verdict):
        return document
    if attributes.native is None:
        signed_bytes = document
    else:
        digest_algorithm = signer["digest_algorithm"]["algorithm"].dotted
        if _attribute(attributes, "message_digest") != gost_keys.message_digest(digest_algorithm, document):
            return invalid(Reason.DOCUMENT_MODIFIED, "message digest does not match the document", **evidence)
        signed_bytes = b"\x31" + attributes.dump()[1:]  # signed over as a SET OF, not as the [0] it is carried in
    signature = bytes(signer["signature"].native)
    if not gost_keys.verify(key, algorithm, signed_bytes, signature):
        return invalid(Reason.SIGNATURE_INVALID, "signature over the signed attributes does not verify", **evidence)
    store = trust_store()
    return gost_chain.assess(
        certificate,
        store=store,
        expected_iin=request.expected_iin,
        at=request.at,
        evidence=evidence,
        extra_certificates=tuple(c.chosen for c in signed_data["certificates"] if c.name == "certificate"),
    )


def _signer_certificate(signed_data: cms.SignedData, signer: cms.SignerInfo) -> asn1_x509.Certificate | None:
    sid = signer["sid"]
    for choice in signed_data["certificates"]:
        if choice.name != "certificate":
            continue
        certificate: asn1_x509.Certificate = choice.chosen
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if certificate.issuer == wanted["issuer"] and certificate.serial_number == wanted["serial_number"].native:
                return certificate
        elif certificate.key_identifier == sid.chosen.native:
            return certificate
    return None


def _attribute(attributes: cms.CMSAttributes, name: str):  # type: ignore[no-untyped-def]
    if attributes.native is None:
        return None
    for attribute in attributes:
        if attribute["type"].native == name:
            return attribute["values"][0].native
    return None
