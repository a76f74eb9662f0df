"""CMS signatures (NCALayer `basicsSignCMS` / `createCAdESFromBase64`), detached or attached, RSA or ECDSA.

pyHanko's CMS validation does the work — the message digest (`intact`), the signature over the signed attributes
(`valid`) and the signer's path through pyhanko-certvalidator with the shared context and nonRepudiation — and both
`intact` and `valid` are checked (a changed document gives intact=False with valid=True). Around it, what pyHanko
leaves to us: exactly one signer, no SHA-1 or MD5, a signingTime not in the future, and, through `chain.assess`, the
IIN and CRL freshness.
"""

from __future__ import annotations

import datetime as dt
import logging

from asn1crypto import cms
from django.conf import settings
from pyhanko.sign.general import CMSExtractionError, extract_certificate_info
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import async_validate_cms_signature, async_validate_detached_cms

from complaints.eds import chain
from complaints.eds.trust import WEAK_HASHES, trust_store
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

logger = logging.getLogger(__name__)


def read_envelope(der: bytes) -> Envelope:
    """Parse a DER ContentInfo(SignedData) eagerly enough that a malformed one fails here, not in a backend."""
    try:
        content_info = cms.ContentInfo.load(der, strict=True)
        if content_info["content_type"].native != "signed_data":
            raise MalformedSignatureError(
                Reason.MALFORMED, f"CMS {content_info['content_type'].native}, not signed data"
            )
        signed_data = content_info["content"]
        signer_infos = signed_data["signer_infos"]
        count = len(signer_infos)
        if count == 0:
            raise MalformedSignatureError(Reason.MALFORMED, "no SignerInfo")
        if count > 1:
            raise MalformedSignatureError(Reason.MULTIPLE_SIGNERS, f"{count} signers")
        signer = signer_infos[0]
        algorithm = signer["signature_algorithm"]["algorithm"].dotted
        _ = signer["digest_algorithm"]["algorithm"].native, signer["signed_attrs"].native
        _ = signed_data["encap_content_info"]["content_type"].native, len(signed_data["certificates"])
    except MalformedSignatureError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise MalformedSignatureError(Reason.MALFORMED, f"not a CMS SignedData: {exc}") from exc
    return Envelope(SignatureFormat.CMS, algorithm, der, signed_data)


@register(SignatureFormat.CMS, lambda algorithm: True, name="cms", fallback=True)
def verify_cms(envelope: Envelope, request: Request) -> Verdict:
    signed_data: cms.SignedData = envelope.parsed
    signer = signed_data["signer_infos"][0]
    digest = signer["digest_algorithm"]["algorithm"].native
    mechanism = signer["signature_algorithm"].hash_algo if _has_hash(signer) else digest
    if digest in WEAK_HASHES or mechanism in WEAK_HASHES:
        return invalid(
            Reason.WEAK_ALGORITHM, f"digest {digest}, signature {signer['signature_algorithm']['algorithm'].native}"
        )
    try:
        certificate = extract_certificate_info(signed_data).signer_cert
    except (CMSExtractionError, ValueError) as exc:
        return invalid(Reason.NO_CERTIFICATE, str(exc))
    evidence = chain.signer_evidence(certificate)
    refused = signed_content(signed_data, request, _signing_time(signer), evidence)
    if isinstance(refused, Verdict):
        return refused
    attached = signed_data["encap_content_info"]["content"].native is not None
    store = trust_store()
    try:
        status = chain.run_to_completion(_validate(signed_data, request, store, attached))
    except SignatureValidationError as exc:
        return invalid(Reason.MALFORMED, f"pyHanko: {exc.failure_message}", **evidence)
    except (ValueError, TypeError, KeyError) as exc:  # a part of the DER parsed lazily turned out broken
        return invalid(Reason.MALFORMED, f"pyHanko could not read the CMS: {exc!r}", **evidence)
    if not status.intact:
        return invalid(Reason.DOCUMENT_MODIFIED, "message digest does not match the document", **evidence)
    if not status.valid:
        return invalid(Reason.SIGNATURE_INVALID, "signature over the signed attributes does not verify", **evidence)
    outcome = chain.TrustOutcome(status.trust_problem_indic, status.validation_path)
    return chain.assess(
        certificate, outcome, store=store, expected_iin=request.expected_iin, at=request.at, evidence=evidence
    )


def signed_content(
    signed_data: cms.SignedData, request: Request, signing_time: dt.datetime | None, evidence: dict
) -> Verdict | bytes:
    """What every CMS path checks before the signature (RSA through pyHanko, GOST): a signingTime not in the
    future, and encapsulated content equal to the document filed. Returns the signed content (both recorded in
    `evidence`) or the refusal."""
    evidence["signing_time"] = signing_time
    skew = dt.timedelta(seconds=settings.EDS_SIGNING_TIME_SKEW_SECONDS)
    if signing_time is not None and signing_time > request.at + skew:
        return invalid(Reason.SIGNING_TIME_IN_FUTURE, f"signingTime {signing_time:%Y-%m-%d %H:%M:%S%z}", **evidence)
    content = signed_data["encap_content_info"]["content"]
    attached = content.native is not None
    if attached and request.document and bytes(content.native) != request.document:
        return invalid(Reason.CONTENT_MISMATCH, "encapsulated content differs from the document", **evidence)
    document = bytes(content.native) if attached else request.document
    evidence["signed_content"] = document
    return document


async def _validate(signed_data: cms.SignedData, request: Request, store, attached: bool):  # type: ignore[no-untyped-def]
    context = store.validation_context(request.at)
    if attached:
        return await async_validate_cms_signature(
            signed_data, validation_context=context, key_usage_settings=chain.SIGNING_KEY_USAGE
        )
    return await async_validate_detached_cms(
        request.document,
        signed_data,
        signer_validation_context=context,
        key_usage_settings=chain.SIGNING_KEY_USAGE,
    )


def _has_hash(signer: cms.SignerInfo) -> bool:
    try:
        signer["signature_algorithm"].hash_algo  # noqa: B018 - raises for algorithms that name no hash (plain RSA)
    except ValueError:
        return False
    return True


def _signing_time(signer: cms.SignerInfo) -> dt.datetime | None:
    attributes = signer["signed_attrs"]
    if attributes.native is None:
        return None
    for attribute in attributes:
        if attribute["type"].native == "signing_time":
            return attribute["values"][0].native
    return None
