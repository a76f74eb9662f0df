from django.urls import path
from django.views.generic import TemplateView

app_name = "portal"
# Placeholder routes; the portal pages replace them.
urlpatterns = [
    path("", TemplateView.as_view(template_name="base.html"), name="home"),
    path("appeal/", TemplateView.as_view(template_name="base.html"), name="appeal_new"),
    path("track/", TemplateView.as_view(template_name="base.html"), name="track"),
]
