from django.urls import path

from knowledge.api import views

urlpatterns = [
    path("knowledge/search/", views.KnowledgeSearchView.as_view(), name="knowledge-search"),
    path("knowledge/articles/", views.PublishedArticleListView.as_view(), name="knowledge-article-list"),
    path("knowledge/articles/<slug:slug>/", views.PublishedArticleDetailView.as_view(), name="knowledge-article"),
]
