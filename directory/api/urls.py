from django.urls import path, re_path

from directory.api import views

urlpatterns = [
    path("organisations/", views.OrganisationList.as_view(), name="api-organisation-list"),
    path("organisations/<int:pk>/", views.OrganisationDetail.as_view(), name="api-organisation-detail"),
    path("services/", views.ServiceList.as_view(), name="api-service-list"),
    path("services/<slug:slug>/", views.ServiceDetail.as_view(), name="api-service-detail"),
    path("service-categories/", views.ServiceCategoryList.as_view(), name="api-service-category-list"),
    path("territories/", views.TerritoryList.as_view(), name="api-territory-list"),
    re_path(r"^territories/(?P<kato>\d{9})/$", views.TerritoryDetail.as_view(), name="api-territory-detail"),
]
