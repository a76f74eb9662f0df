from django.urls import path

from telephony import views

app_name = "telephony"
urlpatterns = [
    path("phone-bar/", views.phone_bar, name="phone_bar"),
    path("state/", views.set_state, name="set_state"),
    path("appeals/<int:appeal_pk>/transfer/", views.transfer_panel, name="transfer_panel"),
    path("calls/<int:pk>/transfer/", views.call_transfer, name="call_transfer"),
    path("wallboard/", views.wallboard, name="wallboard"),
    path("lines/", views.line_list, name="line_list"),
]
