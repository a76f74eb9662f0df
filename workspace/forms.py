"""Forms of the consultant's desk. They only shape input; `appeals.services` validates and writes."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from knowledge.choices import Language

if TYPE_CHECKING:
    from directory.models import Organisation, Service

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_form_token() -> str:
    return secrets.token_urlsafe(18)


def _active_services():  # type: ignore[no-untyped-def]
    from directory.selectors import active_services

    return active_services()


def _referral_organisations():  # type: ignore[no-untyped-def]
    from directory.selectors import referral_organisations

    return referral_organisations()


class DeskForm(forms.Form):
    """A phone appeal registered while the citizen is on the line: phone first, then the question."""

    phone = forms.CharField(
        label=_("Caller's phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"type": "tel", "autofocus": True, "autocomplete": "off", "placeholder": "+7 701 123 45 67"}
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the conversation"),
        choices=Language.choices,
        initial=Language.KAZAKH,
        widget=forms.RadioSelect,
    )
    service: forms.ModelChoiceField[Service] = forms.ModelChoiceField(
        label=_("Public service"), required=False, queryset=None, empty_label=_("— not about a particular service —")
    )
    subject = forms.CharField(label=_("Subject"), max_length=1000)
    text = forms.CharField(label=_("What the citizen asks"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    citizen_name = forms.CharField(label=_("Citizen's name"), required=False, max_length=1000)
    form_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Service]", self.fields["service"]).queryset = _active_services()
        if not self.is_bound:
            self.initial.setdefault("form_token", new_form_token())

    def clean_form_token(self) -> str:
        token = self.cleaned_data["form_token"]
        if not _TOKEN.fullmatch(token):
            raise ValidationError(_("The form has expired; reload the page."))
        return token


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer to the citizen"), widget=forms.Textarea(attrs={"rows": 6}))


class ReferForm(forms.Form):
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label=_("Competent organisation"), queryset=None
    )
    contacts = forms.CharField(
        label=_("Contacts given to the citizen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Filled in from the directory; correct them if the citizen was told something else."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = cast("forms.ModelChoiceField[Organisation]", self.fields["organisation"])
        organisation.queryset = _referral_organisations()
        self.fields["organisation"].widget.attrs.update(
            {
                "hx-get": reverse("workspace:referral_contacts"),
                "hx-trigger": "change",
                "hx-target": "#referral-contacts",
                "hx-swap": "outerHTML",
            }
        )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one, else on the form."""
    for field, messages in error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]:
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
