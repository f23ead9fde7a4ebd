"""A Leaflet map widget for GeoJSON stored in a JSONField, without GDAL.

django-leaflet's own ``LeafletWidget`` derives from GeoDjango's widget, which
needs the GDAL system library at import time (django-leaflet#336). This widget
renders django-leaflet's ``leaflet/widget.html`` with the context that widget
expects, so Leaflet.draw and leaflet.forms.js work unchanged.
"""

import json

from django import forms
from django.templatetags.static import static
from django.utils.text import slugify
from leaflet import PLUGIN_FORMS, PLUGINS, app_settings


class GeoJSONMapWidget(forms.Widget):
    template_name = "policing/map_widget.html"  # extends leaflet/widget.html
    map_srid = 4326

    def __init__(self, geom_type: str = "Geometry", attrs=None, csp_nonce=None):
        super().__init__(attrs)
        self.geom_type = geom_type
        # leaflet/widget.html's inline scripts run only with the request's
        # Content-Security-Policy nonce.
        self.csp_nonce = csp_nonce

    @property
    def media(self):
        return forms.Media(
            js=[
                "leaflet/leaflet.js",
                "leaflet/leaflet.extras.js",
                *PLUGINS[PLUGIN_FORMS]["js"],
            ],
            css={
                "screen": [
                    "leaflet/leaflet.css",
                    "leaflet/leaflet.extras.css",
                    "leaflet/leaflet_django.css",  # gives the map its size
                    *PLUGINS[PLUGIN_FORMS]["css"],
                ]
            },
        )

    def format_value(self, value):
        # leaflet.forms.js parses the textarea: an empty one means "no
        # geometry", while "null" would throw.
        if value in (None, "", "null"):
            return ""
        return value if isinstance(value, str) else json.dumps(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        map_id_css = slugify(context["widget"]["attrs"].get("id", name))
        map_id = map_id_css.replace("-", "_")
        context["widget"]["attrs"].update(
            geom_name=self.geom_type, map_srid=self.map_srid
        )
        context.update(
            id_css=map_id_css,
            module=f"geodjango_{map_id}",
            id_map=f"{map_id_css}-map",
            id_map_callback=f"{map_id}_map_callback",
            loadevent=app_settings.get("LOADEVENT"),
            modifiable=True,
            target_map=None,
            settings_overrides={},
            geometry_field_class="L.GeometryField",
            field_store_class="L.FieldStore",
            serialized=self.format_value(value),
            display_raw=False,
            with_forms=True,
            FORCE_IMAGE_PATH=static("leaflet/images/")
            if app_settings["FORCE_IMAGE_PATH"]
            else False,
            reset_view_icon=static("leaflet/images/reset-view.png"),
            csp_nonce=self.csp_nonce,
        )
        return context
