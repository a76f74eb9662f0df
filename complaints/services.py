"""The write path of complaints: filing, routing, answering, passing on, the clock and deliveries.

Each function runs in one transaction, records a `ComplaintEvent` (the history staff and the citizen read) and an
audit event, and queues mail on commit. A refused signature registers nothing: its audit record is written (and
committed) before the citizen is told why.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from lxml import etree

from accounts.choices import Role
from appeals.attachments import IncomingFile
from appeals.choices import AppealStatus, Channel
from appeals.notifications import send_to_citizen
from appeals.services import answer_appeal, register_appeal
from appeals.validation import clean_long_text, under_field
from audit.services import record_event
from complaints.choices import (
    ANSWERABLE_STATUSES,
    OPEN_STATUSES,
    ComplaintEventKind,
    ComplaintStatus,
    RoutingBasis,
    SignatureStatus,
)
from complaints.deadlines import review_due
from complaints.documents import ComplaintDraft, canonical_xml
from complaints.eds.verifier import Reason, SignatureFormat, Status, Verdict, invalid, verify
from complaints.eds.xmldsig import parse_xml
from complaints.models import Complaint, ComplaintEvent, ComplaintNumberSequence
from complaints.routing import find_route
from complaints.signed import UnreadableSignature, read_draft, signature_format_of
from core.masking import mask_iin, mask_text
from core.policy import policy
from core.sequences import take_next_in_year
from core.text import clean_text
from directory.models import Organisation, Service, Territory

REASON_MAX_CHARS = 2000
ROUTING_FIELDS = ["routed_to", "routing_rule", "routing_basis", "status", "reminders_sent", "updated_at"]
SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
ANSWERERS = frozenset({Role.ORG_OFFICER, Role.INTEGRATION})


@dataclass(frozen=True)
class Filing:
    complaint: Complaint | None
    created: bool
    verdict: Verdict


# --- Filing ------------------------------------------------------------------------------------------------------


def file_complaint(
    *,
    document: bytes,
    signature: bytes,
    signature_format: str = "cms",
    files: Sequence[IncomingFile] = (),
    actor: Any = None,
) -> Filing:
    """Register the complaint the signed document states, if its signature holds.

    VALID: registered, routed (or sent to triage), its clock started, the citizen acknowledged by e-mail.
    PENDING: registered as awaiting verification (nothing routed); `reverify_pending` finishes the work.
    INVALID: nothing registered; an audit record `complaints.signature_refused`, then a ValidationError with the
    verdict's message for the citizen. The same signature filed again returns the complaint registered first.
    """
    signature_sha = hashlib.sha256(signature).hexdigest()
    existing = Complaint.objects.filter(signature_sha256=signature_sha).first()
    if existing is not None:
        return Filing(existing, False, stored_verdict(existing))
    signature_format = signature_format_of(signature, signature_format)
    try:
        draft = read_draft(document=document, signature=signature, signature_format=signature_format)
    except UnreadableSignature as unreadable:
        _refuse(unreadable.verdict, iin="", signature_sha=signature_sha, actor=actor)
    except ValidationError:
        record_event(
            action="complaints.document_refused",
            actor=actor,
            details={"format": signature_format, "signature_sha256": signature_sha},
        )
        raise
    signed_document = document
    if signature_format == SignatureFormat.XMLDSIG:
        signed_document = document or canonical_xml(draft)
    verdict = verify(signed_document, signature, expected_iin=draft.citizen_iin)
    if signature_format == SignatureFormat.XMLDSIG and verdict.status is not Status.INVALID and document:
        verdict = _same_xml(verdict, canonical_xml(draft))
    if verdict.status is Status.INVALID:
        _refuse(verdict, iin=draft.citizen_iin, signature_sha=signature_sha, actor=actor)
    stored_document = signed_document if signature_format == SignatureFormat.CMS else canonical_xml(draft)
    try:
        with transaction.atomic():
            complaint = _register(draft, verdict, stored_document, signature, signature_sha, files, actor)
    except IntegrityError:
        # Another request filed the same signature between our look-up and our insert.
        existing = Complaint.objects.filter(signature_sha256=signature_sha).first()
        if existing is None:
            raise
        return Filing(existing, False, stored_verdict(existing))
    return Filing(complaint, True, verdict)


def _same_xml(verdict: Verdict, expected: bytes) -> Verdict:
    """The page sent the XML it asked to sign and the signed XML was compared with it: it must also be what the
    draft read back from the signature gives (else the two disagree about what was signed)."""
    if etree.tostring(parse_xml(expected), method="c14n") == verdict.signed_content:
        return verdict
    return invalid(Reason.CONTENT_MISMATCH, "the signed XML is not the canonical document of its own fields")


def _refuse(verdict: Verdict, *, iin: str, signature_sha: str, actor: Any) -> NoReturn:
    record_event(
        action="complaints.signature_refused",
        actor=actor,
        details={
            "reason": str(verdict.reason),
            "format": verdict.signature_format,
            "iin": mask_iin(iin) if iin else "",
            "signature_sha256": signature_sha,
            "detail": mask_text(verdict.detail)[:300],
        },
    )
    raise ValidationError(str(verdict.message), code=str(verdict.reason))


def _register(
    draft: ComplaintDraft,
    verdict: Verdict,
    document: bytes,
    signature: bytes,
    signature_sha: str,
    files: Sequence[IncomingFile],
    actor: Any,
) -> Complaint:
    filed_at = timezone.now()
    fmt = verdict.signature_format or SignatureFormat.CMS
    complaint = Complaint(
        number=next_complaint_number(filed_at=filed_at),
        kind=draft.kind,
        language=draft.language,
        status=ComplaintStatus.PENDING_VERIFICATION,
        citizen_iin=draft.citizen_iin,
        citizen_name=draft.citizen_name[:300],
        phone=draft.phone,
        email=draft.email.lower(),
        service=Service.objects.filter(slug=draft.service).first() if draft.service else None,
        organisation=Organisation.objects.filter(code=draft.organisation).first() if draft.organisation else None,
        territory=Territory.objects.filter(kato=draft.territory).first() if draft.territory else None,
        stated_service=draft.service[:100],
        stated_organisation=draft.organisation[:50],
        stated_territory=draft.territory[:9],
        description=draft.description,
        official_surname=draft.official_surname,
        official_name=draft.official_name,
        official_patronymic=draft.official_patronymic,
        reason=draft.reason,
        demands=draft.demands,
        document_sha256=hashlib.sha256(document).hexdigest(),
        signature_sha256=signature_sha,
        signature_format=fmt,
        filed_at=filed_at,
    )
    suffix = ".xml" if fmt == SignatureFormat.XMLDSIG else ""
    complaint.document.name = _store("documents", document, (".xml" if suffix else ".json"))
    complaint.signature.name = _store("signatures", signature, suffix or ".p7s")
    _set_evidence(complaint, verdict)
    complaint.save(force_insert=True)
    complaint.appeal = _registry_entry(complaint, files, actor)
    complaint.save(update_fields=["appeal"])
    if verdict.status is Status.VALID:
        _event(complaint, ComplaintEventKind.FILED, actor=actor)
        _start(complaint, actor=actor)
    else:
        _event(complaint, ComplaintEventKind.FILED_PENDING, actor=actor, note=str(verdict.reason))
    record_event(action="complaints.filed", actor=actor, target=complaint, details=_filing_details(complaint))
    return complaint


def next_complaint_number(*, filed_at: datetime) -> str:
    """The next number of the year (Asia/Almaty) in the format of POLICY COMPLAINT_NUMBER_FORMAT."""
    year = timezone.localtime(filed_at).year
    seq = take_next_in_year(ComplaintNumberSequence, year=year)
    return str(policy("COMPLAINT_NUMBER_FORMAT")).format(year=year, seq=seq)


def _store(folder: str, content: bytes, suffix: str) -> str:
    """Content-addressed: a retried filing writes nothing twice."""
    digest = hashlib.sha256(content).hexdigest()
    name = f"complaints/{folder}/{digest[:2]}/{digest}{suffix}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(content))
    return name


def _set_evidence(complaint: Complaint, verdict: Verdict) -> None:
    complaint.signature_status = SignatureStatus(str(verdict.status))
    complaint.signature_reason = str(verdict.reason)
    complaint.signature_algorithm = verdict.algorithm[:120]
    complaint.signer_iin = verdict.signer_iin
    complaint.signer_name = verdict.signer_name[:300]
    complaint.certificate_serial = verdict.certificate_serial[:80]
    complaint.signing_time = verdict.signing_time
    complaint.verified_at = timezone.now()
    if verdict.chain:
        complaint.chain.name = _store("chains", _pem_chain(verdict.chain), ".pem")
    complaint.crls = [
        {
            "issuer": crl.issuer,
            "number": crl.number,
            "this_update": crl.this_update.isoformat(),
            "next_update": crl.next_update.isoformat() if crl.next_update else None,
            "sha256": crl.sha256,
            "file": _store("crls", crl.der, ".crl"),
        }
        for crl in verdict.crls
    ]


def _pem_chain(chain: tuple[bytes, ...]) -> bytes:
    blocks = []
    for der in chain:
        body = base64.encodebytes(der).decode().replace("\n", "")
        lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        blocks.append(f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----\n")
    return "".join(blocks).encode()


def _registry_entry(complaint: Complaint, files: Sequence[IncomingFile], actor: Any) -> Any:
    """The complaint in the one registry of contacts: a web appeal (complaints are filed on the portal), keyed by
    the signature so a retry finds it; the files go with it. No acknowledgement from appeals: the complaint's own
    says more (the body and the review period). No organisation on the appeal: who may read a complaint is decided
    here (the routed body), not by the appeals registry."""
    with translation.override(complaint.language):
        subject = gettext("Complaint %(number)s") % {"number": complaint.number}
    text = "\n\n".join(part for part in (complaint.description, complaint.reason, complaint.demands) if part)
    registration = register_appeal(
        channel=Channel.WEB,
        channel_ref=f"complaint:{complaint.signature_sha256}",
        subject=subject,
        text=text[: policy("APPEAL_TEXT_MAX_CHARS")],
        language=complaint.language,
        citizen_name=complaint.citizen_name,
        phone=complaint.phone,
        email=complaint.email,
        iin=complaint.citizen_iin,
        service=complaint.service,
        territory=complaint.territory,
        received_at=complaint.filed_at,
        actor=actor,
        acknowledge=False,
        files=files,
    )
    return registration.appeal


def _filing_details(complaint: Complaint) -> dict[str, Any]:
    """What the audit trail keeps about a filing: no personal data beyond the masked IIN."""
    return {
        "number": complaint.number,
        "kind": complaint.kind,
        "signature_status": complaint.signature_status,
        "signature_reason": complaint.signature_reason,
        "signature_sha256": complaint.signature_sha256,
        "iin": mask_iin(complaint.citizen_iin),
        "routed_to_id": complaint.routed_to_id,
        "status": complaint.status,
    }


def stored_verdict(complaint: Complaint) -> Verdict:
    """The verdict a complaint was registered with, as stored (for a repeated filing)."""
    return Verdict(
        status=Status(complaint.signature_status),
        reason=Reason(complaint.signature_reason),
        signature_format=complaint.signature_format,
        algorithm=complaint.signature_algorithm,
        signer_iin=complaint.signer_iin,
        signer_name=complaint.signer_name,
        certificate_serial=complaint.certificate_serial,
        signing_time=complaint.signing_time,
    )


def _start(complaint: Complaint, *, actor: Any) -> None:
    """A complaint with a valid signature: its statutory clock runs from filing; route it; acknowledge it."""
    complaint.due_at = review_due(filed_at=complaint.filed_at, kind=complaint.kind)
    complaint.save(update_fields=["due_at", "updated_at"])
    _route(complaint, actor=actor)
    if complaint.email:
        from complaints.tasks import send_acknowledgement

        complaint_id = complaint.pk
        transaction.on_commit(lambda: send_acknowledgement.delay(complaint_id))


# --- Routing and the bodies' work -----------------------------------------------------------------------------


def route_complaint(*, complaint: Complaint, actor: Any = None) -> Complaint:
    """Route (again) by the rules: to the competent body, or to the supervisors' triage list."""
    with transaction.atomic():
        locked = _lock(complaint)
        if locked.status not in (ComplaintStatus.IN_TRIAGE, ComplaintStatus.DELIVERED, ComplaintStatus.PASSED_ON):
            raise ValidationError(_("Only a complaint awaiting an answer can be routed."), code="status")
        _route(locked, actor=actor)
    return locked


