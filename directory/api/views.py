"""Public, read-only directory API: organisations, services, categories and KATO territories."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination

from accounts.permissions import PUBLIC
from directory import selectors
from directory.api import serializers
from directory.api.pagination import StrictLimitOffsetPagination
from directory.models import Organisation, Service, ServiceCategory, Territory


class PublicReadOnly:
    """Anyone, signed in or not, may read the directory: it is public information."""

    allowed_roles = {PUBLIC}
    pagination_class: type[BasePagination] | None = StrictLimitOffsetPagination

    def query(self, serializer_class: type) -> dict[str, Any]:
        params = serializer_class(data=self.request.query_params)  # type: ignore[attr-defined]
        params.is_valid(raise_exception=True)
        return params.validated_data


@extend_schema(tags=["directory"], parameters=[serializers.OrganisationQuerySerializer])
class OrganisationList(PublicReadOnly, generics.ListAPIView):
    """Active organisations: central bodies, akimats, service centers and providers."""

    serializer_class = serializers.OrganisationSerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        params = self.query(serializers.OrganisationQuerySerializer)
        territory = None
        if params.get("territory"):
            territory = Territory.objects.filter(kato=params["territory"]).first()
            if territory is None:
                return Organisation.objects.none()
        return selectors.filter_organisations(
            selectors.organisations_visible_to(None),
            kind=params.get("kind", ""),
            territory=territory,
            query=params.get("q", ""),
        ).order_by("kind", "name_kk", "pk")


@extend_schema(tags=["directory"])
class OrganisationDetail(PublicReadOnly, generics.RetrieveAPIView):
    """One active organisation, with its contacts and the services it is responsible for."""

    serializer_class = serializers.OrganisationDetailSerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.organisations_visible_to(None)


@extend_schema(tags=["directory"], parameters=[serializers.ServiceQuerySerializer])
class ServiceList(PublicReadOnly, generics.ListAPIView):
    """Active public services of the register, with category and (inferred or confirmed) responsible body."""

    serializer_class = serializers.ServiceSerializer

    def get_queryset(self) -> QuerySet[Service]:
        params = self.query(serializers.ServiceQuerySerializer)
        category = None
        if params.get("category"):
            category = ServiceCategory.objects.filter(code=params["category"]).first()
            if category is None:
                return Service.objects.none()
        return selectors.filter_services(
            selectors.active_services(),
            category=category,
            query=params.get("q", ""),
            inferred_only=params["inferred"],
        ).order_by("name_kk", "slug")


@extend_schema(tags=["directory"])
class ServiceDetail(PublicReadOnly, generics.RetrieveAPIView):
    """One active service by its egov.kz identifier, with the source texts."""

    serializer_class = serializers.ServiceDetailSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Service]:
        return selectors.active_services()


@extend_schema(tags=["directory"])
class ServiceCategoryList(PublicReadOnly, generics.ListAPIView):
    """The categories of public services, with the number of active services in each."""

    serializer_class = serializers.ServiceCategorySerializer

    def get_queryset(self) -> QuerySet[ServiceCategory]:
        return selectors.service_categories().order_by("name_kk", "pk")


@extend_schema(tags=["directory"], parameters=[serializers.TerritoryQuerySerializer])
class TerritoryList(PublicReadOnly, generics.ListAPIView):
    """KATO territories, filtered by level and parent."""

    serializer_class = serializers.TerritorySerializer

    def get_queryset(self) -> QuerySet[Territory]:
        params = self.query(serializers.TerritoryQuerySerializer)
        territories = Territory.objects.order_by("kato")
        if params.get("level"):
            territories = territories.filter(level=params["level"])
        if params.get("parent"):
            territories = territories.filter(parent_id=params["parent"])
        return territories


@extend_schema(tags=["directory"])
class TerritoryDetail(PublicReadOnly, generics.RetrieveAPIView):
    """One KATO territory by its 9-digit code."""

    serializer_class = serializers.TerritoryDetailSerializer
    lookup_field = "kato"

    def get_queryset(self) -> QuerySet[Territory]:
        return Territory.objects.annotate(children_count=Count("children"))

    def get_object(self) -> Territory:
        if not str(self.kwargs.get("kato", "")).isdigit():
            raise NotFound
        return super().get_object()
