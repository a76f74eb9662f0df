"""Request and response shapes of the appeals API."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from appeals.attachments import refusal_text
from appeals.choices import AppealEventKind, AttachmentRefusal, Channel
from appeals.models import Appeal, AppealAttachment, AppealEvent
from appeals.notifications import tracking_url
from core.masking import mask_email, mask_name, mask_phone
from knowledge.choices import Language

if TYPE_CHECKING:
    from accounts.models import User
    from directory.models import Organisation, Service, Territory


class AppealRegistrationSerializer(serializers.Serializer):
    """A new appeal: its subject and text, the citizen's contacts (written channels need a phone or an e-mail),
    and optionally the public service, organisation and territory it concerns."""

    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        help_text=_("Staff only; integration clients always register on the API channel."),
    )
    subject = serializers.CharField(max_length=300, allow_blank=True)
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text=_("At most 20,000 characters unless the operator set another limit; empty only for phone calls."),
    )
    language = serializers.ChoiceField(choices=Language.choices, required=False, default=Language.KAZAKH)
    citizen_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text=_("Any way of writing the number; stored in E.164 (+77011234567)."),
    )
    email = serializers.CharField(required=False, allow_blank=True, default="", max_length=254)
    iin = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    service = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text=_("The public service's egov.kz identifier."),
    )
    organisation = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=50, help_text=_("The organisation's code.")
    )
    territory = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=9, help_text=_("The KATO code.")
    )
    received_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("When the citizen sent it (default: now); not in the future."),
    )


class AppealRegistrationWithFilesSerializer(AppealRegistrationSerializer):
    """A new appeal with the files the citizen sent (multipart/form-data). Files over the limits are not a 400:
    the appeal is registered and each refused file is listed in the answer with the reason."""

    attachments = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        required=False,
        default=list,
        help_text=_(
            "Files sent with the appeal, one form part each under this name (multipart/form-data only). The type is "
            "read from the content: PDF, pictures, office documents and text are accepted, at most 10 files of 20 MB "
            "each unless the operator set other limits."
        ),
    )


class AttachmentSerializer(serializers.ModelSerializer):
    """A file sent with the appeal: accepted (and stored), or refused with the reason."""

    accepted = serializers.BooleanField(read_only=True)
    refusal = serializers.ChoiceField(choices=AttachmentRefusal.choices, read_only=True, allow_blank=True)
    refusal_reason = serializers.SerializerMethodField(
        help_text=_("Why it was not accepted, in the request's language.")
    )

    class Meta:
        model = AppealAttachment
        fields = ["filename", "content_type", "size", "accepted", "refusal", "refusal_reason"]
        read_only_fields = fields

    def get_refusal_reason(self, attachment: AppealAttachment) -> str:
        return refusal_text(attachment.refusal) if attachment.refusal else ""


class AppealRegisteredSerializer(serializers.ModelSerializer):
    """What the caller gets back after registering: the number, where the citizen follows it, and the files."""

    created = serializers.SerializerMethodField()
    tracking_url = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Appeal
        fields = ["number", "channel", "status", "language", "received_at", "created", "tracking_url", "attachments"]
        read_only_fields = fields

    def get_created(self, appeal: Appeal) -> bool:
        return bool(self.context.get("created", False))

    def get_tracking_url(self, appeal: Appeal) -> str:
        return tracking_url(appeal)


class AppealListSerializer(serializers.ModelSerializer):
    """A row of the registry: contacts masked."""

    phone = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    citizen_name = serializers.SerializerMethodField()
    service: serializers.SlugRelatedField[Service] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Appeal
        fields = [
            "number",
            "channel",
            "status",
            "language",
            "subject",
            "citizen_name",
            "phone",
            "email",
            "service",
            "organisation",
            "received_at",
            "first_response_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_phone(self, appeal: Appeal) -> str:
        return mask_phone(appeal.phone) if appeal.phone else ""

    def get_email(self, appeal: Appeal) -> str:
        return mask_email(appeal.email)

    def get_citizen_name(self, appeal: Appeal) -> str:
        return mask_name(appeal.citizen_name)


class AppealEventSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=AppealEventKind.choices, read_only=True)
    actor: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = AppealEvent
        fields = ["kind", "at", "actor", "from_status", "to_status", "note"]
        read_only_fields = fields


class AppealDetailSerializer(serializers.ModelSerializer):
    """The whole appeal, contacts in clear (the read is audited)."""

    service: serializers.SlugRelatedField[Service] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    referral_organisation: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    territory: serializers.PrimaryKeyRelatedField[Territory] = serializers.PrimaryKeyRelatedField(read_only=True)
    assigned_to: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    # With many=True, DRF's RelatedField.__new__ returns a ManyRelatedField; the stubs cannot express it.
    articles = cast(
        serializers.ManyRelatedField, serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    )
    events = AppealEventSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Appeal
        fields = [
            "number",
            "channel",
            "status",
            "language",
            "subject",
            "text",
            "citizen_name",
            "phone",
            "email",
            "iin",
            "service",
            "organisation",
            "territory",
            "assigned_to",
            "answer",
            "articles",
            "referral_organisation",
            "referral_contacts",
            "received_at",
            "first_response_at",
            "closed_at",
            "events",
            "attachments",
        ]
        read_only_fields = fields


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True, trim_whitespace=False)
    articles = serializers.ListField(
        child=serializers.SlugField(max_length=120),
        required=False,
        default=list,
        max_length=50,
        help_text=_("Identifiers (slugs) of the knowledge articles used."),
    )


class ReferSerializer(serializers.Serializer):
    organisation = serializers.CharField(max_length=50, help_text=_("The organisation's code."))
    contacts = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text=_("Contacts given to the citizen; by default the organisation's contacts from the directory."),
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class EmptySerializer(serializers.Serializer):
    pass