def _route(complaint: Complaint, *, actor: Any) -> None:
    route = find_route(complaint)
    complaint.routed_to = route.organisation
    complaint.routing_rule = route.rule
    complaint.routing_basis = route.basis
    complaint.status = ComplaintStatus.DELIVERED if route.organisation else ComplaintStatus.IN_TRIAGE
    complaint.reminders_sent = 0
    complaint.save(update_fields=ROUTING_FIELDS)
    kind = ComplaintEventKind.ROUTED if route.organisation else ComplaintEventKind.TRIAGE
    _event(complaint, kind, actor=actor, organisation=route.organisation, note=route.rule.name if route.rule else "")
    record_event(
        action="complaints.routed" if route.organisation else "complaints.sent_to_triage",
        actor=actor,
        target=complaint,
        details={
            "number": complaint.number,
            "routed_to_id": complaint.routed_to_id,
            "basis": route.basis,
            "rule_id": route.rule.pk if route.rule else None,
        },
    )
    if route.organisation is not None:
        _notify_body(complaint, "delivered")


def assign_from_triage(*, complaint: Complaint, supervisor: Any, organisation: Organisation) -> Complaint:
    """A supervisor sends a complaint no rule could route to the body they judge competent."""
    if getattr(supervisor, "role", None) not in SUPERVISORS:
        raise PermissionDenied
    with transaction.atomic():
        locked = _lock(complaint)
        if locked.status != ComplaintStatus.IN_TRIAGE:
            raise ValidationError(_("This complaint is not waiting in triage."), code="status")
        _deliver_to(locked, organisation, basis=RoutingBasis.SUPERVISOR, status=ComplaintStatus.DELIVERED)
        _event(locked, ComplaintEventKind.ASSIGNED, actor=supervisor, organisation=organisation)
        record_event(
            action="complaints.assigned",
            actor=supervisor,
            target=locked,
            details={"number": locked.number, "routed_to_id": organisation.pk},
        )
        _notify_body(locked, "delivered")
    return locked


