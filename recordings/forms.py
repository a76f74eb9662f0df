"""Forms of the requests for recordings; the services check everything again."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RecordingRequestForm(forms.Form):
    number = forms.CharField(label=_("Number of the request letter"), max_length=60)
    day = forms.DateField(
        label=_("Date of the calls"), widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Asia/Almaty time.")
    )
    phone = forms.CharField(
        label=_("Citizen's phone"), max_length=40, help_text=_("Any spelling: +7 701 123 45 67, 8 701 123-45-67…")
    )
    letter = forms.FileField(label=_("Scanned request letter"), help_text=_("PDF, JPEG, PNG or TIFF."))


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Enter your password again to receive a one-time download link."),
    )


class RequestReportForm(forms.Form):
    since = forms.DateField(label=_("Registered from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Registered until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
