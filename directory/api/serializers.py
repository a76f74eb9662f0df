from __future__ import annotations

from typing import cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directory.choices import OrganisationKind, TerritoryLevel
from directory.forms import QUERY_MAX_LENGTH
from directory.models import Organisation, Service, ServiceCategory, Territory


# --- Query parameters (validated: a bad value is a 400 with the field's message) ------------------------
class OrganisationQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=OrganisationKind.choices, required=False, help_text=_("Kind of organisation.")
    )
    territory = serializers.RegexField(
        r"^\d{9}$",
        required=False,
        help_text=_("KATO code: organisations of this territory and everything under it."),
        error_messages={"invalid": _("A KATO code has 9 digits.")},
    )
    q = serializers.CharField(
        required=False,
        max_length=QUERY_MAX_LENGTH,
        allow_blank=True,
        help_text=_("Words of the name or short name, Kazakh or Russian (Kazakh letters may be typed without marks)."),
    )


class ServiceQuerySerializer(serializers.Serializer):
    category = serializers.SlugField(required=False, max_length=50, help_text=_("Category code."))
    q = serializers.CharField(
        required=False, max_length=QUERY_MAX_LENGTH, allow_blank=True, help_text=_("Words of the service name.")
    )
    inferred = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Only services whose responsible body is inferred and not confirmed."),
    )


class TerritoryQuerySerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=TerritoryLevel.choices, required=False, help_text=_("KATO level."))
    # The serializer metaclass moves declared fields off the class, so this does not shadow Field.parent.
    parent = serializers.RegexField(  # type: ignore[assignment]
        r"^\d{9}$",
        required=False,
        help_text=_("KATO code of the parent territory."),
        error_messages={"invalid": _("A KATO code has 9 digits.")},
    )


# --- Resources -------------------------------------------------------------------------------------------
class TerritoryBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Territory
        fields = ["kato", "level", "name_kk", "name_ru"]


class TerritorySerializer(serializers.ModelSerializer):
    # Moved off the class by the serializer metaclass: no real override of Field.parent.
    parent = serializers.CharField(source="parent_id", allow_null=True, read_only=True, help_text=_("KATO code."))  # type: ignore[assignment]

    class Meta:
        model = Territory
        fields = ["kato", "level", "type_code", "name_kk", "name_ru", "parent"]


class TerritoryDetailSerializer(TerritorySerializer):
    children_count = serializers.IntegerField(read_only=True)

    class Meta(TerritorySerializer.Meta):
        fields = [*TerritorySerializer.Meta.fields, "children_count"]


class OrganisationBriefSerializer(serializers.ModelSerializer):
    names_inferred = serializers.BooleanField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "code", "kind", "name_kk", "name_ru", "short_name_kk", "short_name_ru", "names_inferred"]


class OrganisationSerializer(serializers.ModelSerializer):
    names_inferred = serializers.BooleanField(
        read_only=True, help_text=_("True when the full names were written from the source's short names.")
    )
    territory = TerritoryBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "code",
            "kind",
            "name_kk",
            "name_ru",
            "short_name_kk",
            "short_name_ru",
            "names_origin",
            "names_inferred",
            "territory",
            "phone",
            "email",
            "website",
            "address_kk",
            "address_ru",
            "is_active",
        ]


class ServiceCategorySerializer(serializers.ModelSerializer):
    active_services = serializers.IntegerField(read_only=True, help_text=_("Number of active services."))

    class Meta:
        model = ServiceCategory
        fields = ["code", "name_kk", "name_ru", "active_services"]


class CategoryBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceCategory
        fields = ["code", "name_kk", "name_ru"]


class ServiceSerializer(serializers.ModelSerializer):
    category = CategoryBriefSerializer(read_only=True)
    responsible_organisation = OrganisationBriefSerializer(read_only=True, allow_null=True)
    responsible_inferred = serializers.BooleanField(
        read_only=True, help_text=_("True when the responsible body is inferred and nobody has confirmed it.")
    )

    class Meta:
        model = Service
        fields = [
            "slug",
            "name_kk",
            "name_ru",
            "category",
            "responsible_organisation",
            "responsible_origin",
            "responsible_inferred",
            "responsible_basis",
            "url_kk",
            "url_ru",
            "is_active",
        ]


class ServiceDetailSerializer(ServiceSerializer):
    class Meta(ServiceSerializer.Meta):
        fields = [
            *ServiceSerializer.Meta.fields,
            "source_description_kk",
            "source_result_ru",
            "source_instructions_kk",
            "source_keywords_kk",
        ]
        extra_kwargs = {"source_keywords_kk": {"help_text": _("Keywords (Kazakh) from egov.kz.")}}


class OrganisationServiceSerializer(serializers.ModelSerializer):
    responsible_inferred = serializers.BooleanField(read_only=True)

    class Meta:
        model = Service
        fields = ["slug", "name_kk", "name_ru", "responsible_origin", "responsible_inferred"]


class OrganisationDetailSerializer(OrganisationSerializer):
    services = serializers.SerializerMethodField(help_text=_("Active services this organisation is responsible for."))

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "services"]

    @extend_schema_field(OrganisationServiceSerializer(many=True))
    def get_services(self, organisation: Organisation) -> list[dict]:
        services = organisation.services.filter(is_active=True).order_by("name_kk")
        # many=True builds a ListSerializer, whose data is a list; the stubs type it as the child's ReturnDict.
        return cast("list[dict]", OrganisationServiceSerializer(services, many=True).data)
