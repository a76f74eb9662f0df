"""Path validation for GOST certificates, which pyhanko-certvalidator cannot do (it cannot read GOST keys).

The same rules as the RSA path, written out: from the signer's certificate, each issuer is a CA of the trust store
(or of the CMS) whose subject is the certificate's issuer, whose key identifier matches its authority key identifier,
which may sign certificates, and whose GOST key (GOST 34.10-2015 or GOST 34.310-2004, see `gost_keys`) verifies the
certificate's signature — up to a pinned root. Every certificate below the root is checked against its issuer's CRLs
(each CRL's own signature verified with the issuer's key), and every CA certificate must be within its validity
dates. The verdict then follows `chain.assess`'s order and reason codes: the signer's own facts, trust configured, an
unknown issuer, revocation, CRL freshness (PENDING), an expired CA, an unverifiable CRL (PENDING).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from functools import lru_cache

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509

from complaints.eds import chain, gost_keys
from complaints.eds.trust import HeldCrl, TrustStore, register_crl_signature_check
from complaints.eds.verifier import Reason, Status, Verdict, invalid, pending

MAX_DEPTH = 8


def build_path(
    certificate: asn1_x509.Certificate,
    store: TrustStore,
    extra_certificates: Iterable[asn1_x509.Certificate] = (),
) -> list[asn1_x509.Certificate] | None:
    """Signer first, pinned root last; None when no verified path reaches a pinned root."""
    roots = {root.dump() for root in store.roots}
    candidates = [*store.roots, *store.intermediates, *extra_certificates]
    path = [certificate]
    while len(path) <= MAX_DEPTH:
        current = path[-1]
        if current.dump() in roots:
            return path
        issuer = _verified_issuer(current, candidates)
        if issuer is None or issuer in path:
            return None
        path.append(issuer)
    return None


def _verified_issuer(
    certificate: asn1_x509.Certificate, candidates: list[asn1_x509.Certificate]
) -> asn1_x509.Certificate | None:
    key_id = certificate.authority_key_identifier
    for candidate in candidates:
        if candidate.subject != certificate.issuer or not _may_sign_certificates(candidate):
            continue
        if key_id is not None and candidate.key_identifier is not None and candidate.key_identifier != key_id:
            continue
        tbs = certificate["tbs_certificate"]
        if signed_by(
            candidate, certificate["signature_algorithm"]["algorithm"].dotted, tbs.dump(), _signature(certificate)
        ):
            return candidate
    return None


def _may_sign_certificates(candidate: asn1_x509.Certificate) -> bool:
    constraints = candidate.basic_constraints_value
    usage = candidate.key_usage_value
    return bool(constraints and constraints["ca"].native) and (usage is None or "key_cert_sign" in usage.native)


def _signature(signed: asn1_x509.Certificate) -> bytes:
    return bytes(signed["signature_value"].native)


def signed_by(issuer: asn1_x509.Certificate, algorithm: str, data: bytes, signature: bytes) -> bool:
    """Whether the issuer's GOST key signed `data`; a key of another kind (or a broken one) signs nothing."""
    try:
        key = gost_keys.public_key(issuer["tbs_certificate"]["subject_public_key_info"].dump())
    except gost_keys.GostKeyError:
        return False
    return gost_keys.verify(key, algorithm, data, signature)


@lru_cache(maxsize=64)
def _crl_verified(crl_sha256: str, issuer_der: bytes, crl_der: bytes) -> bool:
    """CRLs are large and Streebog is pure Python here: each (CRL, issuer) pair is verified once per process."""
    issuer = asn1_x509.Certificate.load(issuer_der)
    crl = asn1_crl.CertificateList.load(crl_der)
    try:
        return signed_by(
            issuer,
            crl["signature_algorithm"]["algorithm"].dotted,
            crl["tbs_cert_list"].dump(),
            bytes(crl["signature"].native),
        )
    except gost_keys.GostUnsupportedError:
        return False


