"""The appeals API: the registry for contact-center staff and organisation officers, registration for
integrations (idempotent on the `Idempotency-Key` header)."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.forms import ChoiceField
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.choices import CONTACT_CENTER_STAFF, Role
from appeals import services
from appeals.api import serializers as api
from appeals.attachments import uploaded_file
from appeals.choices import Channel
from appeals.forms import AppealFilterForm
from appeals.models import Appeal
from appeals.selectors import appeals_for
from appeals.validation import clean_channel_ref
from audit.services import record_personal_data_read
from core.api import AskedLanguageMixin
from core.policy import policy
from core.ratelimit import count_action, current_usage
from directory.models import Organisation, Service, Territory
from knowledge.models import Article

READERS = CONTACT_CENTER_STAFF | {Role.ORG_OFFICER}
REGISTRARS = CONTACT_CENTER_STAFF | {Role.INTEGRATION}
PERSONAL_FIELDS = ("citizen_name", "phone", "email", "iin")
IDEMPOTENCY_KEY_MAX = 255
APPEALS_WINDOW_SECONDS = 60 * 60


def _status_values() -> list[str]:
    """The values of the registry's status filter, less the blank one."""
    field = cast(ChoiceField, AppealFilterForm.base_fields["status"])
    # ChoiceField normalises its choices to a list of pairs; the stubs type the property as anything assignable.
    choices = cast("list[tuple[str, Any]]", field.choices)
    return [value for value, _label in choices if value]


VALIDATION_ERROR = OpenApiResponse(
    response=OpenApiTypes.OBJECT, description=_("Field → list of messages, in the request's language.")
)
RATE_LIMITED = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description=_("Too many appeals from this account in the last hour; the Retry-After header says when to retry."),
)
IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=_(
        "Your own identifier of this appeal (at most 255 characters). A repeated key returns the "
        "appeal registered the first time, with status 200 instead of 201."
    ),
)
FILTER_PARAMETERS = [
    OpenApiParameter("number", OpenApiTypes.STR, description=_("Part of the registration number.")),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=_status_values(),
    ),
    OpenApiParameter("channel", OpenApiTypes.STR, enum=Channel.values),
    OpenApiParameter("service", OpenApiTypes.INT, description=_("Public service id.")),
    OpenApiParameter("organisation", OpenApiTypes.INT, description=_("Organisation concerned or referred to.")),
    OpenApiParameter("received_from", OpenApiTypes.DATE),
    OpenApiParameter("received_to", OpenApiTypes.DATE),
    OpenApiParameter("phone", OpenApiTypes.STR, description=_("Any way of writing the number.")),
    OpenApiParameter("email", OpenApiTypes.STR),
    OpenApiParameter("mine", OpenApiTypes.BOOL, description=_("Only appeals assigned to me.")),
]


class AppealsAPIView(AskedLanguageMixin, GenericAPIView):
    """Roles per method; messages in the language asked for (Accept-Language kk or ru)."""

    read_roles: frozenset[str] = READERS
    write_roles: frozenset[str] = frozenset(CONTACT_CENTER_STAFF)
    lookup_field = "number"

    @property
    def allowed_roles(self) -> frozenset[str]:
        return self.read_roles if self.request.method in SAFE_METHODS else self.write_roles

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Appeal.objects.visible_to(self.request.user)

    def visible_appeal(self, number: str) -> Appeal:
        return get_object_or_404(self.get_queryset(), number=number)

    def detail_response(self, appeal: Appeal, status_code: int = status.HTTP_200_OK) -> Response:
        appeal = Appeal.objects.prefetch_related("events__actor", "articles", "attachments").get(pk=appeal.pk)
        fields = [name for name in PERSONAL_FIELDS if getattr(appeal, name)]
        if fields:
            record_personal_data_read(actor=self.request.user, target=appeal, fields=fields)
        return Response(api.AppealDetailSerializer(appeal).data, status=status_code)


