from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import BilingualNameMixin
from directory.choices import DataOrigin, OrganisationKind, TerritoryLevel
from directory.search import organisation_search_key, service_search_key


class Territory(BilingualNameMixin):
    """A unit of the KATO classifier (НК РК 11-2025). The code is kept as a string."""

    kato = models.CharField(_("KATO code"), max_length=9, primary_key=True)
    level = models.CharField(_("level"), max_length=20, choices=TerritoryLevel.choices)
    type_code = models.CharField(max_length=4, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )

    class Meta:
        ordering = ["kato"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")


class Organisation(BilingualNameMixin):
    """A state body, akimat, public service center or provider the center works with (clause 2.3)."""

    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    short_name_kk = models.CharField(_("short name (Kazakh)"), max_length=100, blank=True)
    short_name_ru = models.CharField(_("short name (Russian)"), max_length=100, blank=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("territory"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subordinates",
        verbose_name=_("parent organisation"),
    )
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    address_kk = models.CharField(_("address (Kazakh)"), max_length=500, blank=True)
    address_ru = models.CharField(_("address (Russian)"), max_length=500, blank=True)
    external_id = models.CharField(_("identifier in the source"), max_length=100, blank=True)
    names_origin = models.CharField(
        _("origin of the full names"),
        max_length=20,
        choices=DataOrigin.choices,
        default=DataOrigin.SOURCE,
        help_text=_("Inferred: the full names were expanded from the source's short names and are not confirmed."),
    )
    search_key = models.CharField(max_length=1200, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name_ru"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = organisation_search_key(self)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key"}
        super().save(*args, **kwargs)

    @property
    def has_contacts(self) -> bool:
        return bool(self.phone or self.email or self.website or self.address_kk or self.address_ru)

    @property
    def names_inferred(self) -> bool:
        return self.names_origin == DataOrigin.INFERRED

    @property
    def short_name(self) -> str:
        if get_language() == "ru":
            return self.short_name_ru or self.short_name_kk
        return self.short_name_kk or self.short_name_ru


class ServiceCategory(BilingualNameMixin):
    code = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name_kk"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")


class Service(BilingualNameMixin):
    """A public service of the register, as published on egov.kz."""

    slug = models.SlugField(_("egov.kz identifier"), max_length=100, unique=True)
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, related_name="services", verbose_name=_("category")
    )
    responsible_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("responsible body"),
    )
    responsible_origin = models.CharField(
        _("how the responsible body is known"),
        max_length=20,
        choices=DataOrigin.choices,
        default=DataOrigin.INFERRED,
    )
    responsible_basis = models.CharField(
        _("basis of the inference"),
        max_length=200,
        blank=True,
        help_text=_("For inferred values: what the inference rests on."),
    )
    url_kk = models.URLField(_("egov.kz page (Kazakh)"), blank=True)
    url_ru = models.URLField(_("egov.kz page (Russian)"), blank=True)
    source_result_ru = models.TextField(blank=True)
    source_description_kk = models.TextField(blank=True)
    source_instructions_kk = models.TextField(blank=True)
    source_keywords_kk = models.JSONField(default=list, blank=True)
    search_key = models.CharField(max_length=1100, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_kk"]
        verbose_name = _("public service")
        verbose_name_plural = _("public services")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = service_search_key(self)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key"}
        super().save(*args, **kwargs)

    @property
    def responsible_inferred(self) -> bool:
        """True when the responsible body is a guess that nobody has confirmed yet."""
        return self.responsible_organisation_id is not None and self.responsible_origin == DataOrigin.INFERRED
