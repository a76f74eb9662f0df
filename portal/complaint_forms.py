"""The portal's complaint form (clauses 13-15), one per type, and the draft kept between the form and the signature.

The form only shapes the input; `complaints.documents.clean_draft` checks the regulation's fields, so every problem is
reported at once beside its field in the page language. The canonical document built from the draft is kept in the
browser session (with the files sent with the form) until the citizen signs it: the submit step accepts exactly that
document, nothing else.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

from appeals.attachments import IncomingFile, uploaded_file
from complaints.choices import ComplaintKind
from complaints.documents import NAME_MAX_CHARS, ComplaintDraft, canonical_document, clean_draft
from core.policy import policy
from directory.choices import TerritoryLevel
from directory.models import Territory
from directory.selectors import name_field
from portal.forms import FILES_HELP, ONE_LINE_MAX_CHARS, AttachmentsField, new_form_token
from portal.pages import add_service_errors

SESSION_KEY = "portal_complaint_drafts"
# Drafts one browser session keeps (the newest); older ones are dropped with their files.
KEPT_DRAFTS = 5
DRAFT_FILES_FOLDER = "complaint-drafts"
# The form's own fields, as the draft names them (the type and the language come from the page).
DRAFT_FIELDS = (
    "citizen_iin",
    "citizen_name",
    "phone",
    "email",
    "service",
    "description",
    "organisation",
    "official_surname",
    "official_name",
    "official_patronymic",
    "reason",
    "demands",
)
FIELDS_BY_KIND = {
    ComplaintKind.SERVICE_ORDER: ("service", "description"),
    ComplaintKind.OFFICIAL_CONDUCT: (
        "organisation",
        "official_surname",
        "official_name",
        "official_patronymic",
        "reason",
        "demands",
    ),
}


def _line(label: Any, *, autocomplete: str = "off", **attrs: str) -> forms.CharField:
    widget = forms.TextInput(attrs={"autocomplete": autocomplete, **attrs})
    return forms.CharField(label=label, required=False, max_length=ONE_LINE_MAX_CHARS, widget=widget)


def _text(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 6}))


def service_choices() -> list[tuple[str, str]]:
    from complaints.selectors import services_for_form

    return [(service.slug, service.name) for service in services_for_form()]


def organisation_choices() -> list[tuple[str, str]]:
    from complaints.selectors import organisations_for_form

    return [(organisation.code, organisation.name) for organisation in organisations_for_form()]


@dataclass(frozen=True)
class Place:
    kato: str
    name: str
    region: str


def regions() -> list[Place]:
    oblasts = Territory.objects.filter(level=TerritoryLevel.OBLAST).order_by(name_field())
    return [Place(kato=oblast.kato, name=oblast.name, region=oblast.kato) for oblast in oblasts]


def districts() -> list[Place]:
    """Districts and cities of regional significance, each with its region (the KATO tree's parent)."""
    rows = Territory.objects.filter(level=TerritoryLevel.DISTRICT, parent__isnull=False).order_by(name_field())
    return [Place(kato=row.kato, name=row.name, region=row.parent_id or "") for row in rows]


class ComplaintForm(forms.Form):
    citizen_iin = _line(_("IIN"), inputmode="numeric")
    citizen_name = _line(_("Surname, name and patronymic"), autocomplete="name")
    phone = _line(_("Phone"), autocomplete="tel", type="tel", placeholder="+7 701 123 45 67")
    email = forms.CharField(
        label=_("E-mail"),
        required=False,
        max_length=ONE_LINE_MAX_CHARS,
        help_text=_(
            "Give a phone number, an e-mail address or both. The acknowledgement and the answer come by e-mail."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "name@example.kz"}),
    )
    region = forms.CharField(label=_("Region"), required=False, max_length=9)
    territory = forms.CharField(label=_("District or city"), required=False, max_length=9)
    service = forms.ChoiceField(label=_("Public service"), required=False, choices=())
    description = _text(_("What did not comply with the service standard"))
    organisation = forms.ChoiceField(label=_("State body or service center"), required=False, choices=())
    official_surname = _line(_("Official's surname"), maxlength=str(NAME_MAX_CHARS))
    official_name = _line(_("Official's name"), maxlength=str(NAME_MAX_CHARS))
    official_patronymic = _line(_("Official's patronymic"), maxlength=str(NAME_MAX_CHARS))
    reason = _text(_("Reason for the complaint"))
    demands = _text(_("Your demands"))
    attachments = AttachmentsField(label=_("Files"), required=False)
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = ComplaintKind(kind)
        for name in set(FIELDS_BY_KIND[ComplaintKind.SERVICE_ORDER] + FIELDS_BY_KIND[ComplaintKind.OFFICIAL_CONDUCT]):
            if name not in FIELDS_BY_KIND[self.kind]:
                del self.fields[name]
        if "service" in self.fields:
            field = self.fields["service"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("— choose the service —")), *service_choices()]
        if "organisation" in self.fields:
            field = self.fields["organisation"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("— choose the body or center —")), *organisation_choices()]
        self.fields["attachments"].help_text = FILES_HELP % {
            "count": policy("ATTACHMENTS_MAX_COUNT"),
            "megabytes": policy("ATTACHMENT_MAX_BYTES") // (1024 * 1024),
        }
        if not self.is_bound:
            self.initial.setdefault("form_token", new_form_token())

    def renew_token(self) -> None:
        """A fresh token for the re-rendered form (the old one was unusable)."""
        data = cast(QueryDict, self.data).copy()
        data["form_token"] = new_form_token()
        self.data = data

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in FIELDS_BY_KIND[self.kind]]

    def clean_form_token(self) -> str:
        token = self.cleaned_data.get("form_token", "")
        try:
            return str(uuid.UUID(token, version=4))
        except ValueError as exc:
            raise ValidationError(_("The form has expired. Check what you wrote and send it again.")) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        region, territory = data.get("region", ""), data.get("territory", "")
        if region and not Territory.objects.filter(kato=region, level=TerritoryLevel.OBLAST).exists():
            self.add_error("region", _("Choose the region from the list."))
        elif territory and not Territory.objects.filter(kato=territory, parent_id=region or None).exists():
            self.add_error("territory", _("Choose a district of the region chosen above."))
        return data

    def draft(self, language: str) -> ComplaintDraft | None:
        """The draft the citizen will sign, or None with the regulation's errors beside their fields."""
        data = {name: self.cleaned_data.get(name, "") for name in DRAFT_FIELDS}
        data.update(
            kind=self.kind,
            language=language,
            territory=self.cleaned_data.get("territory") or self.cleaned_data.get("region") or "",
        )
        try:
            return clean_draft(data)
        except ValidationError as error:
            add_service_errors(self, error)
            return None

    def values(self) -> dict[str, str]:
        """What was typed, to fill the form again when the citizen goes back from the signing page."""
        names = [name for name in self.fields if name not in ("attachments",)]
        return {name: str(self.cleaned_data.get(name, "") or "") for name in names}


