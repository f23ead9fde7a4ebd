from django.urls import path

from stations import views

app_name = "stations"

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/<int:pk>/open/",
        views.NotificationOpenView.as_view(),
        name="notification_open",
    ),
    path(
        "notifications/read/",
        views.NotificationReadAllView.as_view(),
        name="notifications_read",
    ),
]
