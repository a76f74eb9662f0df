from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web portal")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")


# Channels on which the citizen writes: they must leave a way to reach them (phone or e-mail).
WRITTEN_CHANNELS = frozenset({Channel.WEB, Channel.EMAIL, Channel.API})
# Channels whose answer is also sent to the citizen by e-mail.
EMAIL_ANSWER_CHANNELS = frozenset({Channel.WEB, Channel.EMAIL})

# One letter per channel in registration numbers.
CHANNEL_LETTERS = {Channel.PHONE: "T", Channel.WEB: "W", Channel.EMAIL: "E", Channel.API: "A"}


class AppealStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    IN_WORK = "in_work", _("In work")
    ANSWERED = "answered", _("Answered")
    REFERRED = "referred", _("Referred to the competent organisation")
    CLOSED = "closed", _("Closed")


# Allowed moves of the lifecycle: registered → in work → answered / referred → closed.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    AppealStatus.REGISTERED: frozenset({AppealStatus.IN_WORK, AppealStatus.ANSWERED, AppealStatus.REFERRED}),
    AppealStatus.IN_WORK: frozenset({AppealStatus.ANSWERED, AppealStatus.REFERRED}),
    AppealStatus.ANSWERED: frozenset({AppealStatus.CLOSED, AppealStatus.IN_WORK}),
    AppealStatus.REFERRED: frozenset({AppealStatus.CLOSED, AppealStatus.IN_WORK}),
    AppealStatus.CLOSED: frozenset(),
}

STATUS_COLOURS: dict[str, str] = {
    AppealStatus.REGISTERED: "blue",
    AppealStatus.IN_WORK: "orange",
    AppealStatus.ANSWERED: "green",
    AppealStatus.REFERRED: "purple",
    AppealStatus.CLOSED: "grey",
}


class AppealEventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    TAKEN = "taken", _("Taken into work")
    ANSWERED = "answered", _("Answered")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    ARTICLE_ATTACHED = "article_attached", _("Article attached")
    ACKNOWLEDGED = "acknowledged", _("Acknowledgement sent")
    ANSWER_SENT = "answer_sent", _("Answer sent to the citizen")
    NOTE = "note", _("Note")
    CITIZEN_WROTE = "citizen_wrote", _("The citizen wrote again")


class AttachmentRefusal(models.TextChoices):
    """Why a file sent with an appeal was not accepted (the citizen is told)."""

    TOO_MANY = "too_many", _("Too many files")
    TOO_LARGE = "too_large", _("File too large")
    EMPTY = "empty", _("Empty file")
    TYPE = "type", _("Type not accepted")
