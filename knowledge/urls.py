from django.urls import path

from knowledge import views, vocabulary_views

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("new/", views.article_create, name="article_create"),
    path("review/", views.review_queue, name="review_queue"),
    path("quality/", views.quality, name="quality"),
    path("search-panel/", views.search_panel, name="search_panel"),
    path("vocabulary/", vocabulary_views.vocabulary, name="vocabulary"),
    path("vocabulary/<int:pk>/remove/", vocabulary_views.vocabulary_remove, name="vocabulary_remove"),
    path("gaps/", vocabulary_views.gaps, name="gaps"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/submit/", views.version_submit, name="version_submit"),
    path("versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("versions/<int:pk>/return/", views.version_return, name="version_return"),
    path("<slug:slug>/", views.article_detail, name="article_detail"),
    path("<slug:slug>/edit/", views.article_edit, name="article_edit"),
    path("<slug:slug>/review-due/", views.article_review_due, name="article_review_due"),
    path("<slug:slug>/archive/", views.article_archive, name="article_archive"),
]
