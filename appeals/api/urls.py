from django.urls import path

from appeals.api import views

urlpatterns = [
    path("appeals/", views.AppealListCreateView.as_view(), name="api-appeal-list"),
    path("appeals/<str:number>/", views.AppealDetailView.as_view(), name="api-appeal-detail"),
    path("appeals/<str:number>/answer/", views.AnswerView.as_view(), name="api-appeal-answer"),
    path("appeals/<str:number>/refer/", views.ReferView.as_view(), name="api-appeal-refer"),
    path("appeals/<str:number>/close/", views.CloseView.as_view(), name="api-appeal-close"),
]
