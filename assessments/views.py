"""The county page's "recompute now": the month so far, recomputed on demand."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from assessments import tasks
from assessments.forms import (
    InterimRefreshForm,
)
from policing.celery import enqueue_on_commit
from policing.scope import Role
from policing.views import BureauPageMixin
from stations.models import Bureau

INTERIM_QUEUED = _(
    "The ranking of {month} is being recomputed; reload the page in a minute."
)


class InterimRefreshView(BureauPageMixin, View):
    """The county page's "recompute now" for a month not stored yet."""

    def post(self, request):
        superuser = self.scope.role is Role.SUPERUSER
        form = InterimRefreshForm(
            request.POST, bureaus=Bureau.objects.all() if superuser else None
        )
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("dashboards:county")
        bureau = form.cleaned_data.get("bureau") or Bureau.objects.get(
            pk=self.scope.bureau_id
        )
        month = form.cleaned_data["month"]
        enqueue_on_commit(tasks.refresh_interim_assessment, bureau.pk, str(month))
        messages.success(request, INTERIM_QUEUED.format(month=month))
        query = {"month": str(month)}
        if superuser:
            query["bureau"] = bureau.pk
        return redirect(f"{reverse('dashboards:county')}?{urlencode(query)}")