def answer_complaint(*, complaint: Complaint, officer: Any, answer: str) -> Complaint:
    """The competent body's answer (an officer of the routed organisation or its integration account); the
    citizen gets it by e-mail and sees it on the portal's tracking page."""
    text = under_field("answer", lambda: clean_long_text(answer, required=True))
    with transaction.atomic():
        locked = _lock(complaint)
        _check_answerer(locked, officer)
        if locked.status not in ANSWERABLE_STATUSES:
            raise ValidationError({"answer": [_("This complaint cannot be answered now.")]})
        locked.answer = text
        locked.answered_at = timezone.now()
        locked.answered_by = officer
        locked.status = ComplaintStatus.ANSWERED
        locked.save(update_fields=["answer", "answered_at", "answered_by", "status", "updated_at"])
        _event(locked, ComplaintEventKind.ANSWERED, actor=officer, organisation=locked.routed_to)
        if locked.appeal is not None and locked.appeal.status != AppealStatus.ANSWERED:
            # The registry follows: the complaint's appeal is answered too (the citizen is mailed once, below).
            answer_appeal(appeal=locked.appeal, answer=text, actor=officer, mail_citizen=False)
        record_event(
            action="complaints.answered",
            actor=officer,
            target=locked,
            details={"number": locked.number, "organisation_id": locked.routed_to_id, "in_time": locked.met_deadline},
        )
        if locked.email:
            from complaints.tasks import send_answer

            complaint_id = locked.pk
            transaction.on_commit(lambda: send_answer.delay(complaint_id))
    return locked


