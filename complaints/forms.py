from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from directory.models import Organisation


def _organisations() -> QuerySet[Organisation]:
    from complaints.selectors import organisations_for_form

    return organisations_for_form()


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer to the citizen"), widget=forms.Textarea(attrs={"rows": 8}))


class PassOnForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Competent organisation"), queryset=Organisation.objects.none())
    reason = forms.CharField(label=_("Why it is passed on"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations()  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Competent organisation"), queryset=Organisation.objects.none())

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations()  # type: ignore[attr-defined]
