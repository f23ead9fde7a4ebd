"""The ``/api/v1/`` router: every CRUD resource of SPEC §4 is registered here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from cases.api import CaseViewSet
from cases.public_api import TrackQueryApi, TrackRatingApi
from disputes.api import DisputeViewSet
from grids.api import AreaViewSet, GridViewSet, HouseholdViewSet, ResidentViewSet
from policing.auth import ObtainTokenView
from stations.api import (
    AssignmentViewSet,
    BureauViewSet,
    PersonViewSet,
    PostViewSet,
    StationViewSet,
)
from visits.api import (
    InspectionViewSet,
    PatrolViewSet,
    ServiceViewSet,
    VenueViewSet,
    VisitViewSet,
)

router = DefaultRouter()
router.register("bureaus", BureauViewSet)
router.register("stations", StationViewSet)
router.register("posts", PostViewSet)
router.register("areas", AreaViewSet)
router.register("grids", GridViewSet)
router.register("persons", PersonViewSet)
router.register("assignments", AssignmentViewSet)
router.register("households", HouseholdViewSet)
router.register("residents", ResidentViewSet)
router.register("visits", VisitViewSet)
router.register("patrols", PatrolViewSet)
router.register("venues", VenueViewSet)
router.register("inspections", InspectionViewSet)
router.register("services", ServiceViewSet)
router.register("disputes", DisputeViewSet)
router.register("cases", CaseViewSet)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("", include("assessments.api")),
    path("track/", TrackQueryApi.as_view(), name="track-query"),
    path("track/rating/", TrackRatingApi.as_view(), name="track-rating"),
    *router.urls,
]