class AppealListCreateView(AppealsAPIView):
    write_roles = frozenset(REGISTRARS)
    serializer_class = api.AppealListSerializer

    @extend_schema(
        summary="List the appeals you may see",
        description=(
            "Contact-center staff see every appeal; an organisation officer sees the appeals concerning or "
            "referred to their organisation. Contacts are masked."
        ),
        parameters=FILTER_PARAMETERS,
        responses={200: api.AppealListSerializer(many=True), 400: VALIDATION_ERROR},
    )
    def get(self, request: Request) -> Response:
        form = AppealFilterForm(request.query_params)
        if not form.is_valid():
            return Response(form.errors, status=status.HTTP_400_BAD_REQUEST)
        page = self.paginate_queryset(appeals_for(request.user, form.cleaned_data))
        return self.get_paginated_response(api.AppealListSerializer(page, many=True).data)

    @extend_schema(
        summary="Register an appeal",
        description=(
            "Integration clients register on the API channel; staff may name the channel. Send an "
            "Idempotency-Key so that a retried request does not register the appeal twice (nor store its files "
            "twice). Files go as multipart/form-data, one `attachments` part each; a file over the limits does not "
            "refuse the appeal: it is listed in the answer as not accepted, with the reason. Each API account may "
            "register APPEALS_PER_CLIENT_PER_HOUR appeals an hour (30 by default); past it the answer is a 429 with "
            "Retry-After (a retry of an appeal already registered is always answered)."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request={
            "application/json": api.AppealRegistrationSerializer,
            "application/x-www-form-urlencoded": api.AppealRegistrationSerializer,
            "multipart/form-data": api.AppealRegistrationWithFilesSerializer,
        },
        responses={
            201: api.AppealRegisteredSerializer,
            200: api.AppealRegisteredSerializer,
            400: VALIDATION_ERROR,
            429: RATE_LIMITED,
        },
    )
    def post(self, request: Request) -> Response:
        incoming = api.AppealRegistrationWithFilesSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        key = request.headers.get("Idempotency-Key", "")
        if len(key) > IDEMPOTENCY_KEY_MAX:
            raise ValidationError({"Idempotency-Key": [_("The idempotency key is too long (at most 255 characters).")]})
        channel = (
            Channel.API if getattr(request.user, "role", "") == Role.INTEGRATION else data.get("channel", Channel.API)
        )
        if not _already_registered(channel, key):
            _check_appeal_limit(request)
        files = [uploaded_file(upload) for upload in data["attachments"]]
        registration = services.register_appeal(
            channel=channel,
            channel_ref=key,
            subject=data["subject"],
            text=data["text"],
            language=data["language"],
            citizen_name=data["citizen_name"],
            phone=data["phone"],
            email=data["email"],
            iin=data["iin"],
            received_at=data["received_at"],
            actor=request.user,
            files=files,
            **_references(data),
        )
        if registration.created:
            count_action(_limit_keys(request), window_seconds=APPEALS_WINDOW_SECONDS)
        code = status.HTTP_201_CREATED if registration.created else status.HTTP_200_OK
        appeal = Appeal.objects.prefetch_related("attachments").get(pk=registration.appeal.pk)
        body = api.AppealRegisteredSerializer(appeal, context={"created": registration.created}).data
        return Response(body, status=code)


def _already_registered(channel: str, key: str) -> bool:
    reference = clean_channel_ref(key)
    return bool(reference) and Appeal.objects.filter(channel=channel, channel_ref=reference).exists()


def _limit_keys(request: Request) -> list[str]:
    return [f"api:appeals:account:{request.user.pk}"]


def _check_appeal_limit(request: Request) -> None:
    """Per API account: POLICY APPEALS_PER_CLIENT_PER_HOUR registrations an hour, then a 429 with Retry-After."""
    usage = current_usage(_limit_keys(request), window_seconds=APPEALS_WINDOW_SECONDS)
    if usage.count >= policy("APPEALS_PER_CLIENT_PER_HOUR"):
        raise exceptions.Throttled(
            wait=usage.retry_after,
            detail=_("Too many appeals from this account in one hour (at most %(limit)d).")
            % {"limit": policy("APPEALS_PER_CLIENT_PER_HOUR")},
        )


def _references(data: dict[str, Any]) -> dict[str, Any]:
    """Service, organisation and territory by their public identifiers; unknown ones are a 400."""
    found: dict[str, Any] = {}
    errors: dict[str, list[Any]] = {}
    lookups = [
        ("service", Service.objects.filter(is_active=True), "slug"),
        ("organisation", Organisation.objects.filter(is_active=True), "code"),
        ("territory", Territory.objects.all(), "kato"),
    ]
    for field, queryset, key in lookups:
        value = data.get(field)
        found[field] = queryset.filter(**{key: value}).first() if value else None
        if value and found[field] is None:
            errors[field] = [_("Not found: check the identifier.")]
    if errors:
        raise ValidationError(errors)
    return found


class AppealDetailView(AppealsAPIView):
    serializer_class = api.AppealDetailSerializer

    @extend_schema(
        summary="One appeal with its history",
        description="Contacts in clear; the read is recorded in the audit log.",
        responses={200: api.AppealDetailSerializer},
    )
    def get(self, request: Request, number: str) -> Response:
        return self.detail_response(self.visible_appeal(number))


class AnswerView(AppealsAPIView):
    serializer_class = api.AnswerSerializer

    @extend_schema(
        summary="Answer the appeal",
        description="Web and e-mail appeals with an address get the answer by e-mail, in their language.",
        request=api.AnswerSerializer,
        responses={200: api.AppealDetailSerializer, 400: VALIDATION_ERROR},
    )
    def post(self, request: Request, number: str) -> Response:
        appeal = self.visible_appeal(number)
        incoming = api.AnswerSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        slugs = incoming.validated_data["articles"]
        articles = list(Article.objects.filter(slug__in=slugs))
        if len(articles) != len(set(slugs)):
            raise ValidationError({"articles": [_("Some of these articles do not exist.")]})
        services.answer_appeal(
            appeal=appeal, answer=incoming.validated_data["answer"], actor=request.user, articles=articles
        )
        return self.detail_response(appeal)


class ReferView(AppealsAPIView):
    serializer_class = api.ReferSerializer

    @extend_schema(
        summary="Refer the citizen to the competent organisation",
        description="The contacts given are stored on the appeal (by default the organisation's, from the directory).",
        request=api.ReferSerializer,
        responses={200: api.AppealDetailSerializer, 400: VALIDATION_ERROR},
    )
    def post(self, request: Request, number: str) -> Response:
        appeal = self.visible_appeal(number)
        incoming = api.ReferSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        organisation = Organisation.objects.filter(code=data["organisation"], is_active=True).first()
        if organisation is None:
            raise ValidationError({"organisation": [_("Not found: check the identifier.")]})
        services.refer_appeal(
            appeal=appeal, organisation=organisation, contacts=data["contacts"], note=data["note"], actor=request.user
        )
        return self.detail_response(appeal)


class CloseView(AppealsAPIView):
    serializer_class = api.EmptySerializer

    @extend_schema(
        summary="Close the appeal",
        description="Only an answered or referred appeal can be closed.",
        request=None,
        responses={200: api.AppealDetailSerializer, 400: VALIDATION_ERROR},
    )
    def post(self, request: Request, number: str) -> Response:
        appeal = self.visible_appeal(number)
        services.close_appeal(appeal=appeal, actor=request.user)
        return self.detail_response(appeal)
