from django.urls import path

from accounts import views
from accounts.choices import ALL_STAFF
from accounts.permissions import role_required

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", role_required(*ALL_STAFF)(views.PasswordChangeView.as_view()), name="password_change"),
    path("home/", views.home, name="home"),
]
