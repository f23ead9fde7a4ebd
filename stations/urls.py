from django.urls import path

from stations import views

app_name = "stations"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="notifications"),
    path(
        "<int:pk>/open/", views.NotificationOpenView.as_view(), name="notification_open"
    ),
    path("read/", views.NotificationReadAllView.as_view(), name="notifications_read"),
]