# --- The draft kept between the form and the signature ---------------------------------------------------------


@dataclass(frozen=True)
class KeptDraft:
    token: str
    kind: str
    document: bytes
    values: dict[str, str]
    files: list[dict[str, str]]
    number: str = ""
    contact: str = ""

    @property
    def document_base64(self) -> str:
        return base64.b64encode(self.document).decode("ascii")

    @property
    def files_lost(self) -> bool:
        """Files kept with the draft are gone from storage (removed as abandoned): they must be chosen again."""
        return any(not default_storage.exists(kept["path"]) for kept in self.files)

    def incoming_files(self) -> list[IncomingFile]:
        found = []
        for kept in self.files:
            if default_storage.exists(kept["path"]):
                with default_storage.open(kept["path"], "rb") as stored:
                    content = stored.read()
                found.append(IncomingFile(filename=kept["name"], content=content, declared_type=kept["type"]))
        return found


def keep_draft(request: HttpRequest, form: ComplaintForm, draft: ComplaintDraft) -> KeptDraft:
    """Keep the canonical document and the files (in storage, under the form's token) for the signing step."""
    token = form.cleaned_data["form_token"]
    drafts: dict[str, dict[str, Any]] = request.session.get(SESSION_KEY, {})
    if drafts.get(token, {}).get("number"):  # this form was filed already (sent again from history): a new draft
        token = new_form_token()
    previous = drafts.pop(token, None)
    uploads = form.cleaned_data["attachments"]
    if previous and uploads:
        _delete_files(previous["files"])
    if previous and not uploads:  # back from the signing page without choosing files again: those still kept stay
        files = [kept for kept in previous["files"] if default_storage.exists(kept["path"])]
    else:
        files = [_store(token, position, uploaded_file(upload)) for position, upload in enumerate(uploads)]
    entry = {
        "kind": str(form.kind),
        "document": canonical_document(draft).decode("utf-8"),
        "values": {**form.values(), "form_token": token},
        "files": files,
        "number": "",
        "contact": "",
    }
    drafts[token] = entry
    for dropped in list(drafts)[:-KEPT_DRAFTS]:
        _delete_files(drafts.pop(dropped)["files"])
    request.session[SESSION_KEY] = drafts
    return _kept(token, entry)


def kept_draft(request: HttpRequest, token: str) -> KeptDraft | None:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    return _kept(token, entry) if entry else None


def mark_filed(request: HttpRequest, kept: KeptDraft, *, number: str, contact: str) -> None:
    """The complaint is filed: its files are registered with it (the stored copies go); the draft remembers the number
    so the same signature sent again shows the same complaint."""
    drafts = request.session.get(SESSION_KEY, {})
    entry = drafts.get(kept.token)
    if entry is None:
        return
    _delete_files(entry["files"])
    entry.update(files=[], number=number, contact=contact)
    request.session[SESSION_KEY] = drafts


def filed_contact(request: HttpRequest, number: str) -> str | None:
    """The IIN of the complaint `number` when this browser session filed it (the done page's key)."""
    for entry in request.session.get(SESSION_KEY, {}).values():
        if entry.get("number") == number:
            return str(entry["contact"])
    return None


def decode_base64(value: str) -> bytes | None:
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _kept(token: str, entry: dict[str, Any]) -> KeptDraft:
    return KeptDraft(
        token=token,
        kind=entry["kind"],
        document=entry["document"].encode("utf-8"),
        values=entry["values"],
        files=entry["files"],
        number=entry.get("number", ""),
        contact=entry.get("contact", ""),
    )


def _store(token: str, position: int, file: IncomingFile) -> dict[str, str]:
    from django.core.files.base import ContentFile

    path = default_storage.save(f"{DRAFT_FILES_FOLDER}/{token}/{position}", ContentFile(file.content))
    return {"name": file.filename, "type": file.declared_type, "path": path}


def _delete_files(files: list[dict[str, str]]) -> None:
    for kept in files:
        default_storage.delete(kept["path"])
