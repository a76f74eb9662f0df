"""file_complaint: what is refused (with a message for the citizen and an audit record), what is registered, once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from appeals.attachments import IncomingFile
from appeals.choices import Channel
from appeals.models import Appeal
from audit.models import AuditEvent
from complaints.choices import ComplaintStatus, SignatureStatus
from complaints.documents import canonical_document
from complaints.eds.verifier import MESSAGES, Reason
from complaints.models import Complaint
from complaints.services import file_complaint, reverify_pending
from complaints.tests.helpers import draft, signed_cms, signed_xml
from complaints.tests.pki import CITIZEN_IIN, OTHER_IIN, NcaTestPki, detached_cms

pytestmark = [
    pytest.mark.usefixtures("eds_dirs"),
    pytest.mark.filterwarnings("ignore:Attribute's length must be:UserWarning"),
]


def refused(**filing: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        file_complaint(**filing)  # type: ignore[arg-type]
    return caught.value


def assert_refused_and_audited(error: ValidationError, reason: Reason) -> None:
    assert error.code == str(reason)
    assert error.messages == [str(MESSAGES[reason])]
    assert Complaint.objects.count() == 0
    assert Appeal.objects.count() == 0
    audit = AuditEvent.objects.get(action="complaints.signature_refused")
    assert audit.details["reason"] == str(reason)
    assert CITIZEN_IIN not in str(audit.details) and OTHER_IIN not in str(audit.details)


# --- refused --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_tampered_document_is_refused(pki: NcaTestPki) -> None:
    # given a signature over one complaint, sent with another text
    _document, signature = signed_cms(pki.sign, draft())
    changed = canonical_document(draft(description="Басқа мәтін"))
    # when
    error = refused(document=changed, signature=signature)
    # then
    assert_refused_and_audited(error, Reason.DOCUMENT_MODIFIED)
    assert AuditEvent.objects.get(action="complaints.signature_refused").details["iin"] == "87********28"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("holder", "reason"),
    [
        pytest.param("rogue_citizen", Reason.UNTRUSTED_ISSUER, id="rogue-ca"),
        pytest.param("expired", Reason.CERTIFICATE_EXPIRED, id="expired"),
        pytest.param("revoked", Reason.CERTIFICATE_REVOKED, id="revoked"),
        pytest.param("auth", Reason.NOT_SIGNING_KEY, id="auth-key"),
    ],
)
def test_a_certificate_that_may_not_sign_is_refused(pki: NcaTestPki, holder: str, reason: Reason) -> None:
    # given
    document, signature = signed_cms(getattr(pki, holder), draft())
    # when
    error = refused(document=document, signature=signature)
    # then
    assert_refused_and_audited(error, reason)


@pytest.mark.django_db
def test_an_iin_other_than_the_signers_is_refused(pki: NcaTestPki) -> None:
    # given a complaint in another citizen's name, signed with this citizen's key
    document, signature = signed_cms(pki.sign, draft(citizen_iin=OTHER_IIN))
    # when
    error = refused(document=document, signature=signature)
    # then
    assert_refused_and_audited(error, Reason.IIN_MISMATCH)
    assert AuditEvent.objects.get(action="complaints.signature_refused").details["iin"] == "90********32"


@pytest.mark.django_db
def test_malformed_cms_is_refused(pki: NcaTestPki) -> None:
    # given
    document, signature = signed_cms(pki.sign, draft())
    # when
    error = refused(document=document, signature=signature[:40])
    # then
    assert_refused_and_audited(error, Reason.MALFORMED)


@pytest.mark.django_db
def test_xml_with_a_doctype_is_refused(pki: NcaTestPki) -> None:
    # given a signed XML complaint with an external entity slipped in
    _document, signed = signed_xml(pki.sign, draft())
    hostile = signed.replace(b"?>", b'?><!DOCTYPE complaint [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', 1).replace(
        b"<reason></reason>", b"<reason>&xxe;</reason>"
    )
    # when
    error = refused(document=b"", signature=hostile, signature_format="xmldsig")
    # then
    assert_refused_and_audited(error, Reason.XML_DOCTYPE)


@pytest.mark.django_db
def test_a_document_that_is_not_a_complaint_is_refused_and_audited(pki: NcaTestPki) -> None:
    # given
    document = b'{"hello": "world"}'
    # when
    error = refused(document=document, signature=detached_cms(pki.sign, document))
    # then
    assert Complaint.objects.count() == 0
    assert "шағым емес" in " ".join(error.messages)  # the citizen reads it in Kazakh, the portal's default
    assert AuditEvent.objects.filter(action="complaints.document_refused").count() == 1


# --- accepted -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_valid_cms_complaint_is_registered_with_its_evidence(pki: NcaTestPki, passport_service) -> None:  # type: ignore[no-untyped-def]
    # given
    document, signature = signed_cms(pki.sign, draft())
    files = [IncomingFile(filename="чек.pdf", content=b"%PDF-1.4 receipt")]
    # when
    filing = file_complaint(document=document, signature=signature, files=files)
    # then
    complaint = filing.complaint
    assert filing.created and filing.verdict.is_valid and complaint is not None
    assert complaint.number.endswith("-C-0000001")
    assert complaint.status == ComplaintStatus.DELIVERED
    assert complaint.signature_status == SignatureStatus.VALID
    assert complaint.signer_iin == CITIZEN_IIN and complaint.citizen_iin == CITIZEN_IIN
    assert complaint.service == passport_service and complaint.description == "Құжат мерзімінде берілмеді."
    assert complaint.document.read() == document
    assert complaint.signature.open("rb").read() == signature
    assert complaint.chain.open("rb").read().count(b"BEGIN CERTIFICATE") == 3
    assert sorted(crl["number"] for crl in complaint.crls) == [7, 42]
    assert all(Path(complaint.document.storage.path(crl["file"])).exists() for crl in complaint.crls)
    assert complaint.due_at is not None and complaint.due_at > complaint.filed_at
    # and it is in the one registry of contacts, with its file
    appeal = complaint.appeal
    assert appeal is not None and appeal.channel == Channel.WEB and complaint.number in appeal.subject
    assert [a.filename for a in appeal.attachments.filter(refusal="")] == ["чек.pdf"]
    assert AuditEvent.objects.filter(action="complaints.filed", object_id=str(complaint.pk)).exists()


@pytest.mark.django_db
def test_a_valid_xml_complaint_is_registered(pki: NcaTestPki, passport_service) -> None:  # type: ignore[no-untyped-def]
    # given the XML NCALayer's basicsSignXML returns
    document, signed = signed_xml(pki.sign, draft(language="ru"))
    # when
    filing = file_complaint(document=document, signature=signed, signature_format="xmldsig")
    # then
    complaint = filing.complaint
    assert filing.created and complaint is not None
    assert complaint.signature_format == "xmldsig" and complaint.status == ComplaintStatus.DELIVERED
    assert complaint.language == "ru" and complaint.routed_to == passport_service.responsible_organisation


@pytest.mark.django_db
def test_xml_whose_fields_differ_from_the_document_shown_is_refused(pki: NcaTestPki) -> None:
    # given the page showed one complaint and the signed XML states another
    _shown, signed = signed_xml(pki.sign, draft())
    shown, _other = signed_xml(pki.sign, draft(description="Көрсетілген мәтін"))
    # when
    error = refused(document=shown, signature=signed, signature_format="xmldsig")
    # then
    assert_refused_and_audited(error, Reason.CONTENT_MISMATCH)


@pytest.mark.django_db
def test_the_same_signed_document_twice_is_one_complaint(pki: NcaTestPki, passport_service) -> None:  # type: ignore[no-untyped-def]
    # given
    document, signature = signed_cms(pki.sign, draft())
    first = file_complaint(document=document, signature=signature)
    # when
    second = file_complaint(document=document, signature=signature)
    # then
    assert first.created and not second.created
    assert second.complaint == first.complaint and second.verdict.is_valid
    assert Complaint.objects.count() == 1 and Appeal.objects.count() == 1


@pytest.mark.skipif(connection.vendor == "sqlite", reason="an in-memory SQLite test database locks whole tables")
@pytest.mark.django_db(transaction=True)
def test_two_threads_filing_the_same_signature_make_one_complaint(pki: NcaTestPki, passport_service) -> None:  # type: ignore[no-untyped-def]
    # given
    document, signature = signed_cms(pki.sign, draft())
    results: list[object] = []
    barrier = threading.Barrier(2)

    def file() -> None:
        barrier.wait()
        try:
            results.append(file_complaint(document=document, signature=signature))
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=file) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then
    assert Complaint.objects.count() == 1 and Appeal.objects.count() == 1
    assert sorted(result.created for result in results) == [False, True]  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_stale_crl_registers_the_complaint_pending_and_the_task_finishes_it(  # type: ignore[no-untyped-def]
    pki: NcaTestPki, eds_dirs: tuple[Path, Path], passport_service
) -> None:
    # given revocation lists that stopped being refreshed
    _trust, crl_dir = eds_dirs
    pki.write_crl_dir(crl_dir, intermediate_crl=pki.stale_intermediate_crl())
    document, signature = signed_cms(pki.sign, draft())
    # when
    filing = file_complaint(document=document, signature=signature)
    # then registered, never valid, and nothing routed yet
    complaint = filing.complaint
    assert complaint is not None and filing.verdict.reason is Reason.CRL_STALE
    assert complaint.status == ComplaintStatus.PENDING_VERIFICATION
    assert complaint.signature_status == SignatureStatus.PENDING and complaint.routed_to is None
    assert reverify_pending() == {"valid": 0, "invalid": 0, "pending": 1}
    # when the CRLs are fresh again
    pki.write_crl_dir(crl_dir)
    counts = reverify_pending()
    # then
    complaint.refresh_from_db()
    assert counts["valid"] == 1
    assert complaint.status == ComplaintStatus.DELIVERED and complaint.signature_status == SignatureStatus.VALID
    assert complaint.routed_to == passport_service.responsible_organisation and complaint.due_at is not None


@pytest.mark.django_db
def test_the_citizen_is_acknowledged_in_their_language(  # type: ignore[no-untyped-def]
    pki: NcaTestPki, passport_service, smtp_inbox, django_capture_on_commit_callbacks
) -> None:
    # given
    document, signature = signed_cms(pki.sign, draft(language="ru", email="aset@example.kz"))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file_complaint(document=document, signature=signature).complaint
    # then
    assert complaint is not None and complaint.due_at is not None
    message = next(m for m in smtp_inbox.wait_for(1) if m["To"] == "aset@example.kz")
    body = message.get_payload(decode=True).decode()
    assert complaint.number in body
    assert "Министерство внутренних дел РК" in body  # the body it went to, named in Russian
    assert timezone.localtime(complaint.due_at).strftime("%d.%m.%Y %H:%M") in body
    complaint.refresh_from_db()
    assert complaint.acknowledged_at is not None
