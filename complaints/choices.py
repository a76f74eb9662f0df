from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintKind(models.TextChoices):
    """Clauses 13-15: the two types of complaint, each with its own required fields."""

    SERVICE_ORDER = "service_order", _("Order of service or non-compliance with the service standard")
    OFFICIAL_CONDUCT = "official_conduct", _("Actions or inaction of officials of a state body or service center")


class SignatureStatus(models.TextChoices):
    VALID = "valid", _("Signature valid")
    PENDING = "pending", _("Signature verification pending")
    INVALID = "invalid", _("Signature not valid")


class ComplaintStatus(models.TextChoices):
    PENDING_VERIFICATION = "pending_verification", _("Signature verification pending")
    IN_TRIAGE = "in_triage", _("Registered, awaiting routing")
    DELIVERED = "delivered", _("Delivered to the competent body")
    PASSED_ON = "passed_on", _("Passed on to another body")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


# Complaints a body still has to answer (the clock runs); triage ones wait for a supervisor.
OPEN_STATUSES = frozenset({ComplaintStatus.IN_TRIAGE, ComplaintStatus.DELIVERED, ComplaintStatus.PASSED_ON})
ANSWERABLE_STATUSES = frozenset({ComplaintStatus.DELIVERED, ComplaintStatus.PASSED_ON})

STATUS_COLOURS: dict[str, str] = {
    ComplaintStatus.PENDING_VERIFICATION: "grey",
    ComplaintStatus.IN_TRIAGE: "orange",
    ComplaintStatus.DELIVERED: "blue",
    ComplaintStatus.PASSED_ON: "purple",
    ComplaintStatus.ANSWERED: "green",
    ComplaintStatus.CLOSED: "grey",
}


class RoutingTarget(models.TextChoices):
    """Where a routing rule sends the complaints it matches (clause 16)."""

    ORGANISATION = "organisation", _("The organisation named in the rule")
    RESPONSIBLE_BODY = "responsible_body", _("The service's responsible body")
    LOCAL_AKIMAT = "local_akimat", _("The local executive body (akimat) of the territory")
    SERVICE_CENTER = "service_center", _("The public service center of the territory")


class RoutingBasis(models.TextChoices):
    """How a complaint found its body, as shown to staff."""

    RULE = "rule", _("Routing rule")
    SERVICE = "service", _("The service's responsible body")
    ORGANISATION = "organisation", _("The organisation named in the complaint")
    TERRITORY = "territory", _("The akimat of the territory")
    SUPERVISOR = "supervisor", _("Assigned by a supervisor")
    PASSED_ON = "passed_on", _("Passed on by a body")
    NONE = "", _("Not routed")


class ComplaintEventKind(models.TextChoices):
    FILED = "filed", _("Filed with a valid signature")
    FILED_PENDING = "filed_pending", _("Filed; signature verification pending")
    VERIFIED = "verified", _("Signature verified")
    SIGNATURE_REFUSED = "signature_refused", _("Signature refused on re-verification")
    ROUTED = "routed", _("Delivered to the competent body")
    TRIAGE = "triage", _("Sent to the supervisors' triage list")
    ASSIGNED = "assigned", _("Assigned by a supervisor")
    PASSED_ON = "passed_on", _("Passed on to another body")
    ANSWERED = "answered", _("Answered")
    ACKNOWLEDGED = "acknowledged", _("Acknowledgement sent to the citizen")
    ANSWER_SENT = "answer_sent", _("Answer sent to the citizen")
    REMINDER = "reminder", _("Reminder sent to the body")
    ESCALATED = "escalated", _("Overdue: escalated to supervisors")
