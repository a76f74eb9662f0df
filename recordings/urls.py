from django.urls import path

from recordings import views

app_name = "recordings"
urlpatterns = [
    path("<int:pk>/", views.player, name="player"),
    path("<int:pk>/listen/", views.listen, name="listen"),
]
