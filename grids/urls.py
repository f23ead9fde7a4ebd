from django.urls import path

from grids import ledger_views, views

app_name = "grids"

urlpatterns = [
    path(
        "residents/<int:pk>/reveal/",
        views.ResidentRevealView.as_view(),
        name="resident_reveal",
    ),
    path("ledgers/", ledger_views.LedgerView.as_view(), name="ledgers"),
    path(
        "ledgers/<int:pk>/",
        ledger_views.LedgerImportView.as_view(),
        name="ledger_import",
    ),
    path(
        "ledgers/<int:pk>/progress/",
        ledger_views.LedgerImportProgressView.as_view(),
        name="ledger_progress",
    ),
    path(
        "ledgers/export/<str:entity>.<str:file_format>",
        ledger_views.LedgerExportView.as_view(),
        name="ledger_export",
    ),
    path(
        "ledgers/template/<str:entity>.<str:file_format>",
        ledger_views.LedgerTemplateView.as_view(),
        name="ledger_template",
    ),
]
