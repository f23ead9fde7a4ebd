from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("county/refresh/", views.InterimRefreshView.as_view(), name="county-refresh"),
    path("reports/", views.ReportDownloadView.as_view(), name="reports"),
    path(
        "reports/jobs/<int:pk>/progress/",
        views.ReportJobProgressView.as_view(),
        name="report-progress",
    ),
    path(
        "reports/jobs/<int:pk>/file/",
        views.ReportJobFileView.as_view(),
        name="report-file",
    ),
]
