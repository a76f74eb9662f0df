"""Listening to recordings in the browser: supervisors and administrators, every access and refusal audited."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from accounts.choices import Role
from accounts.permissions import user_has_any_role
from audit.choices import AuditKind
from audit.services import record_event, record_personal_data_read

from .models import Recording
from .streaming import ranged_response

LISTENERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
CONTENT_TYPES = {"wav": "audio/wav"}


def listeners_only(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Supervisors and administrators only; anyone else is refused as if the recording did not exist.

    Anonymous users are sent to sign in, other roles get a 404; each refusal is audited.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, pk: int) -> HttpResponseBase:
        if not user_has_any_role(request.user, LISTENERS):
            record_event(
                action="recordings.access_denied",
                kind=AuditKind.DENIED,
                actor=request.user,
                target=Recording.objects.filter(pk=pk).first(),
                details={"recording": pk, "path": request.path},
            )
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise Http404
        return view(request, pk)

    wrapper.allowed_roles = LISTENERS  # type: ignore[attr-defined]
    return wrapper


def _visible_recording(request: HttpRequest, pk: int) -> Recording:
    return get_object_or_404(Recording.objects.visible_to(request.user).select_related("call", "consultant"), pk=pk)


@listeners_only
@require_safe
def player(request: HttpRequest, pk: int) -> HttpResponse:
    recording = _visible_recording(request, pk)
    record_personal_data_read(actor=request.user, target=recording, fields=["caller_phone"])
    return render(request, "recordings/player.html", {"recording": recording})


@listeners_only
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
