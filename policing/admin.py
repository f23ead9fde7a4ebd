"""Shared admin pieces."""

from django.contrib import admin
from django.db import models

from policing.widgets import GeoJSONMapWidget


class MapAdmin(admin.ModelAdmin):
    """ModelAdmin drawing the geometry fields named in ``map_fields`` on a map.

    ``map_fields`` maps a field name to the geometry type to draw
    ("Point", "Polygon", "Geometry").
    """

    map_fields: dict[str, str] = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.JSONField) and db_field.name in self.map_fields:
            kwargs["widget"] = GeoJSONMapWidget(
                geom_type=self.map_fields[db_field.name]
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)
