"""E-mails about requests for recordings to the staff involved, in Kazakh then Russian (staff read both)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.urls import reverse

from accounts.choices import Role
from core.mail import bilingual_message

from .models import RecordingRequest

# Who hears of each event: the center's supervisors and administrators work the request; the regulator who
# filed it hears when the package is ready and when the deadline was missed.
AUDIENCE = {
    "registered": {"staff"},
    "reminder": {"staff"},
    "missed": {"staff", "regulator"},
    "ready": {"regulator"},
}


def request_message(request: RecordingRequest, event: str) -> EmailMessage | None:
    recipients = sorted(_recipients(request, AUDIENCE[event]))
    if not recipients:
        return None
    context = {
        "request": request,
        "url": f"{settings.SITE_URL.rstrip('/')}{reverse('recordings:request_detail', args=[request.pk])}",
    }
    return bilingual_message(template=f"recordings/email/request_{event}", context=lambda: context, to=recipients)


def _recipients(request: RecordingRequest, audience: set[str]) -> set[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    found: set[str] = set()
    if "staff" in audience:
        found |= set(users.filter(role__in=[Role.SUPERVISOR, Role.ADMIN]).values_list("email", flat=True))
    if "regulator" in audience and request.filed_by.email and request.filed_by.is_active:
        found.add(request.filed_by.email)
    return found
