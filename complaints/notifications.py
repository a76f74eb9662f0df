"""E-mails about complaints: to the citizen in the complaint's language, to staff in Kazakh then Russian."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.choices import Role
from appeals.notifications import tracking_url_for
from complaints.eds.verifier import MESSAGES, Reason
from complaints.models import Complaint
from core.mail import bilingual_message
from core.policy import policy


def tracking_url(complaint: Complaint) -> str:
    """The portal page where the citizen follows the complaint (the appeals' tracking page finds complaints too)."""
    return tracking_url_for(number=complaint.number, language=complaint.language)


def acknowledgement_message(complaint: Complaint) -> EmailMessage:
    """Clause 12: the number, the body it went to, the review period and the due date."""
    return _citizen_message(complaint, "acknowledgement")


def answer_message(complaint: Complaint) -> EmailMessage:
    return _citizen_message(complaint, "answer")


def refusal_message(complaint: Complaint) -> EmailMessage:
    return _citizen_message(complaint, "refusal")


def _citizen_message(complaint: Complaint, name: str) -> EmailMessage:
    with translation.override(complaint.language):
        context: dict[str, Any] = {
            "complaint": complaint,
            "body": complaint.routed_to.name if complaint.routed_to else "",
            "review_days": policy("COMPLAINT_REVIEW_WORKING_DAYS")[complaint.kind],
            "tracking_url": tracking_url(complaint),
            "phone_numbers": policy("PHONE_NUMBERS"),
            "refusal": str(MESSAGES[Reason(complaint.signature_reason)]) if name == "refusal" else "",
        }
        subject = render_to_string(f"complaints/email/{name}_subject.txt", context)
        body = render_to_string(f"complaints/email/{name}_body.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        to=[complaint.email],
        headers={"Auto-Submitted": "auto-generated", "X-Bailanys-Complaint": complaint.number},
    )


def staff_message(complaint: Complaint, event: str) -> EmailMessage | None:
    """ "delivered" and "reminder" to the routed body's officers; "overdue" to the center's supervisors."""
    recipients = sorted(_recipients(complaint, event))
    if not recipients:
        return None
    url = f"{settings.SITE_URL.rstrip('/')}{reverse('complaints:detail', args=[complaint.pk])}"
    return bilingual_message(
        template=f"complaints/email/staff_{event}",
        context=lambda: {
            "complaint": complaint,
            "url": url,
            "body": complaint.routed_to.name if complaint.routed_to else "",
        },
        to=recipients,
        headers={"X-Bailanys-Complaint": complaint.number},
    )


def _recipients(complaint: Complaint, event: str) -> set[str]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    if event == "overdue":
        chosen = users.filter(role__in=[Role.SUPERVISOR, Role.ADMIN])
    elif complaint.routed_to_id is not None:
        chosen = users.filter(role=Role.ORG_OFFICER, organisation_id=complaint.routed_to_id)
    else:
        chosen = users.none()
    return set(chosen.values_list("email", flat=True))
