from importlib import import_module

from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _

# django-leaflet's admin module imports GeoDjango, which needs the GDAL system
# library; the project uses its own GDAL-free map widget instead.
ADMIN_DISCOVERY_SKIPS = {"leaflet"}


class PolicingConfig(AppConfig):
    name = "policing"
    verbose_name = _("Grid policing")

    def ready(self):
        # Registered by import: the deployment checks and the session and
        # token lifetime signals.
        from policing import audit_guards, checks, sessions  # noqa: F401
        from policing.validators import guard_geometry_fields, guard_text_fields

        # Audit context append-only, TRUNCATE refused (issue 27, item 5).
        post_migrate.connect(audit_guards.install_after_migrate, sender=self)

        # No control character in any text of the project's own models, no
        # empty GeoJSON as a geometry (issue 27, items 8 and 9): refused on
        # input wherever full_clean runs.
        project_models = [
            model
            for config in apps.get_app_configs()
            if config.name in settings.LOCAL_APPS
            for model in config.get_models()
        ]
        guard_text_fields(project_models)
        guard_geometry_fields(project_models)

        # The admin runs as SimpleAdminConfig, discovering admin modules here.
        for config in apps.get_app_configs():
            if config.name in ADMIN_DISCOVERY_SKIPS:
                continue
            if module_has_submodule(config.module, "admin"):
                import_module(f"{config.name}.admin")
