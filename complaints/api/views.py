"""The complaints API for bodies' own systems: an integration account linked to an organisation (or an officer)
takes the complaints routed to it, verifies the signature itself if it wishes, and answers or passes them on."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.choices import Role
from audit.services import record_personal_data_read
from complaints import services
from complaints.api import serializers as api
from complaints.models import Complaint
from core.api import AskedLanguageMixin
from directory.models import Organisation

READERS = frozenset({Role.INTEGRATION, Role.ORG_OFFICER, Role.SUPERVISOR, Role.ADMIN})
WRITERS = frozenset({Role.INTEGRATION, Role.ORG_OFFICER})
PERSONAL_FIELDS = ["citizen_iin", "citizen_name", "phone", "email"]
VALIDATION_ERROR = OpenApiResponse(
    response=OpenApiTypes.OBJECT, description=_("Field → list of messages, in the request's language.")
)


class ComplaintsAPIView(AskedLanguageMixin, GenericAPIView):  # type: ignore[type-arg]
    lookup_field = "number"

    @property
    def allowed_roles(self) -> frozenset[str]:
        return READERS if self.request.method in SAFE_METHODS else WRITERS

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Complaint.objects.visible_to(self.request.user).select_related("routed_to")

    def visible_complaint(self, number: str) -> Complaint:
        return get_object_or_404(self.get_queryset(), number=number)

    def detail_response(self, complaint: Complaint) -> Response:
        complaint = (
            Complaint.objects.select_related("routed_to", "service", "organisation")
            .prefetch_related("events__organisation")
            .get(pk=complaint.pk)
        )
        record_personal_data_read(actor=self.request.user, target=complaint, fields=PERSONAL_FIELDS)
        return Response(api.ComplaintDetailSerializer(complaint).data)


class ComplaintListView(ComplaintsAPIView):
    serializer_class = api.ComplaintListSerializer

    @extend_schema(
        summary="List the complaints routed to your organisation",
        description=(
            "An integration account or officer sees the complaints routed to its organisation (supervisors and "
            "administrators see all). `updated_since` returns only those changed after the given moment (ISO 8601), "
            "oldest change first, for taking a delta."
        ),
        parameters=[
            OpenApiParameter("updated_since", OpenApiTypes.DATETIME),
            OpenApiParameter("status", OpenApiTypes.STR),
        ],
        responses={200: api.ComplaintListSerializer(many=True), 400: VALIDATION_ERROR},
    )
    def get(self, request: Request) -> Response:
        complaints = self.get_queryset().order_by("-filed_at")
        since = request.query_params.get("updated_since")
        if since:
            moment = _utc_moment(since.replace(" ", "+"))
            if moment is None:
                raise ValidationError({"updated_since": [_("Give a date and time with its offset (ISO 8601).")]})
            complaints = complaints.filter(updated_at__gt=moment).order_by("updated_at", "pk")
        if request.query_params.get("status"):
            complaints = complaints.filter(status=request.query_params["status"])
        page = self.paginate_queryset(complaints)
        return self.get_paginated_response(api.ComplaintListSerializer(page, many=True).data)


def _utc_moment(text: str) -> datetime | None:
    """An ISO 8601 moment with its offset, in UTC (PostgreSQL refuses offsets past 15:59); None when it is not one."""
    try:
        moment = parse_datetime(text)
        return moment.astimezone(UTC) if moment is not None and moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


class ComplaintDetailView(ComplaintsAPIView):
    serializer_class = api.ComplaintDetailSerializer

    @extend_schema(
        summary="One complaint with the signed document and the signature",
        description="The document and signature are base64, for your own verification; the read is audited.",
        responses={200: api.ComplaintDetailSerializer},
    )
    def get(self, request: Request, number: str) -> Response:
        return self.detail_response(self.visible_complaint(number))


class AnswerView(ComplaintsAPIView):
    serializer_class = api.ComplaintAnswerSerializer

    @extend_schema(
        summary="Answer the complaint",
        description="The answer is e-mailed to the citizen and shown on the portal's tracking page.",
        request=api.ComplaintAnswerSerializer,
        responses={200: api.ComplaintDetailSerializer, 400: VALIDATION_ERROR},
    )
    def post(self, request: Request, number: str) -> Response:
        complaint = self.visible_complaint(number)
        incoming = api.ComplaintAnswerSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.answer_complaint(complaint=complaint, officer=request.user, answer=incoming.validated_data["answer"])
        return self.detail_response(complaint)


class PassOnView(ComplaintsAPIView):
    serializer_class = api.ComplaintPassOnSerializer

    @extend_schema(
        summary="Pass the complaint on to the competent organisation",
        description="The reason is required; the statutory due date stays.",
        request=api.ComplaintPassOnSerializer,
        responses={200: api.ComplaintDetailSerializer, 400: VALIDATION_ERROR},
    )
    def post(self, request: Request, number: str) -> Response:
        complaint = self.visible_complaint(number)
        incoming = api.ComplaintPassOnSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        organisation = Organisation.objects.filter(code=incoming.validated_data["organisation"], is_active=True).first()
        if organisation is None:
            raise ValidationError({"organisation": [_("Not found: check the identifier.")]})
        services.pass_on(
            complaint=complaint,
            officer=request.user,
            to_organisation=organisation,
            reason=incoming.validated_data["reason"],
        )
        return self.detail_response(complaint)
