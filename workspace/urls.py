from django.urls import path

from workspace import views

app_name = "workspace"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("appeals/<int:pk>/take/", views.appeal_take, name="appeal_take"),
    path("appeals/<int:pk>/answer/", views.appeal_answer, name="appeal_answer"),
    path("appeals/<int:pk>/refer/", views.appeal_refer, name="appeal_refer"),
    path("appeals/<int:pk>/close/", views.appeal_close, name="appeal_close"),
    path("appeals/<int:pk>/reopen/", views.appeal_reopen, name="appeal_reopen"),
    path(
        "appeals/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("appeals/<int:appeal_id>/articles/<int:article_id>/attach/", views.attach_article, name="attach_article"),
    path("referral-contacts/", views.referral_contacts, name="referral_contacts"),
]
