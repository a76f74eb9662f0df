"""Forms of the phone line's pages. They only shape input; `telephony.services` checks and writes."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from knowledge.choices import Language

from .models import ConsultantLine

INTERVAL_CHOICES = [(15, _("15 minutes")), (30, _("30 minutes")), (60, _("60 minutes"))]


def languages_label(line: ConsultantLine) -> str:
    names = dict(Language.choices)
    return ", ".join(str(names[code]) for code in line.languages)


class LineChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: ConsultantLine) -> str:
        name = obj.user.get_full_name() or obj.user.get_username()
        return f"{name} · {obj.extension} · {languages_label(obj)}"


class TransferForm(forms.Form):
    """To a chosen ready consultant, or back to the queue when none is chosen."""

    target = LineChoiceField(
        label=_("Transfer to"),
        queryset=ConsultantLine.objects.none(),
        required=False,
        empty_label=_("Back to the queue"),
    )

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets  # type: ignore[attr-defined]
        self.fields["target"].error_messages["invalid_choice"] = _(
            "This consultant is no longer free. Choose another one or the queue."
        )


class ConsultantLineForm(forms.Form):
    """A consultant's place on the phone line: who, their extension and SIP phone, the languages they take."""

    user = forms.ModelChoiceField(label=_("Consultant"), queryset=get_user_model().objects.none())
    extension = forms.CharField(label=_("Extension"), max_length=20, help_text=_("Digits only, e.g. 1001."))
    sip_uri = forms.CharField(
        label=_("SIP address"), max_length=300, help_text=_("Where the consultant's phone answers, e.g. sip:1001@pbx.")
    )
    speaks_kazakh = forms.BooleanField(label=_("Takes calls in Kazakh"), required=False, initial=True)
    speaks_russian = forms.BooleanField(label=_("Takes calls in Russian"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        consultants = get_user_model().objects.filter(role=Role.CONSULTANT, is_active=True)
        user_field = self.fields["user"]
        user_field.queryset = consultants.order_by("last_name", "first_name", "username")  # type: ignore[attr-defined]
        user_field.label_from_instance = lambda user: user.get_full_name() or user.get_username()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("speaks_kazakh") and not data.get("speaks_russian"):
            raise ValidationError(_("Choose at least one language."), code="no_language")
        return data


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal on the form: on the field it names when there is one, else on the form."""
    fields_by_code = {
        "extension": "extension",
        "extension_taken": "extension",
        "sip_uri": "sip_uri",
        "line_role": "user",
    }
    for item in error.error_list if hasattr(error, "error_list") else [error]:
        field = fields_by_code.get(item.code or "")
        for message in item.messages:
            form.add_error(field, message)
