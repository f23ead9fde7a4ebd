"""The notification list: what the workflows asked a member of staff to look at."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from policing.scope import Role, scope_of
from policing.views import StaffPageMixin
from stations import dashboard, maps
from stations.metrics import COVERAGE_LABELS, COVERAGE_RATES
from stations.models import Notification, Station

PAGE_SIZE = 30


class NotificationListView(StaffPageMixin, TemplateView):
    template_name = "stations/notifications.html"

    def get_context_data(self, **kwargs):
        notifications = Notification.objects.for_user(self.request.user)
        page = Paginator(notifications, PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(page=page, **kwargs)


class NotificationOpenView(StaffPageMixin, View):
    """Mark a notification read and go where it points."""

    def post(self, request, pk):
        notification = get_object_or_404(
            Notification.objects.for_user(request.user), pk=pk
        )
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        url = notification.url
        if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
            url = "stations:notifications"
        return redirect(url)


class NotificationReadAllView(StaffPageMixin, View):
    def post(self, request):
        Notification.objects.for_user(request.user).unread().update(
            read_at=timezone.now()
        )
        return redirect("stations:notifications")


class StationPageMixin(StaffPageMixin):
    """A page about a whole station: its chief, bureau staff and superusers.

    Field staff get 404, as for the station's figures in the API.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_of(request.user).role not in (
            Role.CHIEF,
            Role.BUREAU,
            Role.SUPERUSER,
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class OwnStationView(StationPageMixin, View):
    """The chief's landing page: their own station's dashboard."""

    def get(self, request):
        if self.scope.station_id is None:
            raise Http404
        return redirect("stations:dashboard", pk=self.scope.station_id)


class StationDashboardView(StationPageMixin, TemplateView):
    """The station chief's morning page: map, cards, charts, lists to act on."""

    template_name = "stations/dashboard.html"

    def get_context_data(self, **kwargs):
        station = get_object_or_404(
            Station.objects.visible_to(self.request.user).select_related("bureau"),
            pk=self.kwargs["pk"],
        )
        board = dashboard.station_dashboard(station)
        return super().get_context_data(
            board=board,
            coverage_rows=[
                {
                    "label": COVERAGE_LABELS[name],
                    "rate": getattr(board.coverage, name),
                    "target": board.coverage_targets[name],
                }
                for name in COVERAGE_RATES
            ],
            charts={
                "visits_per_day": {
                    "kind": "bar",
                    "categories": [day.isoformat() for day, _n in board.visits_per_day],
                    "series": [
                        {
                            "name": str(_("Visits")),
                            "data": [n for _day, n in board.visits_per_day],
                        }
                    ],
                },
                "completion_per_person": {
                    "kind": "hbar",
                    "percent": True,
                    "categories": [row.person_name for row in board.quotas],
                    "series": [
                        {
                            "name": str(_("Quota completion")),
                            "data": [row.completion for row in board.quotas],
                        }
                    ],
                    "marker": board.expected_completion,
                },
            },
            map_labels=maps.labels(),
            map_config=maps.config(),
            **kwargs,
        )
