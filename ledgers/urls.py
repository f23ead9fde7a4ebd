from django.urls import path

from ledgers import views

app_name = "ledgers"

# Under /ledgers/ (policing/urls.py), the paths they had in grids.
urlpatterns = [
    path("", views.LedgerView.as_view(), name="ledgers"),
    path("<int:pk>/", views.LedgerImportView.as_view(), name="ledger_import"),
    path(
        "<int:pk>/progress/",
        views.LedgerImportProgressView.as_view(),
        name="ledger_progress",
    ),
    path(
        "export/<str:entity>.<str:file_format>",
        views.LedgerExportView.as_view(),
        name="ledger_export",
    ),
    path(
        "template/<str:entity>.<str:file_format>",
        views.LedgerTemplateView.as_view(),
        name="ledger_template",
    ),
]
