from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("visits/new/", views.VisitFormView.as_view(), name="visit_create"),
    path(
        "inspections/new/", views.InspectionFormView.as_view(), name="inspection_create"
    ),
    path("services/new/", views.ServiceFormView.as_view(), name="service_create"),
]
