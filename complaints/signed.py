"""Reading the complaint back from what the citizen signed: the JSON document (CMS) or the signed XML (XML-DSig).

For XML the draft is read from the signed XML itself with the verifier's hardened parser (no DOCTYPE, no entities),
then the verifier is asked to check that the signature covers exactly `canonical_xml(draft)`: what is registered is
exactly what was signed, whichever format the citizen used.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from complaints.documents import DOCUMENT_FORMAT, ComplaintDraft, clean_draft, draft_from_document
from complaints.eds.verifier import MalformedSignatureError, SignatureFormat, Verdict, invalid
from complaints.eds.xmldsig import DS, parse_xml

NOT_OURS = _("The signed document is not a complaint made by this portal.")


class UnreadableSignature(Exception):
    """The signature is refused before any draft could be read (malformed XML, a DOCTYPE): carries the verdict."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.detail)
        self.verdict = verdict


def signature_format_of(signature: bytes, declared: str) -> str:
    """What the bytes are, whatever the page declared (`declared` is only a hint): XML starts with '<' (after a BOM
    or blanks), everything else is read as CMS (DER, PEM or base64) — as the verifier reads it."""
    stripped = signature.lstrip()
    if stripped[:1] == b"<" or stripped[:3] == b"\xef\xbb\xbf":
        return SignatureFormat.XMLDSIG
    return SignatureFormat.CMS


def read_draft(*, document: bytes, signature: bytes, signature_format: str) -> ComplaintDraft:
    """The draft the signed bytes state; ValidationError when they are not a complaint of this portal,
    UnreadableSignature when the signature's XML cannot be read safely at all."""
    if signature_format == SignatureFormat.XMLDSIG:
        return draft_from_xml(signature)
    return draft_from_document(document)


def draft_from_xml(signed_xml: bytes) -> ComplaintDraft:
    try:
        root = parse_xml(signed_xml)
    except MalformedSignatureError as exc:
        raise UnreadableSignature(invalid(exc.reason, str(exc))) from exc
    if root.tag != "complaint" or root.get("format") != DOCUMENT_FORMAT:
        raise ValidationError(NOT_OURS)
    values: dict[str, str] = {}
    for child in root:
        if not isinstance(child.tag, str) or child.tag.startswith("{" + DS + "}"):
            continue
        if child.tag not in ComplaintDraft.__dataclass_fields__ or child.tag in values or len(child):
            raise ValidationError(NOT_OURS)
        values[child.tag] = child.text or ""
    # The verifier then checks that the signature covers exactly canonical_xml(draft).
    return clean_draft(values)
