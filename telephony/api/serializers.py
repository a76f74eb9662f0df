"""Shapes of the telephony API, for the OpenAPI document and the responses."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from recordings.models import Recording

from ..choices import CallState, EventType
from ..statistics import LiveFigures, QueueFigures


class EventSerializer(serializers.Serializer):
    event_id = serializers.CharField(max_length=200, help_text=_("Unique per edge; a repeat is ignored."))
    type = serializers.ChoiceField(choices=EventType.choices)
    call_id = serializers.CharField(max_length=200)
    occurred_at = serializers.DateTimeField(help_text=_("ISO 8601 with an offset."))
    data = serializers.DictField(  # type: ignore[assignment]
        required=False, help_text=_("Per type, see docs/telephony-api.md.")
    )


class EventBatchSerializer(serializers.Serializer):
    events = EventSerializer(many=True, help_text=_("At most 100; a single event object is accepted too."))


class AcceptedSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()


class QueuePositionSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=CallState.choices)
    position = serializers.IntegerField(allow_null=True)
    expected_wait_s = serializers.IntegerField(allow_null=True)


class RecordingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recording
        fields = ["id", "sha256", "size_bytes", "duration_seconds", "audio_format", "started_at", "ended_at"]


class QueueFiguresSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    offered = serializers.IntegerField()
    answered = serializers.IntegerField()
    abandoned = serializers.IntegerField()
    answered_within_target = serializers.IntegerField()
    asa_seconds = serializers.FloatField(allow_null=True)
    longest_wait_seconds = serializers.FloatField(allow_null=True)
    service_level = serializers.FloatField(allow_null=True)
    abandonment_rate = serializers.FloatField(allow_null=True)


class LiveFiguresSerializer(serializers.Serializer):
    window = QueueFiguresSerializer()
    waiting_now = serializers.IntegerField()
    longest_waiting_now_seconds = serializers.FloatField(allow_null=True)
    consultants = serializers.DictField(child=serializers.IntegerField())
    target_seconds = serializers.IntegerField()
    alert_level = serializers.ChoiceField(choices=["green", "amber", "red"])


def figures_payload(figures: QueueFigures) -> dict[str, Any]:
    return {
        name: getattr(figures, name)
        for name in QueueFiguresSerializer._declared_fields  # type: ignore[attr-defined]
    }


def live_payload(live: LiveFigures) -> dict[str, Any]:
    return {
        "window": figures_payload(live.window),
        "waiting_now": live.waiting_now,
        "longest_waiting_now_seconds": live.longest_waiting_now_seconds,
        "consultants": live.consultants,
        "target_seconds": live.target_seconds,
        "alert_level": live.alert_level,
    }
