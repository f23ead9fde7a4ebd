from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("", views.MyWeekView.as_view(), name="my_week"),
    path("visits/new/", views.VisitFormView.as_view(), name="visit_create"),
]
