"""What every dashboard map needs from the server: base layer and words.

The maps themselves are drawn by ``static/js/dashboard.js`` from GeoJSON the
pages embed with ``json_script``.
"""

import shapely
import shapely.geometry
from django.conf import settings
from django.utils.translation import gettext as _

from disputes.models import Colour, Status
from policing import geometry
from stations.models import Post


def config() -> dict:
    """The base layer and default view, from ``LEAFLET_CONFIG``.

    Without a tiles address (the default: an intranet has no tile server)
    the map is a plain background under the grid polygons.
    """
    leaflet = settings.LEAFLET_CONFIG
    return {
        "tiles": [
            {"name": str(name), "url": url, "options": options}
            for name, url, options in leaflet["TILES"]
        ],
        "center": list(leaflet["DEFAULT_CENTER"]),
        "zoom": leaflet["DEFAULT_ZOOM"],
        "max_zoom": leaflet["MAX_ZOOM"],
    }


def labels() -> dict:
    """The words the dashboard maps draw: legend, popups, colours."""
    return {
        "completion": _("Quota completion this week"),
        "no_staff": _("No tracked staff"),
        "bins": [_("under 50%"), "50-80%", "80-100%", _("target met")],
        "grids": _("Grids"),
        "posts": _("Posts"),
        "disputes": _("Open disputes"),
        "overdue": _("overdue"),
        "open_grid": _("Open the grid's page"),
        "open_dispute": _("Open the dispute"),
        "colours": {value: str(label) for value, label in Colour.choices},
        "statuses": {value: str(label) for value, label in Status.choices},
        "post_kinds": {value: str(label) for value, label in Post.Kind.choices},
    }


#: The zoom level a page's map draws its polygons for (issue 27, item 1): the
#: dashboards show a station or a bureau (a grid is then a few hundred
#: pixels wide at most), a grid's page one grid. Zooming in further shows the
#: simplified outline.
DASHBOARD_ZOOM, GRID_ZOOM = 14, 17
#: Polygons with fewer vertices are sent as stored: simplifying them would
#: cost more time than the bytes it saves.
SIMPLIFY_ABOVE = 200


def feature_collection(features, *, zoom: int = DASHBOARD_ZOOM) -> dict:
    """A GeoJSON FeatureCollection of ``(geometry, properties)`` pairs.

    Pairs without a geometry (a household never located) are left out.
    Polygons are simplified for display at ``zoom`` (:func:`for_display`).
    """
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": for_display(geometry, zoom=zoom),
                "properties": properties,
            }
            for geometry, properties in features
            if geometry
        ],
    }


def for_display(value: dict, *, zoom: int) -> dict:
    """A (Multi)Polygon simplified to half a screen pixel at ``zoom``.

    A Web-Mercator tile is 256 pixels wide and spans 360 / 2**zoom degrees
    of longitude; shapely's ``simplify`` (Douglas-Peucker, topology kept)
    drops the vertices closer than that to the outline. Other geometries,
    and small polygons, are returned as they are.
    """
    if geometry.vertex_count(value) <= SIMPLIFY_ABOVE:
        return value
    tolerance = 360 / (256 * 2**zoom) / 2
    simplified = shapely.simplify(
        geometry.to_shape(value), tolerance, preserve_topology=True
    )
    return shapely.geometry.mapping(simplified)


def bbox_centre(grid) -> dict | None:
    """The centre of a grid's bounding box, where an unlocated marker goes."""
    if grid.min_lon is None:
        return None
    return point((grid.min_lon + grid.max_lon) / 2, (grid.min_lat + grid.max_lat) / 2)


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
