from django.urls import path

from disputes import views

app_name = "disputes"

urlpatterns = [
    path("", views.DisputeBoardView.as_view(), name="board"),
    path("new/", views.DisputeReportView.as_view(), name="report"),
    path("<int:pk>/", views.DisputeDetailView.as_view(), name="detail"),
    path(
        "<int:pk>/agreement.pdf",
        views.AgreementPdfView.as_view(),
        name="agreement_pdf",
    ),
]
