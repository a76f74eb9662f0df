from django.urls import path

from portal import complaints, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("search/suggest/", views.suggest, name="suggest"),
    path("services/category/<slug:code>/", views.category, name="category"),
    path("services/<slug:slug>/", views.service, name="service"),
    path("articles/<slug:slug>/", views.article, name="article"),
    path("appeal/", views.appeal_new, name="appeal_new"),
    path("appeal/done/<str:number>/", views.appeal_done, name="appeal_done"),
    path("track/", views.track, name="track"),
    path("complaints/", complaints.complaint_about, name="complaint_about"),
    path("complaints/new/<slug:kind>/", complaints.complaint_new, name="complaint_new"),
    path("complaints/sign/<uuid:token>/", complaints.complaint_sign, name="complaint_sign"),
    path("complaints/submit/", complaints.complaint_submit, name="complaint_submit"),
    path("complaints/done/<str:number>/", complaints.complaint_done, name="complaint_done"),
]
