from django.urls import path

from assessments import views
from assessments.reports import views as report_views

app_name = "assessments"

urlpatterns = [
    path("county/refresh/", views.InterimRefreshView.as_view(), name="county-refresh"),
    path("reports/", report_views.ReportDownloadView.as_view(), name="reports"),
    path(
        "reports/jobs/<int:pk>/progress/",
        report_views.ReportJobProgressView.as_view(),
        name="report-progress",
    ),
    path(
        "reports/jobs/<int:pk>/file/",
        report_views.ReportJobFileView.as_view(),
        name="report-file",
    ),
]
