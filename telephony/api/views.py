"""The telephony API: events and recordings from edges (signed), queue look-ups for announcements,
live queue figures for supervisors. Contract: docs/telephony-api.md."""

import tempfile
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import Role
from accounts.permissions import PUBLIC, DeclaredRolesOnly
from core.api import AskedLanguageMixin
from recordings.services import store_recording

from .. import services, statistics
from ..authentication import EdgeSignatureAuthentication, SignedByEdge, StreamingSignatureCheck
from ..choices import EventType
from ..events import parse_events
from ..models import Call, CallEvent, TelephonyEdge
from . import serializers as api

SIGNATURE_HEADERS = [
    OpenApiParameter("X-Bailanys-Edge", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True),
    OpenApiParameter("X-Bailanys-Timestamp", OpenApiTypes.INT, OpenApiParameter.HEADER, required=True),
    OpenApiParameter(
        "X-Bailanys-Signature",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=True,
        description=gettext_lazy(
            "v1= and the hex HMAC-SHA256 of timestamp, method, path and body (docs/telephony-api.md)."
        ),
    ),
]
REFUSED = OpenApiResponse(description=gettext_lazy("Not signed by a known edge."))


class EdgeAPIView(AskedLanguageMixin, APIView):
    """Endpoints for telephony engines: anyone may knock, only a valid signature gets in."""

    authentication_classes = [EdgeSignatureAuthentication]
    permission_classes = [DeclaredRolesOnly, SignedByEdge]
    allowed_roles = frozenset({PUBLIC})


class EventsView(EdgeAPIView):
    @extend_schema(
        operation_id="telephony_events",
        summary=gettext_lazy("Report call events"),
        parameters=SIGNATURE_HEADERS,
        request=api.EventBatchSerializer,
        responses={200: api.AcceptedSerializer, 400: OpenApiTypes.OBJECT, 401: REFUSED},
    )
    def post(self, request: Request) -> Response:
        events = parse_events(request.data)
        with transaction.atomic():
            accepted = services.accept_events(edge=_edge(request), events=events)
        return Response({"accepted": accepted.accepted, "duplicates": accepted.duplicates})


def _edge(request: Request) -> TelephonyEdge:
    assert isinstance(request.auth, TelephonyEdge)  # SignedByEdge let the request in
    return request.auth


class QueuePositionView(EdgeAPIView):
    @extend_schema(
        operation_id="telephony_queue_position",
        summary=gettext_lazy("Where a waiting caller stands"),
        parameters=SIGNATURE_HEADERS,
        responses={200: api.QueuePositionSerializer, 401: REFUSED, 404: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request, call_id: str) -> Response:
        services.dispatch_waiting_calls()
        call = get_object_or_404(Call, edge=_edge(request), call_id=call_id)
        position, expected = statistics.queue_position(call)
        return Response({"state": call.state, "position": position, "expected_wait_s": expected})


class _FormatIsTheAudioFormat(DefaultContentNegotiation):
    """`?format=wav` names the recording's format here, not DRF's response-format override."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)  # type: ignore[assignment]


class RecordingUploadView(AskedLanguageMixin, APIView):
    """The body is the file; the signature is checked while it streams to disk, then the file is stored."""

    authentication_classes: list[Any] = []
    content_negotiation_class = _FormatIsTheAudioFormat

    def get_authenticate_header(self, request: Request) -> str:
        return "Bailanys-HMAC"  # a refused signature is a 401, as on the other edge endpoints

    permission_classes = [DeclaredRolesOnly]
    allowed_roles = frozenset({PUBLIC})

    @extend_schema(
        operation_id="telephony_recording_upload",
        summary=gettext_lazy("Upload a call's recording"),
        parameters=[
            *SIGNATURE_HEADERS,
            OpenApiParameter("X-Content-SHA256", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True),
            OpenApiParameter("call_id", OpenApiTypes.STR, required=True),
            OpenApiParameter("event_id", OpenApiTypes.STR, required=True),
            OpenApiParameter("started_at", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("ended_at", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["wav"], required=True),
        ],
        request={"audio/wav": OpenApiTypes.BINARY},
        responses={201: api.RecordingSerializer, 200: api.RecordingSerializer, 400: OpenApiTypes.OBJECT, 401: REFUSED},
    )
    def post(self, request: Request) -> Response:
        raw = request._request
        check = StreamingSignatureCheck(raw)
        with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
            size = 0
            for chunk in check.feed(iter(lambda: raw.read(64 * 1024), b"")):
                size += len(chunk)
                if size > settings.TELEPHONY_RECORDING_MAX_BYTES:
                    raise ValidationError(_("The recording is larger than allowed."), code="recording_size")
                spool.write(chunk)
            check.verify()
            spool.seek(0)
            return self._store(request, check, File(spool))

    def _store(self, request: Request, check: StreamingSignatureCheck, upload: File) -> Response:
        params = request.query_params
        call = Call.objects.filter(edge=check.edge, call_id=params.get("call_id", "")).first()
        if call is None:
            raise Http404
        started, ended = _moment(params.get("started_at")), _moment(params.get("ended_at"))
        event_id = params.get("event_id", "")[:200]
        if not event_id:
            raise ValidationError({"event_id": [_("event_id is required.")]})
        with transaction.atomic():
            recording, created = store_recording(
                call=call,
                upload=upload,
                declared_sha256=request.headers.get("X-Content-SHA256", ""),
                started_at=started,
                ended_at=ended,
                audio_format=params.get("format", ""),
                source_ref=f"{check.edge.name}:{event_id}",
            )
            if created:
                CallEvent.objects.get_or_create(
                    edge=check.edge,
                    event_id=event_id,
                    defaults={
                        "call": call,
                        "type": EventType.RECORDING_READY,
                        "occurred_at": ended,
                        "data": {"sha256": recording.sha256, "recording_id": recording.pk},
                    },
                )
        body = api.RecordingSerializer(recording).data
        return Response(body, status=201 if created else 200)


def _moment(value: str | None) -> Any:
    moment = parse_datetime(value or "")
    if moment is None or moment.tzinfo is None:
        raise ValidationError(_("Times are ISO 8601 with an offset, e.g. 2026-11-25T14:03:07+05:00."))
    return moment


class LiveFiguresView(APIView):
    permission_classes = [DeclaredRolesOnly]
    allowed_roles = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.REGULATOR})

    @extend_schema(
        operation_id="telephony_live",
        summary=gettext_lazy("Live queue figures"),
        responses={200: api.LiveFiguresSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(api.live_payload(statistics.live_figures()))
