"""The checks every backend shares once the signature itself holds: the signer's certificate and its path.

Path validation is pyhanko-certvalidator's, run with one context (`TrustStore.validation_context`) and one key-usage
constraint (nonRepudiation): the CMS backend gets the outcome from pyHanko's own CMS validation, the XML backend from
`validate_certificate` (the routine pyHanko's CMS validation calls). `assess` then turns an outcome into a verdict,
in one order for both: the certificate's own facts (key usage, IIN, dates), an unknown issuer, revocation, CRL
freshness (PENDING), any other path failure.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import re
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.validation.generic_cms import validate_cert_usage
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator.path import ValidationPath

from complaints.eds.trust import TrustStore
from complaints.eds.verifier import CrlEvidence, Reason, Status, Verdict, invalid, pending

T = TypeVar("T")

SIGNING_KEY_USAGE = KeyUsageConstraints(key_usage={"non_repudiation"})
_IIN = re.compile(r"^IIN(\d{12})$")


@dataclass(frozen=True)
class TrustOutcome:
    """What path validation said: no problem (`problem is None`) with a path, or an AdES sub-indication."""

    problem: AdESIndeterminate | None
    path: ValidationPath | None


def validate_certificate(
    certificate: asn1_x509.Certificate,
    store: TrustStore,
    at: dt.datetime,
    extra_certificates: tuple[asn1_x509.Certificate, ...] = (),
) -> TrustOutcome:
    context = store.validation_context(at, extra_certificates)
    result = run_to_completion(
        validate_cert_usage(
            certificate,
            context,
            key_usage_settings=SIGNING_KEY_USAGE,
            paths=context.path_builder.async_build_paths_lazy(certificate),
        )
    )
    return TrustOutcome(result.error_subindic, result.success_result or result.error_path)


def run_to_completion(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run one of pyHanko's coroutines from synchronous code, also where this thread already runs an event loop
    (an async view, a test driving a browser): then it runs on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def signer_iin(certificate: asn1_x509.Certificate) -> str:
    serial = certificate.subject.native.get("serial_number", "")
    match = _IIN.match(serial if isinstance(serial, str) else "")
    return match.group(1) if match else ""


def signer_name(certificate: asn1_x509.Certificate) -> str:
    subject = certificate.subject.native
    return " ".join(str(subject[key]) for key in ("common_name", "given_name") if subject.get(key))


def signer_evidence(certificate: asn1_x509.Certificate) -> dict[str, object]:
    return {
        "signer_iin": signer_iin(certificate),
        "signer_name": signer_name(certificate),
        "certificate_serial": format(certificate.serial_number, "x"),
        "chain": (certificate.dump(),),
    }


def assess(
    certificate: asn1_x509.Certificate,
    outcome: TrustOutcome,
    *,
    store: TrustStore,
    expected_iin: str,
    at: dt.datetime,
    evidence: dict[str, object],
) -> Verdict:
    """The verdict for a signature that is intact and cryptographically valid, given its certificate's outcome;
    `evidence` starts from `signer_evidence(certificate)`."""
    evidence = dict(evidence)
    refusal = _certificate_refusal(certificate, expected_iin, at, evidence)
    if refusal is not None:
        return refusal
    if not store.configured:
        return pending(Reason.TRUST_NOT_CONFIGURED, "no pinned roots in EDS_TRUST_DIR", **evidence)
    if outcome.path is not None:
        evidence["chain"] = tuple(c.dump() for c in reversed(list(outcome.path.iter_certs(include_root=True))))
    problem = outcome.problem
    if problem is AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
        return invalid(Reason.UNTRUSTED_ISSUER, "no path to a pinned root", **evidence)
    if problem in (AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE):
        return invalid(Reason.CERTIFICATE_REVOKED, f"revoked ({problem.name})", **evidence)
    freshness = _crl_freshness(certificate, store, at)
    evidence["crls"] = freshness.used
    if freshness.reason is not None:
        return pending(freshness.reason, freshness.detail, **evidence)
    if problem is AdESIndeterminate.OUT_OF_BOUNDS_NO_POE:
        return invalid(Reason.CERTIFICATE_EXPIRED, "outside its validity period", **evidence)
    if problem in (AdESIndeterminate.TRY_LATER, AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE):
        return pending(Reason.REVOCATION_UNKNOWN, f"revocation not established ({problem.name})", **evidence)
    if problem is not None or outcome.path is None:
        name = problem.name if problem is not None else "no path"
        return invalid(Reason.CHAIN_INVALID, f"path validation failed ({name})", **evidence)
    return Verdict(Status.VALID, Reason.VALID, **evidence)  # type: ignore[arg-type]


def _certificate_refusal(
    certificate: asn1_x509.Certificate, expected_iin: str, at: dt.datetime, evidence: dict[str, object]
) -> Verdict | None:
    usage = certificate.key_usage_value
    if usage is None or "non_repudiation" not in usage.native:
        return invalid(Reason.NOT_SIGNING_KEY, "no nonRepudiation key usage (an AUTH key?)", **evidence)
    iin = evidence["signer_iin"]
    if not iin:
        return invalid(Reason.IIN_MISSING, "subject serialNumber is not IIN + 12 digits", **evidence)
    if iin != expected_iin:
        return invalid(Reason.IIN_MISMATCH, f"certificate IIN {iin}, form IIN {expected_iin}", **evidence)
    validity = certificate["tbs_certificate"]["validity"]
    if at > validity["not_after"].native:
        return invalid(Reason.CERTIFICATE_EXPIRED, f"expired {validity['not_after'].native:%Y-%m-%d}", **evidence)
    if at < validity["not_before"].native:
        return invalid(Reason.CERTIFICATE_NOT_YET_VALID, f"valid from {validity['not_before'].native}", **evidence)
    return None


@dataclass(frozen=True)
class _Freshness:
    used: tuple[CrlEvidence, ...]
    reason: Reason | None = None
    detail: str = ""


def _crl_freshness(certificate: asn1_x509.Certificate, store: TrustStore, at: dt.datetime) -> _Freshness:
    """Each CA of the pinned chain must have a CRL whose nextUpdate has not passed; the CRLs found are evidence."""
    used: list[CrlEvidence] = []
    stale: list[str] = []
    missing: list[str] = []
    for issuer in store.pinned_chain(certificate):
        held = store.crls_of(issuer)
        if not [h for h in held if not h.is_delta]:
            missing.append(issuer.subject.human_friendly)
        for crl in held:
            used.append(
                CrlEvidence(
                    issuer=issuer.subject.human_friendly,
                    number=crl.number,
                    this_update=crl.this_update,
                    next_update=crl.next_update,
                    sha256=crl.sha256,
                    der=crl.der,
                )
            )
            if crl.is_stale(at):
                stale.append(f"{crl.name} (next update {crl.next_update})")
    if stale:
        return _Freshness(tuple(used), Reason.CRL_STALE, "stale CRL: " + ", ".join(stale))
    if missing:
        return _Freshness(tuple(used), Reason.CRL_MISSING, "no CRL held for " + "; ".join(missing))
    return _Freshness(tuple(used))
