"""Knowledge base: bilingual articles, each edit a version, reviewed before publication.

`ArticleTranslation` holds what is published in one language (what citizens and consultants read).
`ArticleVersion` holds every edit: drafted, submitted, reviewed, published or returned.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from knowledge.choices import ContentOrigin, Language, VersionState


class Article(models.Model):
    slug = models.SlugField(_("identifier"), max_length=120, unique=True)
    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("public service"),
    )
    organisations = models.ManyToManyField(
        "directory.Organisation",
        blank=True,
        related_name="articles",
        verbose_name=_("organisations"),
        help_text=_("Officers of these organisations may keep this article current."),
    )
    review_due = models.DateField(_("review due"), null=True, blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["slug"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.slug


class ArticleVersion(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=500)
    body = models.TextField(_("text"))
    content_origin = models.CharField(
        _("origin of the text"), max_length=20, choices=ContentOrigin.choices, default=ContentOrigin.WRITTEN
    )
    state = models.CharField(_("state"), max_length=20, choices=VersionState.choices, default=VersionState.DRAFT)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The published version this edit started from."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("reviewer's note"), blank=True)

    class Meta:
        ordering = ["article", "language", "-number"]
        constraints = [models.UniqueConstraint(fields=["article", "language", "number"], name="unique_version_number")]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")

    def __str__(self) -> str:
        return f"{self.article.slug} [{self.language}] v{self.number}"


class ArticleTranslation(models.Model):
    """The published text of an article in one language."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    title = models.CharField(_("title"), max_length=500)
    body = models.TextField(_("text"))
    content_origin = models.CharField(
        _("origin of the text"), max_length=20, choices=ContentOrigin.choices, default=ContentOrigin.WRITTEN
    )
    published_version = models.ForeignKey(
        ArticleVersion, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    search_text = models.TextField(
        blank=True, editable=False, help_text="Title and text case-folded for the database search backend."
    )

    class Meta:
        ordering = ["article", "language"]
        constraints = [models.UniqueConstraint(fields=["article", "language"], name="one_translation_per_language")]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")

    def __str__(self) -> str:
        return self.title


class SynonymGroup(models.Model):
    """Words and abbreviations that mean the same (ЦОН = ХҚКО = центр обслуживания населения).

    Used when a query is analysed: a query containing one of the phrases also looks for the others.
    One phrase a line, per language.
    """

    terms_kk = models.TextField(_("Kazakh words and abbreviations"), blank=True)
    terms_ru = models.TextField(_("Russian words and abbreviations"), blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("synonym group")
        verbose_name_plural = _("vocabulary")

    def __str__(self) -> str:
        return " = ".join(self.phrases("kk") + self.phrases("ru"))

    def phrases(self, language: str) -> list[str]:
        text = self.terms_kk if language == "kk" else self.terms_ru
        return [line.strip() for line in text.splitlines() if line.strip()]


class SearchGap(models.Model):
    """A query that found nothing good, counted per normalised query, language and channel (no personal data)."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portal")
        DESK = "desk", _("Consultant desk")
        API = "api", _("API")

    normalised_query = models.CharField(_("query"), max_length=200)
    example = models.CharField(_("as typed (masked)"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    count = models.PositiveIntegerField(_("times"), default=1)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        ordering = ["-count", "-last_seen"]
        constraints = [
            models.UniqueConstraint(fields=["normalised_query", "language", "channel"], name="one_gap_per_query")
        ]
        verbose_name = _("knowledge gap")
        verbose_name_plural = _("knowledge gaps")

    def __str__(self) -> str:
        return self.normalised_query
