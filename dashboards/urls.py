from django.urls import path

from dashboards import households, station_lists, views

app_name = "dashboards"

urlpatterns = [
    path("field/", views.MyWeekView.as_view(), name="my_week"),
    path("grids/<int:pk>/", views.GridDetailView.as_view(), name="grid"),
    path(
        "households/<int:pk>/",
        households.HouseholdDetailView.as_view(),
        name="household",
    ),
    path(
        "residents/<int:pk>/", households.ResidentDetailView.as_view(), name="resident"
    ),
    path("stations/", views.OwnStationView.as_view(), name="own_station"),
    path("stations/<int:pk>/", views.StationDashboardView.as_view(), name="station"),
    path(
        "stations/<int:pk>/behind/",
        station_lists.BehindListView.as_view(),
        name="station_behind",
    ),
    path(
        "stations/<int:pk>/contacts-due/",
        station_lists.ContactsDueListView.as_view(),
        name="station_contacts_due",
    ),
    path("county/", views.CountyDashboardView.as_view(), name="county"),
]
