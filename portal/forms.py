"""Citizen forms. They shape the input; `appeals.services.register_appeal` validates and registers it.

Fields the service checks (phone, e-mail, IIN, subject, text) are not required here, so every problem is
reported by the service at once, next to its field, in the page language.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.policy import policy
from knowledge.choices import Language

if TYPE_CHECKING:
    from directory.models import Service

# One-line fields: a generous cap so a pasted novel is refused early; the service sets the real limits.
ONE_LINE_MAX_CHARS = 1000
TRACKING_FIELD_MAX_CHARS = 254
FILES_HELP = _("Optional: up to %(count)d files, each at most %(megabytes)d MB: PDF, pictures, office documents, text.")
# Languages by their own names, as on the language switch.
LANGUAGE_CHOICES = [(Language.KAZAKH.value, "Қазақша"), (Language.RUSSIAN.value, "Русский")]


def new_form_token() -> str:
    return str(uuid.uuid4())


def _active_services():  # type: ignore[no-untyped-def]
    from directory.selectors import active_services

    return active_services()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.Field):
    """The files sent with the appeal, as they came: `appeals.services.add_attachments` decides on each one, so a
    refused file never sends the citizen back to the form (the appeal is registered and the refusal listed)."""

    widget = MultipleFileInput

    def clean(self, value: Any) -> list[UploadedFile]:
        files = value if isinstance(value, list | tuple) else [value]
        return [file for file in files if isinstance(file, UploadedFile)]


class AppealForm(forms.Form):
    citizen_name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=ONE_LINE_MAX_CHARS,
        help_text=_("Optional."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=ONE_LINE_MAX_CHARS,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "placeholder": "+7 701 123 45 67"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        required=False,
        max_length=ONE_LINE_MAX_CHARS,
        help_text=_("Leave a phone number, an e-mail address or both. We send the answer by e-mail."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "name@example.kz"}),
    )
    iin = forms.CharField(
        label=_("IIN"),
        required=False,
        max_length=ONE_LINE_MAX_CHARS,
        help_text=_("Optional: 12 digits. It helps us find your application faster."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    language = forms.ChoiceField(label=_("Language of the answer"), choices=LANGUAGE_CHOICES, widget=forms.RadioSelect)
    service: forms.ModelChoiceField[Service] = forms.ModelChoiceField(
        label=_("Public service"),
        required=False,
        queryset=None,
        to_field_name="slug",
        empty_label=_("— not about a particular service —"),
    )
    subject = forms.CharField(label=_("Subject"), required=False, max_length=ONE_LINE_MAX_CHARS)
    text = forms.CharField(label=_("Your question"), required=False, widget=forms.Textarea(attrs={"rows": 7}))
    attachments = AttachmentsField(label=_("Files"), required=False)
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, language: str = Language.KAZAKH, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[Service]", self.fields["service"])
        field.queryset = _active_services()
        # Django's documented way to relabel choices on one form; the stubs declare it a method.
        field.label_from_instance = lambda obj: obj.name  # type: ignore[method-assign]
        self.fields["attachments"].help_text = FILES_HELP % {
            "count": policy("ATTACHMENTS_MAX_COUNT"),
            "megabytes": policy("ATTACHMENT_MAX_BYTES") // (1024 * 1024),
        }
        if not self.is_bound:
            self.initial.setdefault("language", language)
            self.initial.setdefault("form_token", new_form_token())

    def clean_form_token(self) -> str:
        token = self.cleaned_data.get("form_token", "")
        try:
            return str(uuid.UUID(token, version=4))
        except ValueError as exc:
            raise ValidationError(_("The form has expired. Check what you wrote and send it again.")) from exc

    def renew_token(self) -> None:
        """A fresh token for the re-rendered form (the old one was unusable)."""
        data = cast(QueryDict, self.data).copy()
        data["form_token"] = new_form_token()
        self.data = data


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Registration number"),
        max_length=TRACKING_FIELD_MAX_CHARS,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "2025-W-0000123", "spellcheck": "false"}),
    )
    contact = forms.CharField(
        label=_("Phone or e-mail given in the appeal"),
        max_length=TRACKING_FIELD_MAX_CHARS,
        help_text=_("For a complaint signed with an EDS, your IIN also works."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
