"""Forms shared by the workspace pages and the API: one filter definition for both."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from appeals.choices import AppealStatus, Channel
from appeals.validation import clean_email, one_line
from core.phone import normalise_phone
from directory.models import Organisation, Service


class AppealFilterForm(forms.Form):
    """The registry's filters (FilterSet-like): every field optional; cleaned data feeds `appeals_for`."""

    number = forms.CharField(label=_("Registration number"), required=False, max_length=40)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *AppealStatus.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", "—"), *Channel.choices])
    service = forms.ModelChoiceField(label=_("Public service"), required=False, queryset=Service.objects.all())
    organisation = forms.ModelChoiceField(label=_("Organisation"), required=False, queryset=Organisation.objects.all())
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from directory.selectors import active_services, referral_organisations

        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Service]", self.fields["service"]).queryset = active_services()
        organisation = cast("forms.ModelChoiceField[Organisation]", self.fields["organisation"])
        organisation.queryset = referral_organisations()

    def clean_number(self) -> str:
        return one_line(self.cleaned_data["number"]).upper()

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"]
        return normalise_phone(raw) if one_line(raw) else ""

    def clean_email(self) -> str:
        try:
            return clean_email(self.cleaned_data["email"])
        except ValidationError as exc:
            raise ValidationError(_("Enter a valid e-mail address.")) from exc

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end of the period is before its start."))
        return cleaned
