from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.ReportDownloadView.as_view(), name="reports"),
    path(
        "jobs/<int:pk>/progress/",
        views.ReportJobProgressView.as_view(),
        name="report-progress",
    ),
    path("jobs/<int:pk>/file/", views.ReportJobFileView.as_view(), name="report-file"),
]
