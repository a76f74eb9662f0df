from django.urls import path
from django.views.generic import TemplateView

app_name = "workspace"
# Placeholder routes; the workspace pages replace them.
urlpatterns = [
    path("", TemplateView.as_view(template_name="base.html"), name="desk"),
    path("appeals/", TemplateView.as_view(template_name="base.html"), name="appeal_list"),
]
