from django.urls import path
from django.views.generic import TemplateView

app_name = "directory"
# Placeholder routes; the directory pages replace them.
urlpatterns = [path("", TemplateView.as_view(template_name="base.html"), name="organisation_list")]
