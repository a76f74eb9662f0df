"""Listening to recordings in the browser: supervisors and administrators, every access and refusal audited."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from audit.services import record_personal_data_read

from .access import LISTENERS, hidden_unless
from .models import Recording
from .streaming import ranged_response

CONTENT_TYPES = {"wav": "audio/wav"}


def _recording(kwargs: dict[str, Any]) -> Recording | None:
    return Recording.objects.filter(pk=kwargs.get("pk", 0)).first()


def _visible_recording(request: HttpRequest, pk: int) -> Recording:
    return get_object_or_404(Recording.objects.visible_to(request.user).select_related("call", "consultant"), pk=pk)


@hidden_unless(LISTENERS, target=_recording)
@require_safe
def player(request: HttpRequest, pk: int) -> HttpResponse:
    recording = _visible_recording(request, pk)
    record_personal_data_read(actor=request.user, target=recording, fields=["caller_phone"])
    return render(request, "recordings/player.html", {"recording": recording})


@hidden_unless(LISTENERS, target=_recording, sign_in_first=False)
@require_safe
def listen(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The audio, whole or by byte range (players seek with Range requests)."""
    recording = _visible_recording(request, pk)
    name = recording.file.name or ""
    if recording.deleted_at is not None or not name:
        raise Http404
    storage = recording.file.storage
    try:
        size = storage.size(name)
        stream: Any = storage.open(name, "rb")
    except OSError as exc:
        raise Http404 from exc
    record_personal_data_read(actor=request.user, target=recording, fields=["audio"])
    response = ranged_response(
        request,
        stream,
        size=size,
        content_type=CONTENT_TYPES.get(recording.audio_format, "application/octet-stream"),
        etag=f'"{recording.sha256}"',
    )
    response["Cache-Control"] = "private, no-cache"
    return response
