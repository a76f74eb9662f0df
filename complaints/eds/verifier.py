"""One interface for every signature a citizen sends: `verify(document, signature, expected_iin=..., at=...)`.

NCALayer returns CMS (`basicsSignCMS`, `createCAdESFromBase64`; usually detached) or an enveloped XML-DSig
(`basicsSignXML`). `verify` reads the envelope (its format and signature algorithm OID or URI) and hands it to the
backend registered for that pair: `cms` (RSA/ECDSA through pyHanko), `xmldsig` (signxml), `gost` (CMS signed with
GOST 34.10-2015 and Streebog or GOST 34.310-2004 and GOST 34.311-95, in pure Python) and `gost_xml` (XML-DSig with
the same GOST algorithms under their NCA and TC26 URIs); GOST curves or algorithms they do not know are answered
pending. Every backend answers with a `Verdict`:

- VALID: the document is intact, the certificate chains to a pinned NCA root, is within its validity dates, is not
  revoked per CRLs that are still current, carries nonRepudiation (a SIGN key), and its IIN is the form's IIN;
- INVALID: one of those is false — `reason` says which, `message` says it to the citizen;
- PENDING: nothing is wrong with the signature, but it cannot be decided now (a stale or missing CRL, no GOST
  backend, no trust roots configured). Never treated as valid; verify again later.

Evidence for the record travels in the verdict: the chain (DER, signer first), the CRLs used (number, thisUpdate,
nextUpdate, digest, DER) and the signing time the signer claimed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Status(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    PENDING = "pending"


class SignatureFormat(enum.StrEnum):
    CMS = "cms"
    XMLDSIG = "xmldsig"


class Reason(enum.StrEnum):
    """Why a verdict is what it is; stable codes for the audit record, each with a message for the citizen."""

    VALID = "valid"
    MALFORMED = "malformed_signature"
    MULTIPLE_SIGNERS = "multiple_signers"
    NO_CERTIFICATE = "no_signer_certificate"
    DOCUMENT_MODIFIED = "document_modified"
    SIGNATURE_INVALID = "signature_invalid"
    WEAK_ALGORITHM = "weak_algorithm"
    UNTRUSTED_ISSUER = "untrusted_issuer"
    CERTIFICATE_EXPIRED = "certificate_expired"
    CERTIFICATE_NOT_YET_VALID = "certificate_not_yet_valid"
    CERTIFICATE_REVOKED = "certificate_revoked"
    NOT_SIGNING_KEY = "not_signing_key"
    IIN_MISSING = "iin_missing"
    IIN_MISMATCH = "iin_mismatch"
    SIGNING_TIME_IN_FUTURE = "signing_time_in_future"
    CHAIN_INVALID = "chain_invalid"
    XML_DOCTYPE = "xml_doctype"
    UNSIGNED_CONTENT = "unsigned_content"
    CONTENT_MISMATCH = "content_mismatch"
    CRL_STALE = "crl_stale"
    CRL_MISSING = "crl_missing"
    REVOCATION_UNKNOWN = "revocation_unknown"
    TRUST_NOT_CONFIGURED = "trust_not_configured"
    GOST_NOT_CONFIGURED = "gost_not_configured"


MESSAGES: dict[Reason, Promise] = {
    Reason.VALID: _("The signature is valid."),
    Reason.MALFORMED: _("The signature could not be read. Please sign the document again in NCALayer."),
    Reason.MULTIPLE_SIGNERS: _("The document must be signed by one person only."),
    Reason.NO_CERTIFICATE: _("The signature does not contain the signer's certificate. Please sign again in NCALayer."),
    Reason.DOCUMENT_MODIFIED: _("The document was changed after it was signed. Please sign it again."),
    Reason.SIGNATURE_INVALID: _("The signature does not match the signer's certificate."),
    Reason.WEAK_ALGORITHM: _(
        "The signature uses an outdated algorithm (SHA-1). Please update NCALayer and sign again."
    ),
    Reason.UNTRUSTED_ISSUER: _(
        "The certificate was not issued by the National Certification Authority of the Republic of Kazakhstan."
    ),
    Reason.CERTIFICATE_EXPIRED: _("Your signing certificate has expired. Please obtain a new one from the NCA."),
    Reason.CERTIFICATE_NOT_YET_VALID: _("Your signing certificate is not valid yet."),
    Reason.CERTIFICATE_REVOKED: _("Your signing certificate has been revoked. Please obtain a new one from the NCA."),
    Reason.NOT_SIGNING_KEY: _(
        "The document was signed with the authentication key (AUTH). Please sign it with the signing key (RSA or GOST)."
    ),
    Reason.IIN_MISSING: _("The certificate does not contain an IIN."),
    Reason.IIN_MISMATCH: _("The IIN in the certificate is not the IIN given in the form."),
    Reason.SIGNING_TIME_IN_FUTURE: _(
        "The signing time is in the future. Please check the clock on your computer and sign again."
    ),
    Reason.CHAIN_INVALID: _("The certificate could not be verified."),
    Reason.XML_DOCTYPE: _("The XML document contains a DOCTYPE or entity declarations, which are not accepted."),
    Reason.UNSIGNED_CONTENT: _("The XML document contains data that the signature does not cover."),
    Reason.CONTENT_MISMATCH: _("The signed content is not the document that was submitted."),
    Reason.CRL_STALE: _(
        "The signature cannot be checked right now: revocation lists are being updated. It will be checked again."
    ),
    Reason.CRL_MISSING: _(
        "The signature cannot be checked right now: a revocation list is missing. It will be checked again."
    ),
    Reason.REVOCATION_UNKNOWN: _(
        "The signature cannot be checked right now: the certificate's revocation status is unknown. It will be checked "
        "again."
    ),
    Reason.TRUST_NOT_CONFIGURED: _(
        "The signature cannot be checked right now: the NCA certificates are not installed. It will be checked again."
    ),
    Reason.GOST_NOT_CONFIGURED: _(
        "Your GOST signature cannot be checked yet; it will be checked later. You may sign with the RSA key instead."
    ),
}

PENDING_REASONS = frozenset(
    {
        Reason.CRL_STALE,
        Reason.CRL_MISSING,
        Reason.REVOCATION_UNKNOWN,
        Reason.TRUST_NOT_CONFIGURED,
        Reason.GOST_NOT_CONFIGURED,
    }
)


@dataclass(frozen=True)
class CrlEvidence:
    """A CRL the verdict relied on (kept as evidence beside the signature and the chain)."""

    issuer: str
    number: int | None
    this_update: dt.datetime
    next_update: dt.datetime | None
    sha256: str
    der: bytes = field(repr=False)


@dataclass(frozen=True)
class Verdict:
    status: Status
    reason: Reason
    signature_format: str = ""
    algorithm: str = ""
    signer_iin: str = ""
    signer_name: str = ""
    certificate_serial: str = ""
    chain: tuple[bytes, ...] = field(default=(), repr=False)
    crls: tuple[CrlEvidence, ...] = ()
    signing_time: dt.datetime | None = None
    signed_content: bytes = field(default=b"", repr=False)
    detail: str = ""

    @property
    def message(self) -> Promise:
        """For the citizen, translated; `detail` is for the audit log (technical, English)."""
        return MESSAGES[self.reason]

    @property
    def is_valid(self) -> bool:
        return self.status is Status.VALID


def invalid(reason: Reason, detail: str = "", **evidence: Any) -> Verdict:
    return Verdict(Status.INVALID, reason, detail=detail, **evidence)


def pending(reason: Reason, detail: str = "", **evidence: Any) -> Verdict:
    assert reason in PENDING_REASONS
    return Verdict(Status.PENDING, reason, detail=detail, **evidence)


@dataclass(frozen=True)
class Envelope:
    """What `verify` read before choosing a backend: the format, the signature algorithm and the parsed object."""

    format: SignatureFormat
    algorithm: str
    payload: bytes
    parsed: Any = None


@dataclass(frozen=True)
class Request:
    document: bytes
    expected_iin: str
    at: dt.datetime


Backend = Callable[[Envelope, Request], Verdict]


class MalformedSignatureError(ValueError):
    """The signature's bytes are not a CMS or XML-DSig envelope we can read."""

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class _Registration:
    format: SignatureFormat
    matches: Callable[[str], bool]
    backend: Backend
    name: str
    fallback: bool


