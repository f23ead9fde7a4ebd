"""Third-party apps under names the admin shows in the user's language.

Apart from ``policing.apps``: Django picks an app's config from its
``apps`` module only while that module defines a single one.
"""

from axes.apps import AppConfig as BaseAxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(BaseAxesConfig):
    """django-axes under a name the admin shows in the user's language."""

    verbose_name = _("Login lockout")


class KnoxConfig(AppConfig):
    """django-rest-knox under a name the admin shows in the user's language."""

    name = "knox"
    verbose_name = _("API tokens")

    def ready(self):
        from knox.models import AuthToken

        # knox's model names itself after its class ("Auth tokens") with no
        # translatable name. The state migrations read is the model's own
        # Meta (``original_attrs``), which this leaves alone.
        AuthToken._meta.verbose_name = _("API token")
        AuthToken._meta.verbose_name_plural = _("API tokens")
