from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo county and the benchmark city: generators, not the product."""

    name = "demo"
    verbose_name = _("Demo data")
