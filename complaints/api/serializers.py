from __future__ import annotations

import base64
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints.models import Complaint, ComplaintEvent


class ComplaintListSerializer(serializers.ModelSerializer[Complaint]):
    kind = serializers.CharField(read_only=True, help_text="service_order (type 1) or official_conduct (type 2).")
    status = serializers.CharField(
        read_only=True,
        help_text="pending_verification, in_triage, delivered, passed_on, answered or closed.",
    )
    routed_to: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "number",
            "kind",
            "status",
            "language",
            "routed_to",
            "filed_at",
            "due_at",
            "answered_at",
            "updated_at",
        ]


class ComplaintEventSerializer(serializers.ModelSerializer[ComplaintEvent]):
    kind = serializers.CharField(read_only=True)
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ComplaintEvent
        fields = ["kind", "at", "organisation", "note"]


class ComplaintDetailSerializer(serializers.ModelSerializer[Complaint]):
    kind = serializers.CharField(read_only=True, help_text="service_order (type 1) or official_conduct (type 2).")
    status = serializers.CharField(
        read_only=True,
        help_text="pending_verification, in_triage, delivered, passed_on, answered or closed.",
    )
    routed_to: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    territory: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(read_only=True)
    document = serializers.SerializerMethodField(help_text="The signed document, base64 (JSON for CMS, XML).")
    signature = serializers.SerializerMethodField(help_text="The signature as filed, base64 (DER CMS or signed XML).")
    events = ComplaintEventSerializer(many=True, read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "number",
            "kind",
            "status",
            "language",
            "citizen_iin",
            "citizen_name",
            "phone",
            "email",
            "service",
            "organisation",
            "territory",
            "stated_service",
            "stated_organisation",
            "stated_territory",
            "description",
            "official_surname",
            "official_name",
            "official_patronymic",
            "reason",
            "demands",
            "routed_to",
            "routing_basis",
            "filed_at",
            "due_at",
            "answer",
            "answered_at",
            "signature_format",
            "signature_algorithm",
            "signature_status",
            "signature_reason",
            "signer_iin",
            "signer_name",
            "certificate_serial",
            "signing_time",
            "signature_sha256",
            "document_sha256",
            "crls",
            "document",
            "signature",
            "events",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.BYTE)
    def get_document(self, complaint: Complaint) -> str:
        return _base64(complaint.document)

    @extend_schema_field(OpenApiTypes.BYTE)
    def get_signature(self, complaint: Complaint) -> str:
        return _base64(complaint.signature)


def _base64(stored: Any) -> str:
    with stored.open("rb") as handle:
        return base64.b64encode(handle.read()).decode()


class ComplaintAnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(trim_whitespace=True)


class ComplaintPassOnSerializer(serializers.Serializer[Any]):
    organisation = serializers.CharField(help_text="Code of the competent organisation (directory).")
    reason = serializers.CharField()
