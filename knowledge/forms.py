"""Forms of the knowledge pages. They check shape; the services check the rules and the limits."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Organisation, Service, ServiceCategory
from knowledge.choices import ContentOrigin, Language
from knowledge.search import MAX_QUERY_CHARS
from knowledge.services import BODY_MAX_CHARS, NOTE_MAX_CHARS, SLUG_MAX_CHARS, TITLE_MAX_CHARS


class ArticleCreateForm(forms.Form):
    slug = forms.SlugField(
        label=_("Identifier"),
        max_length=SLUG_MAX_CHARS,
        help_text=_("Latin letters, digits, hyphens and underscores; for a service, its egov.kz identifier."),
    )
    service = forms.ModelChoiceField(
        label=_("Public service"), queryset=Service.objects.filter(is_active=True), required=False
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        help_text=_("Officers of these organisations may keep the article current."),
    )


class VersionForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_CHARS)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 18}), max_length=BODY_MAX_CHARS)
    content_origin = forms.ChoiceField(
        label=_("Origin of the text"),
        choices=ContentOrigin.choices,
        initial=ContentOrigin.WRITTEN,
        help_text=_("Readers see it: an official text, a translation by the center, or written by the center."),
    )


class ReviewNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the author"), widget=forms.Textarea(attrs={"rows": 3}), max_length=NOTE_MAX_CHARS
    )


class PublishForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=NOTE_MAX_CHARS,
        required=False,
    )


class ReviewDueForm(forms.Form):
    review_due = forms.DateField(label=_("Review due"), widget=forms.DateInput(attrs={"type": "date"}))


class ArticleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=MAX_QUERY_CHARS)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ServiceCategory.objects.all(), required=False, empty_label=_("All categories")
    )
    pending_review = forms.BooleanField(label=_("Has a version in review"), required=False)
    missing = forms.ChoiceField(
        label=_("Missing a translation in"), required=False, choices=[("", _("Any")), *Language.choices]
    )


class SearchPanelForm(forms.Form):
    q = forms.CharField(required=False, max_length=MAX_QUERY_CHARS)
    lang = forms.ChoiceField(required=False, choices=Language.choices)
    appeal = forms.IntegerField(required=False, min_value=1)

    def cleaned_or_defaults(self, default_language: str) -> dict[str, Any]:
        if not self.is_valid():
            return {"q": "", "lang": default_language, "appeal": None, "errors": self.errors}
        data = dict(self.cleaned_data)
        data["lang"] = data.get("lang") or default_language
        data["errors"] = {}
        return data


class SynonymGroupForm(forms.Form):
    terms_kk = forms.CharField(
        label=_("Kazakh"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "ХҚКО\nхалыққа қызмет көрсету орталығы"}),
        help_text=_("One word, abbreviation or phrase a line."),
    )
    terms_ru = forms.CharField(
        label=_("Russian"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "ЦОН\nцентр обслуживания населения"}),
        help_text=_("One word, abbreviation or phrase a line."),
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=200)
