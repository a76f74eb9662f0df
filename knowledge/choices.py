from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    KAZAKH = "kk", _("Kazakh")
    RUSSIAN = "ru", _("Russian")


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Returned to the author")
    SUPERSEDED = "superseded", _("Superseded")


class ContentOrigin(models.TextChoices):
    SOURCE = "source", _("Official text (egov.kz)")
    TRANSLATED = "translated", _("Translated by the center")
    WRITTEN = "written", _("Written by the center")
