from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsultantState(models.TextChoices):
    """Where a consultant is on the phone line. The consultant sets ready, break and offline; the rest follow calls."""

    READY = "ready", _("Ready")
    RINGING = "ringing", _("Ringing")
    TALKING = "talking", _("Talking")
    WRAP_UP = "wrap_up", _("Wrap-up")
    BREAK = "break", _("Break")
    OFFLINE = "offline", _("Offline")


# States a consultant may choose in the workspace.
CHOOSABLE_STATES = frozenset({ConsultantState.READY, ConsultantState.BREAK, ConsultantState.OFFLINE})
# States in which a consultant is on a call and may not walk away from it by a click.
ON_CALL_STATES = frozenset({ConsultantState.RINGING, ConsultantState.TALKING})

STATE_COLOURS: dict[str, str] = {
    ConsultantState.READY: "green",
    ConsultantState.RINGING: "orange",
    ConsultantState.TALKING: "blue",
    ConsultantState.WRAP_UP: "purple",
    ConsultantState.BREAK: "grey",
    ConsultantState.OFFLINE: "grey",
}


class BreakReason(models.TextChoices):
    CHOSEN = "chosen", _("Chosen by the consultant")
    MISSED_CALL = "missed_call", _("Did not answer a call")


class CallState(models.TextChoices):
    IVR = "ivr", _("In the voice menu")
    QUEUED = "queued", _("Waiting in the queue")
    RINGING = "ringing", _("Ringing a consultant")
    CONNECTED = "connected", _("Talking to a consultant")
    AFTER_TALK = "after_talk", _("Rating the conversation")
    ENDED = "ended", _("Ended")


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    ABANDONED = "abandoned", _("Abandoned in the queue")
    ENDED_IN_IVR = "ended_in_ivr", _("Ended in the voice menu")


class EventType(models.TextChoices):
    CALL_OFFERED = "call.offered", _("Call offered")
    LANGUAGE_CHOSEN = "call.language_chosen", _("Language chosen")
    CALL_QUEUED = "call.queued", _("Queued")
    CONSULTANT_ALERTED = "consultant.alerted", _("Consultant alerted")
    CONSULTANT_NO_ANSWER = "consultant.no_answer", _("Consultant did not answer")
    CALL_CONNECTED = "call.connected", _("Connected")
    TRANSFER_REQUESTED = "transfer.requested", _("Transfer requested")
    TRANSFER_ANNOUNCED = "transfer.announced", _("Transfer warning played")
    TRANSFER_COMPLETED = "transfer.completed", _("Transfer completed")
    CONSULTANT_LEFT = "consultant.left", _("Consultant left the call")
    RECORDING_READY = "recording.ready", _("Recording ready")
    RATING_GIVEN = "rating.given", _("Rating given")
    CALL_ENDED = "call.ended", _("Call ended")


class EndedBy(models.TextChoices):
    CALLER = "caller", _("Caller")
    CONSULTANT = "consultant", _("Consultant")
    SYSTEM = "system", _("System")


class CommandType(models.TextChoices):
    CONNECT = "connect", _("Connect to a consultant")
    TRANSFER = "transfer", _("Transfer with a warning")
    HANGUP = "hangup", _("Hang up")


class CommandStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    REJECTED = "rejected", _("Rejected by the edge")