def pass_on(*, complaint: Complaint, officer: Any, to_organisation: Organisation, reason: str) -> Complaint:
    """Not this body's competence: pass it on to the competent one, with the reason. The statutory due date stays
    (the review period counts from registration); the new body's officers are told and reminded."""
    why = under_field("reason", lambda: _clean_reason(reason))
    with transaction.atomic():
        locked = _lock(complaint)
        _check_answerer(locked, officer)
        if locked.status not in ANSWERABLE_STATUSES:
            raise ValidationError({"organisation": [_("This complaint cannot be passed on now.")]})
        if to_organisation.pk == locked.routed_to_id or not to_organisation.is_active:
            raise ValidationError({"organisation": [_("Choose another organisation.")]})
        previous = locked.routed_to_id
        _deliver_to(locked, to_organisation, basis=RoutingBasis.PASSED_ON, status=ComplaintStatus.PASSED_ON)
        _event(locked, ComplaintEventKind.PASSED_ON, actor=officer, organisation=to_organisation, note=why)
        record_event(
            action="complaints.passed_on",
            actor=officer,
            target=locked,
            details={"number": locked.number, "from_id": previous, "to_id": to_organisation.pk},
        )
        _notify_body(locked, "delivered")
    return locked


def _deliver_to(complaint: Complaint, organisation: Organisation, *, basis: str, status: str) -> None:
    complaint.routed_to = organisation
    complaint.routing_rule = None
    complaint.routing_basis = basis
    complaint.status = status
    complaint.reminders_sent = 0
    complaint.save(update_fields=ROUTING_FIELDS)


