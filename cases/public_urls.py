"""The public progress page of a case's parties: ``/track/`` (G-PII7)."""

from django.urls import path

from cases.public import TrackView

app_name = "track"

urlpatterns = [
    path("", TrackView.as_view(), name="query"),
]
