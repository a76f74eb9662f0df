from django.urls import path

from recordings import request_views, views

app_name = "recordings"
urlpatterns = [
    path("<int:pk>/", views.player, name="player"),
    path("<int:pk>/listen/", views.listen, name="listen"),
    path("requests/", request_views.request_list, name="request_list"),
    path("requests/new/", request_views.request_new, name="request_new"),
    path("requests/report/", request_views.request_report, name="request_report"),
    path("requests/<int:pk>/", request_views.request_detail, name="request_detail"),
    path("requests/<int:pk>/confirm/", request_views.request_confirm, name="request_confirm"),
    path("requests/<int:pk>/retry/", request_views.request_retry, name="request_retry"),
    path("requests/<int:pk>/download/", request_views.request_download, name="request_download"),
    path("requests/<int:pk>/letter/", request_views.request_letter, name="request_letter"),
    path("packages/<str:token>/", request_views.package, name="package"),
]
