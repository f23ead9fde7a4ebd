from django.contrib import admin

from assessments.models import QuotaPolicy
from policing.admin import ScopedModelAdmin


@admin.register(QuotaPolicy)
class QuotaPolicyAdmin(ScopedModelAdmin):
    list_display = [
        "bureau",
        "household_visits",
        "info_items",
        "patrol_hours",
        "grid_days",
    ]
