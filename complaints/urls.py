from django.urls import path

from complaints import views

app_name = "complaints"

urlpatterns = [
    # Staff pages live under the desk (desk/complaints/); the portal's complaints/ pages are the citizens'.
    path("", views.complaint_list, name="list"),
    path("triage/", views.triage_list, name="triage"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/pass-on/", views.pass_on, name="pass_on"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/files/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/evidence/<str:part>/", views.evidence, name="evidence"),
]