def _check_answerer(complaint: Complaint, user: Any) -> None:
    role = getattr(user, "role", None)
    org_id = getattr(user, "organisation_id", None)
    if role not in ANSWERERS or org_id is None or org_id != complaint.routed_to_id:
        raise PermissionDenied


def _clean_reason(reason: str) -> str:
    text = clean_text(reason or "").strip()
    if not text:
        raise ValidationError(_("Give the reason."), code="required")
    if len(text) > REASON_MAX_CHARS:
        raise ValidationError(_("At most %(count)d characters."), code="length", params={"count": REASON_MAX_CHARS})
    return text


# --- Scheduled work ----------------------------------------------------------------------------------------------


def reverify_pending(*, now: datetime | None = None) -> dict[str, int]:
    """Verify again every complaint whose signature could not be decided (judged as of its filing: CRLs count
    retroactively); a valid one starts its work, an invalid one is closed and the citizen told why."""
    counts = {"valid": 0, "invalid": 0, "pending": 0}
    for complaint_id in Complaint.objects.filter(status=ComplaintStatus.PENDING_VERIFICATION).values_list(
        "pk", flat=True
    ):
        counts[reverify_one(complaint_id=complaint_id)] += 1
    return counts


def reverify_one(*, complaint_id: int) -> str:
    complaint = Complaint.objects.get(pk=complaint_id)
    with complaint.document.open("rb") as handle:
        document = handle.read()
    with complaint.signature.open("rb") as handle:
        signature = handle.read()
    verdict = verify(document, signature, expected_iin=complaint.citizen_iin, at=complaint.filed_at)
    if verdict.status is Status.PENDING:
        return "pending"
    with transaction.atomic():
        locked = _lock(complaint)
        if locked.status != ComplaintStatus.PENDING_VERIFICATION:
            return "pending"
        _set_evidence(locked, verdict)
        locked.save()
        if verdict.status is Status.VALID:
            _event(locked, ComplaintEventKind.VERIFIED)
            record_event(action="complaints.verified", target=locked, details=_filing_details(locked))
            _start(locked, actor=None)
            return "valid"
        locked.status = ComplaintStatus.CLOSED
        locked.save(update_fields=["status", "updated_at"])
        _event(locked, ComplaintEventKind.SIGNATURE_REFUSED, note=str(verdict.reason))
        record_event(
            action="complaints.signature_refused",
            target=locked,
            details={**_filing_details(locked), "detail": mask_text(verdict.detail)[:300]},
        )
        if locked.email:
            from complaints.tasks import send_refusal

            transaction.on_commit(lambda: send_refusal.delay(complaint_id))
    return "invalid"


