"""Public knowledge API: search and the published articles (kk first, then ru)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import PUBLIC
from knowledge.api.serializers import (
    ArticleDetailSerializer,
    ArticleListQuerySerializer,
    ArticleSummarySerializer,
    SearchHitSerializer,
    SearchQuerySerializer,
    SearchResponseSerializer,
)
from knowledge.models import Article
from knowledge.search import search
from knowledge.selectors import published_articles

TAGS = ["knowledge"]


class KnowledgeSearchView(APIView):
    allowed_roles = {PUBLIC}

    @extend_schema(
        tags=TAGS,
        parameters=[SearchQuerySerializer],
        responses={200: SearchResponseSerializer, 400: OpenApiResponse(description="Empty or too long query.")},
        summary="Search the knowledge base",
        description="Published articles for the query, best first; one hit per article, in the query's language "
        "when it has a text in it. Kazakh typed without its special letters or in Latin letters, the wrong keyboard "
        "layout and typos are understood; `repaired` is the query as understood when it differs (did you mean).",
    )
    def get(self, request: Request) -> Response:
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query, language = params.validated_data["q"], params.validated_data["lang"]
        found = search(query=query, language=language, limit=params.validated_data["limit"], channel="api")
        results = SearchHitSerializer(found.hits, many=True).data
        return Response(
            {
                "query": query,
                "language": language,
                "repaired": found.repaired,
                "used_fuzzy": found.used_fuzzy,
                "count": len(results),
                "results": results,
            }
        )


class PublishedArticleListView(generics.ListAPIView):
    allowed_roles = {PUBLIC}
    serializer_class = ArticleSummarySerializer

    @extend_schema(tags=TAGS, parameters=[ArticleListQuerySerializer], summary="Published articles")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def _filters(self) -> dict[str, Any]:
        params = ArticleListQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data

    def get_queryset(self) -> QuerySet[Article]:
        filters = self._filters()
        articles = published_articles().order_by("slug")
        if filters.get("service"):
            articles = articles.filter(service__slug=filters["service"])
        if filters.get("lang"):
            articles = articles.filter(translations__language=filters["lang"])
        return articles

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["language"] = self.request.query_params.get("lang")
        return context


class PublishedArticleDetailView(generics.RetrieveAPIView):
    allowed_roles = {PUBLIC}
    serializer_class = ArticleDetailSerializer
    lookup_field = "slug"

    @extend_schema(tags=TAGS, summary="A published article in both languages")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Article]:
        return published_articles()
