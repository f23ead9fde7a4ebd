"""The households ledger (实有房屋): one row a dwelling, keyed by its standard address.

A row names its grid by code, or gives a point (经度, 纬度) and the grid
covering it is found, among the requester's grids only.
"""

from django.utils.translation import gettext as _
from import_export import fields
from shapely import STRtree

from grids.models import Grid, Household
from ledgers.base import (
    LedgerResource,
    NumberWidget,
    TextWidget,
    centimetres,
    point_of,
)
from ledgers.models import LedgerEntity
from policing import geometry


class HouseholdResource(LedgerResource):
    """Households, matched by standard address."""

    #: the sheet's name in an exported workbook
    sheet_title = "住户台账"

    entity = LedgerEntity.HOUSEHOLDS
    headers = {
        "标准地址": ["address", "standard address", "地址", "房屋地址"],
        "网格编码": ["grid", "grid code", "网格", "网格代码"],
        "经度": ["longitude", "lon", "lng", "x"],
        "纬度": ["latitude", "lat", "y"],
        "户内人数": ["members", "member count", "member_count", "人数"],
    }
    required_columns = ["标准地址"]
    example = ["城关镇幸福社区建设路1号1单元101室", "", 103.8, 25.49, 3]
    key_column = "标准地址"
    key_attribute = "address"
    resolved_references = ("grid",)
    error_columns = {
        "address": "标准地址",
        "grid": "网格编码",
        "location": "经度",
        "member_count": "户内人数",
    }

    address = fields.Field(
        attribute="address", column_name="标准地址", widget=TextWidget()
    )
    grid = fields.Field(column_name="网格编码")
    longitude = fields.Field(column_name="经度")
    latitude = fields.Field(column_name="纬度")
    member_count = fields.Field(
        attribute="member_count",
        column_name="户内人数",
        widget=NumberWidget(),
        default=1,
    )

    class Meta:
        model = Household
        import_id_fields = ("address",)
        fields = ("address", "grid", "longitude", "latitude", "member_count")
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        grids = list(
            Grid.objects.in_scope_of(self.user).values_list("pk", "code", "boundary")
        )
        self.grids_by_code = {code: pk for pk, code, _boundary in grids}
        self.grid_ids = [pk for pk, _code, _boundary in grids]
        self.tree = STRtree([geometry.to_shape(boundary) for *_k, boundary in grids])
        self.existing = {
            household.address: household
            for household in self.get_queryset().only(
                "pk", "address", "grid_id", "location", "member_count"
            )
        }

    def get_instance(self, instance_loader, row):
        return self.existing.get(self.natural_key(row))

    def resolve(self, instance, row: dict, errors: dict) -> None:
        location = point_of(row, errors)
        if location is not None:
            instance.location = location
        code = TextWidget().clean(row.get("网格编码"))
        if code:
            if code not in self.grids_by_code:
                errors["grid"] = [
                    _("No grid with code %(code)s in your scope.") % {"code": code}
                ]
            else:
                instance.grid_id = self.grids_by_code[code]
        elif location is not None:
            hits = self.tree.query(geometry.to_shape(location), predicate="covered_by")
            if len(hits) == 0:
                errors["location"] = [
                    _("This location is not inside any grid of your scope.")
                ]
            else:
                instance.grid_id = min(self.grid_ids[i] for i in hits)
        elif instance.grid_id is None and "location" not in errors:
            errors["grid"] = [_("Give the grid code or the location (经度, 纬度).")]

    @staticmethod
    def values(household) -> tuple:
        return (
            household.address,
            household.grid_id,
            centimetres(household.location),
            household.member_count,
        )

    def dehydrate_grid(self, household):
        return household.grid.code

    def dehydrate_longitude(self, household):
        return household.location["coordinates"][0] if household.location else ""

    def dehydrate_latitude(self, household):
        return household.location["coordinates"][1] if household.location else ""

    def export_queryset(self):
        return (
            self.get_queryset()
            .select_related("grid")
            .order_by("grid__code", "address", "pk")
        )