_REGISTRY: list[_Registration] = []


def register(
    format: SignatureFormat, matches: Callable[[str], bool], *, name: str, fallback: bool = False
) -> Callable[[Backend], Backend]:
    """Make `backend` answer for envelopes of `format` whose algorithm `matches`. Backends for specific algorithms
    (GOST) are asked before the fallbacks (the general CMS and XML backends)."""

    def decorate(backend: Backend) -> Backend:
        _REGISTRY[:] = [entry for entry in _REGISTRY if entry.name != name]
        _REGISTRY.append(_Registration(format, matches, backend, name, fallback))
        _REGISTRY.sort(key=lambda entry: entry.fallback)
        return backend

    return decorate


def backend_for(envelope: Envelope) -> Backend | None:
    _load_backends()
    for entry in _REGISTRY:
        if entry.format is envelope.format and entry.matches(envelope.algorithm):
            return entry.backend
    return None


def _load_backends() -> None:
    from complaints.eds import cms, gost, gost_xml, xmldsig  # noqa: F401  (each registers itself)


_BASE64 = re.compile(rb"^[A-Za-z0-9+/=\s]+$")


def read_envelope(signature: bytes) -> Envelope:
    """DER, PEM/base64 CMS, or XML; raises MalformedSignatureError with the reason otherwise."""
    from complaints.eds import cms, xmldsig

    stripped = signature.lstrip()
    if stripped[:1] == b"<" or stripped[:3] == b"\xef\xbb\xbf" or stripped[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return xmldsig.read_envelope(signature)
    if stripped[:1] != b"\x30":
        text = re.sub(rb"-----(BEGIN|END) [A-Z0-9 ]+-----", b"", stripped)
        if not text or not _BASE64.match(text):
            raise MalformedSignatureError(Reason.MALFORMED, "neither DER, base64 nor XML")
        try:
            stripped = base64.b64decode(b"".join(text.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedSignatureError(Reason.MALFORMED, f"bad base64: {exc}") from exc
    return cms.read_envelope(stripped)


def verify(document: bytes, signature: bytes, *, expected_iin: str, at: dt.datetime | None = None) -> Verdict:
    """Verify `signature` over `document` for the citizen whose IIN is `expected_iin`, as of `at` (default: now).

    For CMS, `document` is the signed file (detached) or empty / equal to the encapsulated content (attached). For
    XML-DSig, `signature` is the signed XML and `document` the XML the citizen was asked to sign (empty: not compared).
    """
    moment = at or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    try:
        envelope = read_envelope(signature)
    except MalformedSignatureError as exc:
        return invalid(exc.reason, str(exc))
    backend = backend_for(envelope)
    if backend is None:
        return invalid(Reason.MALFORMED, f"no verifier for {envelope.format} {envelope.algorithm}")
    verdict = backend(envelope, Request(document=document, expected_iin=expected_iin, at=moment))
    return replace(verdict, signature_format=str(envelope.format), algorithm=envelope.algorithm)
