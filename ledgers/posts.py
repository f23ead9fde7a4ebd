"""The posts ledger (警务室): one row a post, keyed by its station and name.

The 服务社区 column lists the areas the post serves, by name, within the
post's station.
"""

import re

from django.utils.translation import gettext as _
from import_export import fields

from grids.models import Area
from ledgers.base import (
    ChoiceWidget,
    LedgerResource,
    TextWidget,
    centimetres,
    point_of,
    station_of,
)
from ledgers.models import LedgerEntity
from stations.models import Post, Station

AREA_SEPARATORS = re.compile(r"[、,，;；/\uff0f\s]+")  # \uff0f: a full-width slash


class PostResource(LedgerResource):
    """Posts, matched by station code and name, with the areas they serve."""

    #: the sheet's name in an exported workbook
    sheet_title = "警务室台账"

    entity = LedgerEntity.POSTS
    headers = {
        "派出所编码": ["station", "station code", "派出所"],
        "名称": ["name", "post", "post name", "警务室名称"],
        "类型": ["kind", "type", "post kind"],
        "经度": ["longitude", "lon", "lng", "x"],
        "纬度": ["latitude", "lat", "y"],
        "开放时间": ["opening hours", "hours", "opening_hours"],
        "服务社区": ["serves", "areas", "服务社区村", "服务村社区", "服务区域"],
    }
    required_columns = ["派出所编码", "名称", "类型"]
    example = [
        "530321-01",
        "幸福社区警务室",
        "社区警务室",
        103.8,
        25.49,
        "8:00-18:00",
        "幸福社区、和平社区",
    ]
    key_column = "名称"
    key_attribute = "name"
    resolved_references = ("station",)
    error_columns = {
        "station": "派出所编码",
        "name": "名称",
        "kind": "类型",
        "location": "经度",
        "opening_hours": "开放时间",
        "serves": "服务社区",
    }

    station = fields.Field(column_name="派出所编码")
    name = fields.Field(attribute="name", column_name="名称", widget=TextWidget())
    kind = fields.Field(
        attribute="kind", column_name="类型", widget=ChoiceWidget(Post.Kind)
    )
    longitude = fields.Field(column_name="经度")
    latitude = fields.Field(column_name="纬度")
    opening_hours = fields.Field(
        attribute="opening_hours", column_name="开放时间", widget=TextWidget()
    )
    serves = fields.Field(column_name="服务社区")

    class Meta:
        model = Post
        import_id_fields = ("name",)
        fields = (
            "station",
            "name",
            "kind",
            "longitude",
            "latitude",
            "opening_hours",
            "serves",
        )
        export_order = fields
        skip_html_diff = True

    def natural_key(self, row: dict) -> str:
        station = TextWidget().clean(row.get("派出所编码"))
        return f"{station} {TextWidget().clean(row.get('名称'))}".strip()

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.stations = {s.code: s for s in Station.objects.in_scope_of(self.user)}
        self.areas = {
            (area.station_id, area.name): area.pk
            for area in Area.objects.in_scope_of(self.user).only(
                "pk", "station", "name"
            )
        }
        self.existing = {}
        for post in (
            self.get_queryset().select_related("station").prefetch_related("serves")
        ):
            post._serves = tuple(sorted(area.pk for area in post.serves.all()))
            self.existing[(post.station.code, post.name)] = post

    def get_instance(self, instance_loader, row):
        code = TextWidget().clean(row.get("派出所编码"))
        return self.existing.get((code, TextWidget().clean(row.get("名称"))))

    def resolve(self, instance, row: dict, errors: dict) -> None:
        station = station_of(self.stations, row, errors)
        if station is not None:
            instance.station = station
        location = point_of(row, errors)
        if location is not None or "location" not in errors:
            instance.location = location
        if station is not None and "服务社区" in row:
            names = [
                n
                for n in AREA_SEPARATORS.split(TextWidget().clean(row["服务社区"]))
                if n
            ]
            unknown = [n for n in names if (station.pk, n) not in self.areas]
            if unknown:
                errors["serves"] = [
                    _("No area named %(names)s in station %(station)s.")
                    % {"names": "、".join(unknown), "station": station.code}
                ]
            instance._serves = tuple(
                sorted({self.areas[(station.pk, n)] for n in names if n not in unknown})
            )

    def save_m2m(self, instance, row, **kwargs):
        if "服务社区" in row:
            instance.serves.set(instance._serves)

    @staticmethod
    def values(post) -> tuple:
        return (
            post.station_id,
            post.name,
            post.kind,
            centimetres(post.location),
            post.opening_hours,
            getattr(post, "_serves", ()),
        )

    def dehydrate_station(self, post):
        return post.station.code

    def dehydrate_longitude(self, post):
        return post.location["coordinates"][0] if post.location else ""

    def dehydrate_latitude(self, post):
        return post.location["coordinates"][1] if post.location else ""

    def dehydrate_serves(self, post):
        return "、".join(sorted(area.name for area in post.serves.all()))

    def export_queryset(self):
        return (
            self.get_queryset()
            .select_related("station")
            .prefetch_related("serves")
            .order_by("station__code", "name", "pk")
        )
