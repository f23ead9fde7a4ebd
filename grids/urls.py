from django.urls import path

from grids import views

app_name = "grids"

urlpatterns = [
    path(
        "residents/<int:pk>/reveal/",
        views.ResidentRevealView.as_view(),
        name="resident_reveal",
    ),
]
