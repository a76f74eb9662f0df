from django.urls import path

from complaints.api import views

urlpatterns = [
    path("complaints/", views.ComplaintListView.as_view(), name="api-complaint-list"),
    path("complaints/<str:number>/", views.ComplaintDetailView.as_view(), name="api-complaint-detail"),
    path("complaints/<str:number>/answer/", views.AnswerView.as_view(), name="api-complaint-answer"),
    path("complaints/<str:number>/pass-on/", views.PassOnView.as_view(), name="api-complaint-pass-on"),
]
