from django.urls import path

from telephony.api import views

urlpatterns = [
    path("telephony/events/", views.EventsView.as_view(), name="api-telephony-events"),
    path("telephony/recordings/", views.RecordingUploadView.as_view(), name="api-telephony-recordings"),
    path(
        "telephony/calls/<str:call_id>/queue/", views.QueuePositionView.as_view(), name="api-telephony-queue-position"
    ),
    path("telephony/live/", views.LiveFiguresView.as_view(), name="api-telephony-live"),
]
