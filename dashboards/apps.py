from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Composed pages and read models over every domain app."""

    name = "dashboards"
    verbose_name = _("Dashboards")
