from django.urls import path

from grids import views

app_name = "grids"

urlpatterns = [
    path("<int:pk>/", views.GridDetailView.as_view(), name="detail"),
]
