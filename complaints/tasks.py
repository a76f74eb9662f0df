"""Background work of complaints. Tasks take ids, call a service, and are safe to run twice."""

from celery import shared_task
from django.conf import settings

from complaints import services
from core.tasks import MAIL_RETRY


@shared_task(**MAIL_RETRY)
def send_acknowledgement(complaint_id: int) -> bool:
    """Clause 12: the number, the body, the review period and the due date to the citizen; sent once."""
    return services.deliver_acknowledgement(complaint_id=complaint_id)


@shared_task(**MAIL_RETRY)
def send_answer(complaint_id: int) -> bool:
    """The body's answer to the citizen; sent once."""
    return services.deliver_answer(complaint_id=complaint_id)


@shared_task(**MAIL_RETRY)
def send_refusal(complaint_id: int) -> bool:
    """A signature refused on re-verification: the citizen is told why and that nothing was registered for review."""
    return services.deliver_refusal(complaint_id=complaint_id)


@shared_task(**MAIL_RETRY)
def notify_staff(complaint_id: int, event: str) -> bool:
    """A complaint delivered to a body, a reminder to its officers, or an overdue one to supervisors."""
    from complaints.models import Complaint
    from complaints.notifications import staff_message

    complaint = Complaint.objects.select_related("routed_to").filter(pk=complaint_id).first()
    message = staff_message(complaint, event) if complaint is not None else None
    if message is None:
        return False
    message.send()
    return True


@shared_task
def reverify_pending() -> dict[str, int]:
    """Signatures left pending (a stale CRL, no trust roots yet) verified again."""
    return services.reverify_pending()


@shared_task
def watch_complaint_deadlines() -> dict[str, int]:
    """Reminders before each complaint's due time; escalation when overdue."""
    return services.watch_complaint_deadlines()


@shared_task
def refresh_crls() -> list[str]:
    """Downloads the CRLs named by EDS_CRL_URLS into EDS_CRL_DIR (nothing when none is configured)."""
    if not settings.EDS_CRL_URLS:
        return []
    from complaints.eds.trust import refresh_crls as refresh

    return [f"{result.url}: {'ok' if result.ok else 'failed'} {result.detail}" for result in refresh()]
