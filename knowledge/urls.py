from django.urls import path
from django.views.generic import TemplateView

app_name = "knowledge"
# Placeholder routes; the knowledge pages replace them.
urlpatterns = [path("", TemplateView.as_view(template_name="base.html"), name="article_list")]