@register_crl_signature_check("gost")
def crl_signed_by(issuer: asn1_x509.Certificate, held: HeldCrl) -> bool | None:
    """For `trust.refresh_crls`: whether a GOST CA signed the CRL; None when the CA's key is not GOST."""
    try:
        gost_keys.public_key(issuer["tbs_certificate"]["subject_public_key_info"].dump())
    except gost_keys.GostKeyError:
        return None
    except gost_keys.GostUnsupportedError:
        return False
    return _crl_verified(held.sha256, issuer.dump(), held.der)


def assess(
    certificate: asn1_x509.Certificate,
    *,
    store: TrustStore,
    expected_iin: str,
    at: dt.datetime,
    evidence: dict[str, object],
    extra_certificates: Iterable[asn1_x509.Certificate] = (),
) -> Verdict:
    """`chain.assess` for a GOST signature that is intact and cryptographically valid (the path is built only once
    the certificate's own facts hold: each step is a GOST verification)."""
    evidence = dict(evidence)
    refusal = chain._certificate_refusal(certificate, expected_iin, at, evidence)  # shared rules (chain.py's own)
    if refusal is not None:
        return refusal
    if not store.configured:
        return pending(Reason.TRUST_NOT_CONFIGURED, "no pinned roots in EDS_TRUST_DIR", **evidence)
    path = build_path(certificate, store, extra_certificates)
    if path is None:
        return invalid(Reason.UNTRUSTED_ISSUER, "no verified GOST path to a pinned root", **evidence)
    evidence["chain"] = tuple(c.dump() for c in path)
    revocation = _revocation(path, store, at)
    if revocation.revoked:
        return invalid(Reason.CERTIFICATE_REVOKED, revocation.detail, **evidence)
    freshness = chain._crl_freshness(certificate, store, at)  # shared rules (chain.py's own)
    evidence["crls"] = freshness.used
    if freshness.reason is not None:
        return pending(freshness.reason, freshness.detail, **evidence)
    for ca in path[1:]:
        validity = ca["tbs_certificate"]["validity"]
        if not validity["not_before"].native <= at <= validity["not_after"].native:
            return invalid(Reason.CERTIFICATE_EXPIRED, f"CA {ca.subject.human_friendly} out of validity", **evidence)
    if revocation.unverified:
        return pending(Reason.REVOCATION_UNKNOWN, revocation.detail, **evidence)
    return Verdict(Status.VALID, Reason.VALID, **evidence)  # type: ignore[arg-type]


class _Revocation:
    def __init__(self, revoked: bool = False, unverified: bool = False, detail: str = "") -> None:
        self.revoked, self.unverified, self.detail = revoked, unverified, detail


def _revocation(path: list[asn1_x509.Certificate], store: TrustStore, at: dt.datetime) -> _Revocation:
    """Each certificate below the root against its issuer's CRLs whose signature verifies (CRLs count
    retroactively, as on the RSA path: a listed certificate is revoked from its revocation date)."""
    unverified: list[str] = []
    for certificate, issuer in itertools.pairwise(path):
        for held in store.crls_of(issuer):
            if not _crl_verified(held.sha256, issuer.dump(), held.der):
                unverified.append(held.name)
                continue
            revoked_at = _revocation_date(held, certificate.serial_number)
            if revoked_at is not None and revoked_at <= at:
                return _Revocation(revoked=True, detail=f"revoked {revoked_at:%Y-%m-%d} per {held.name}")
    if unverified:
        return _Revocation(unverified=True, detail="CRL signature does not verify: " + ", ".join(unverified))
    return _Revocation()


def _revocation_date(held: HeldCrl, serial: int) -> dt.datetime | None:
    for entry in held.crl["tbs_cert_list"]["revoked_certificates"]:
        if entry["user_certificate"].native == serial:
            return entry["revocation_date"].native
    return None
