"""Shapes of the public knowledge API: query parameters in, published articles and search hits out."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from knowledge.choices import ContentOrigin, Language
from knowledge.models import Article, ArticleTranslation
from knowledge.search import MAX_QUERY_CHARS
from knowledge.selectors import translation_for

MAX_SEARCH_LIMIT = 50


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=MAX_QUERY_CHARS,
        help_text=_("Words to look for, in Kazakh or Russian (Kazakh letters may be typed without their marks)."),
        error_messages={
            "required": _("Type what you are looking for (parameter q)."),
            "blank": _("Type what you are looking for (parameter q)."),
            "max_length": _("The query is too long: at most {max_length} characters."),
        },
    )
    lang = serializers.ChoiceField(
        choices=Language.choices,
        default=Language.KAZAKH,
        help_text=_("Language of the query: results in it come first."),
        error_messages={"invalid_choice": _("Choose kk or ru.")},
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=MAX_SEARCH_LIMIT,
        default=10,
        error_messages={
            "invalid": _("The limit must be a whole number from 1 to 50."),
            "min_value": _("The limit must be a whole number from 1 to 50."),
            "max_value": _("The limit must be a whole number from 1 to 50."),
        },
    )


class SearchHitSerializer(serializers.Serializer):
    title = serializers.CharField()
    snippet = serializers.CharField(help_text=_("An excerpt as HTML: escaped text with the matches in <mark>."))
    slug = serializers.CharField(help_text=_("The article's identifier."))
    language = serializers.ChoiceField(choices=Language.choices)
    service_slug = serializers.CharField(allow_null=True, help_text=_("The egov.kz identifier of the service."))
    score = serializers.FloatField()


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    language = serializers.ChoiceField(choices=Language.choices)
    repaired = serializers.CharField(
        allow_null=True,
        help_text=_(
            "The query as understood when it differs from what was typed (wrong keyboard layout, Latin "
            "letters): show it as “did you mean”."
        ),
    )
    used_fuzzy = serializers.BooleanField(help_text=_("Some words were unknown and matched allowing typos."))
    count = serializers.IntegerField()
    results = SearchHitSerializer(many=True)


class ArticleListQuerySerializer(serializers.Serializer):
    service = serializers.CharField(
        required=False, max_length=100, help_text=_("Only the article about this service (egov.kz identifier).")
    )
    lang = serializers.ChoiceField(
        choices=Language.choices,
        required=False,
        help_text=_("Only articles published in this language, with their title in it."),
        error_messages={"invalid_choice": _("Choose kk or ru.")},
    )


class ArticleSummarySerializer(serializers.ModelSerializer):
    service_slug = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField()
    languages = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = ["slug", "service_slug", "title", "language", "languages"]

    def _translation(self, article: Article) -> ArticleTranslation | None:
        return translation_for(article, self.context.get("language") or Language.KAZAKH)[0]

    def get_service_slug(self, article: Article) -> str | None:
        return article.service.slug if article.service else None

    def get_title(self, article: Article) -> str:
        translation = self._translation(article)
        return translation.title if translation else ""

    @extend_schema_field(serializers.ChoiceField(choices=Language.choices))
    def get_language(self, article: Article) -> str:
        translation = self._translation(article)
        return translation.language if translation else ""

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Language.choices)))
    def get_languages(self, article: Article) -> list[str]:
        return [translation.language for translation in article.translations.all()]


class TranslationSerializer(serializers.ModelSerializer):
    content_origin = serializers.ChoiceField(
        choices=ContentOrigin.choices,
        help_text=_("source: the official egov.kz text; translated or written: by the contact center."),
    )
    content_origin_label = serializers.CharField(source="get_content_origin_display")
    version = serializers.SerializerMethodField()

    class Meta:
        model = ArticleTranslation
        fields = ["language", "title", "body", "content_origin", "content_origin_label", "published_at", "version"]

    def get_version(self, translation: ArticleTranslation) -> int | None:
        return translation.published_version.number if translation.published_version else None


class ServiceBriefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name_kk = serializers.CharField()
    name_ru = serializers.CharField()
    url_kk = serializers.URLField()
    url_ru = serializers.URLField()


class ArticleDetailSerializer(serializers.ModelSerializer):
    service = ServiceBriefSerializer(allow_null=True)
    translations = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = ["slug", "service", "review_due", "translations"]

    @extend_schema_field(TranslationSerializer(many=True))
    def get_translations(self, article: Article) -> list[dict[str, Any]]:
        order = {code: index for index, code in enumerate(Language.values)}
        translations = sorted(article.translations.all(), key=lambda item: order.get(item.language, 99))
        return cast(list[dict[str, Any]], TranslationSerializer(translations, many=True).data)
