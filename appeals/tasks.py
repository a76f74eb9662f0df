"""Background work of the registry. Tasks take ids, call a service, and are safe to run twice."""

from celery import shared_task

from appeals import services
from core.tasks import MAIL_RETRY


@shared_task(**MAIL_RETRY)
def send_acknowledgement(appeal_id: int) -> bool:
    """The registration number and tracking link to the citizen (clause 8); sent once."""
    return services.deliver_acknowledgement(appeal_id=appeal_id)


@shared_task(**MAIL_RETRY)
def send_acknowledgements(appeal_ids: list[int]) -> int:
    """The acknowledgements of appeals registered together (a batch of e-mail); each sent once."""
    return services.deliver_acknowledgements(appeal_ids=appeal_ids)


@shared_task(**MAIL_RETRY)
def send_answer(appeal_id: int, answered_event_id: int) -> bool:
    """The consultant's answer to a web or e-mail appeal; sent once per answer."""
    return services.deliver_answer(appeal_id=appeal_id, answered_event_id=answered_event_id)
