from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from directory.choices import OrganisationKind
from directory.models import Organisation, ServiceCategory, Territory
from directory.selectors import oblasts, responsible_choices_for
from directory.validation import MAX_LENGTHS, validate_email, validate_phones, validate_website

QUERY_MAX_LENGTH = 200


class OrganisationFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *OrganisationKind.choices])
    territory = forms.ModelChoiceField(
        label=_("Region"),
        required=False,
        queryset=Territory.objects.none(),
        to_field_name="kato",
        empty_label=_("All regions"),
    )
    q = forms.CharField(label=_("Name"), required=False, max_length=QUERY_MAX_LENGTH)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Territory]", self.fields["territory"]).queryset = oblasts()


class ServiceFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=ServiceCategory.objects.none(),
        to_field_name="code",
        empty_label=_("All categories"),
    )
    q = forms.CharField(label=_("Name"), required=False, max_length=QUERY_MAX_LENGTH)
    inferred = forms.BooleanField(label=_("Only inferred responsible bodies"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = cast("forms.ModelChoiceField[ServiceCategory]", self.fields["category"])
        category.queryset = ServiceCategory.objects.order_by("name_kk")


class OrganisationContactsForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=MAX_LENGTHS["phone"],
        validators=[validate_phones],
        help_text=_("Several numbers may be separated by commas."),
    )
    email = forms.CharField(
        label=_("E-mail"),
        required=False,
        max_length=MAX_LENGTHS["email"],
        validators=[validate_email],
        widget=forms.EmailInput,
    )
    website = forms.CharField(
        label=_("Website"),
        required=False,
        max_length=MAX_LENGTHS["website"],
        validators=[validate_website],
        widget=forms.URLInput,
    )
    address_kk = forms.CharField(label=_("Address (Kazakh)"), required=False, max_length=MAX_LENGTHS["address_kk"])
    address_ru = forms.CharField(label=_("Address (Russian)"), required=False, max_length=MAX_LENGTHS["address_ru"])

    @classmethod
    def for_organisation(cls, organisation: Organisation, data: Any = None) -> OrganisationContactsForm:
        initial = {name: getattr(organisation, name) for name in cls.base_fields}
        return cls(data=data, initial=initial)

    def apply_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError({field: message}) on the form's fields."""
        for field, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
            self.add_error(field if field in self.fields else None, messages)


class ServiceResponsibleForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Responsible body"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("Not known"),
        help_text=_("Saving confirms the choice: it is no longer shown as inferred."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = cast("forms.ModelChoiceField[Organisation]", self.fields["organisation"])
        organisation.queryset = responsible_choices_for(user)

    def apply_service_errors(self, error: ValidationError) -> None:
        for field, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
            self.add_error(field if field in self.fields else None, messages)
