from django.contrib import admin

from assessments.models import AssessmentPolicy, QuotaPolicy
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


@admin.register(AssessmentPolicy)
class AssessmentPolicyAdmin(ScopedModelAdmin):
    list_display = [
        "bureau",
        "visibility_weight",
        "familiarity_weight",
        "incident_rate_weight",
        "information_weight",
        "effectiveness_weight",
        "satisfaction_weight",
        "incident_target_per_10k",
    ]
