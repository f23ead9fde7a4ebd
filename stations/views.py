"""The notification list: what the workflows asked a member of staff to look at."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from policing.views import StaffPageMixin
from stations.models import Notification

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