def watch_complaint_deadlines(*, now: datetime | None = None) -> dict[str, int]:
    """Reminders to the body's officers at each of POLICY COMPLAINT_REMINDER_HOURS before the due time, and one
    escalation to supervisors when a complaint is overdue; each sent once (claimed by a conditional update)."""
    now = now or timezone.now()
    thresholds = sorted((int(h) for h in policy("COMPLAINT_REMINDER_HOURS")), reverse=True)
    reminders = escalations = 0
    for complaint in Complaint.objects.open().filter(due_at__isnull=False, escalated_at__isnull=True):
        assert complaint.due_at is not None
        if complaint.due_at <= now:
            escalations += _escalate(complaint, now=now)
            continue
        if complaint.routed_to_id is None:
            continue
        due = sum(1 for hours in thresholds if complaint.due_at - timedelta(hours=hours) <= now)
        if due > complaint.reminders_sent and _claim(complaint, reminders_sent=due):
            _event(complaint, ComplaintEventKind.REMINDER, organisation=complaint.routed_to)
            record_event(
                action="complaints.reminder",
                target=complaint,
                details={"number": complaint.number, "due_at": complaint.due_at.isoformat()},
            )
            _notify_body(complaint, "reminder")
            reminders += 1
    return {"reminders": reminders, "escalations": escalations}


def _claim(complaint: Complaint, *, reminders_sent: int) -> bool:
    return bool(
        Complaint.objects.filter(pk=complaint.pk, reminders_sent=complaint.reminders_sent).update(
            reminders_sent=reminders_sent
        )
    )


def _escalate(complaint: Complaint, *, now: datetime) -> int:
    claimed = Complaint.objects.filter(pk=complaint.pk, escalated_at__isnull=True, status__in=OPEN_STATUSES).update(
        escalated_at=now
    )
    if not claimed:
        return 0
    _event(complaint, ComplaintEventKind.ESCALATED, organisation=complaint.routed_to)
    record_event(
        action="complaints.overdue",
        target=complaint,
        details={"number": complaint.number, "due_at": complaint.due_at.isoformat() if complaint.due_at else None},
    )
    _notify_staff(complaint.pk, "overdue")
    return 1


# --- Deliveries (called by tasks) --------------------------------------------------------------------------------


def deliver_acknowledgement(*, complaint_id: int) -> bool:
    """The number, the body, the review period and the due date to the citizen; sent once."""
    from complaints.notifications import acknowledgement_message

    return _deliver_once(complaint_id, "acknowledged_at", ComplaintEventKind.ACKNOWLEDGED, acknowledgement_message)


def deliver_answer(*, complaint_id: int) -> bool:
    from complaints.notifications import answer_message

    return _deliver_once(complaint_id, "answer_sent_at", ComplaintEventKind.ANSWER_SENT, answer_message)


def deliver_refusal(*, complaint_id: int) -> bool:
    from complaints.notifications import refusal_message

    return _deliver_once(complaint_id, "answer_sent_at", None, refusal_message)


def _deliver_once(complaint_id: int, mark: str, kind: str | None, build: Any) -> bool:
    """Claim with the timestamp, send outside any transaction, release the claim if sending fails."""
    now = timezone.now()
    claimed = (
        Complaint.objects.filter(pk=complaint_id, **{f"{mark}__isnull": True}).exclude(email="").update(**{mark: now})
    )
    if not claimed:
        return False
    complaint = Complaint.objects.select_related("routed_to").get(pk=complaint_id)
    try:
        send_to_citizen(build(complaint))
    except Exception:
        Complaint.objects.filter(pk=complaint_id).update(**{mark: None})
        raise
    if kind is not None:
        _event(complaint, kind)
    action = f"complaints.mail_{mark.removesuffix('_at')}"
    record_event(action=action, target=complaint, details={"number": complaint.number})
    return True


def _notify_body(complaint: Complaint, event: str) -> None:
    _notify_staff(complaint.pk, event)


def _notify_staff(complaint_id: int, event: str) -> None:
    from complaints.tasks import notify_staff

    transaction.on_commit(lambda: notify_staff.delay(complaint_id, event))


# --- Helpers -----------------------------------------------------------------------------------------------------


def _lock(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _event(
    complaint: Complaint, kind: str, *, actor: Any = None, organisation: Organisation | None = None, note: str = ""
) -> ComplaintEvent:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return ComplaintEvent.objects.create(
        complaint=complaint, kind=kind, actor=actor if authenticated else None, organisation=organisation, note=note
    )
