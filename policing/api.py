"""The ``/api/v1/`` routes: every CRUD resource of SPEC §4 and every metric,
assessment and report endpoint, each app's views registered here."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from assessments.api import QuotaMetricsView
from assessments.assessment_api import (
    AssessmentComputeView,
    AssessmentPublishView,
    AssessmentView,
)
from assessments.reports.api import MonthlyReportView
from assessments.reports.trends_api import TrendsView
from cases.api import CaseViewSet
from cases.metrics_api import CaseMetricsView
from cases.public_api import TrackQueryApi, TrackRatingApi
from disputes.api import DisputeViewSet
from disputes.metrics_api import DisputeMetricsView
from grids.api import AreaViewSet, GridViewSet, HouseholdViewSet, ResidentViewSet
from grids.metrics_api import CoverageMetricsView
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
    path("metrics/quotas/", QuotaMetricsView.as_view(), name="metrics-quotas"),
    path("metrics/disputes/", DisputeMetricsView.as_view(), name="metrics-disputes"),
    path("metrics/cases/", CaseMetricsView.as_view(), name="metrics-cases"),
    path("assessments/", AssessmentView.as_view(), name="assessment-list"),
    path(
        "assessments/compute/",
        AssessmentComputeView.as_view(),
        name="assessment-compute",
    ),
    path(
        "assessments/publish/",
        AssessmentPublishView.as_view(),
        name="assessment-publish",
    ),
    path("metrics/coverage/", CoverageMetricsView.as_view(), name="metrics-coverage"),
    path("metrics/trends/", TrendsView.as_view(), name="metrics-trends"),
    path("reports/monthly/", MonthlyReportView.as_view(), name="reports-monthly"),
    path("track/", TrackQueryApi.as_view(), name="track-query"),
    path("track/rating/", TrackRatingApi.as_view(), name="track-rating"),
    *router.urls,
]
