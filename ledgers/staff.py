"""The staff ledger: one row a person, with the grid or post they work on now.

A person is matched by badge number, or by station, name and phone.
"""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields

from grids.models import Grid
from ledgers.base import (
    ChoiceWidget,
    DateCellWidget,
    LedgerResource,
    TextWidget,
    YesNoWidget,
    label_in,
    station_of,
)
from ledgers.models import LedgerEntity
from policing.phones import mask_phone
from policing.scope import CHIEFS_BY_BUREAU, Role, appoints_chiefs
from stations.models import Assignment, Person, Post, Station


class StaffResource(LedgerResource):
    """Staff, one row a person, with the grid or post they work on now.

    A changed grid or post ends the current assignment the day before the
    new one starts (default: today) and opens the new one, so history is
    kept as the assessments need it.
    """

    #: the sheet's name in an exported workbook
    sheet_title = "警力台账"

    entity = LedgerEntity.STAFF
    headers = {
        "派出所编码": ["station", "station code", "派出所"],
        "姓名": ["name", "full name"],
        "类别": ["kind", "staff kind", "人员类别"],
        "警号": ["badge", "badge number", "badge_number"],
        "联系电话": ["phone", "telephone", "mobile", "电话", "手机"],
        "所长": ["chief", "is chief", "station chief", "is_chief"],
        "网格编码": ["grid", "grid code", "网格"],
        "警务室": ["post", "post name", "警务室（站）", "警务室(站)"],
        "职责": ["role"],
        "起始日期": ["start", "start date", "since", "任职日期"],
    }
    required_columns = ["姓名", "类别"]
    example = [
        "530321-01",
        "李四",
        "民警",
        "012345",
        "13800138000",
        "否",
        "530321-01-01",
        "",
        "责任民警",
        "2026-01-01",
    ]
    key_column = "姓名"
    key_attribute = "name"
    resolved_references = ("station", "bureau")
    error_columns = {
        "station": "派出所编码",
        "bureau": "派出所编码",
        "name": "姓名",
        "kind": "类别",
        "badge_number": "警号",
        "phone": "联系电话",
        "is_chief": "所长",
        "grid": "网格编码",
        "post": "警务室",
        "role": "职责",
        "start": "起始日期",
        "end": "起始日期",
        NON_FIELD_ERRORS: "",
    }

    station = fields.Field(column_name="派出所编码")
    name = fields.Field(attribute="name", column_name="姓名", widget=TextWidget())
    kind = fields.Field(
        attribute="kind", column_name="类别", widget=ChoiceWidget(Person.Kind)
    )
    badge_number = fields.Field(
        attribute="badge_number", column_name="警号", widget=TextWidget()
    )
    phone = fields.Field(attribute="phone", column_name="联系电话", widget=TextWidget())
    is_chief = fields.Field(
        attribute="is_chief", column_name="所长", widget=YesNoWidget()
    )
    grid = fields.Field(column_name="网格编码")
    post = fields.Field(column_name="警务室")
    role = fields.Field(column_name="职责")
    start = fields.Field(column_name="起始日期")

    class Meta:
        model = Person
        import_id_fields = ("name",)
        fields = (
            "station",
            "name",
            "kind",
            "badge_number",
            "phone",
            "is_chief",
            "grid",
            "post",
            "role",
            "start",
        )
        export_order = fields
        skip_html_diff = True

    def natural_key(self, row: dict) -> str:
        name = TextWidget().clean(row.get("姓名"))
        badge = TextWidget().clean(row.get("警号"))
        return f"{name} {badge}".strip() if badge else name

    def identity(self, row: dict):
        badge = TextWidget().clean(row.get("警号"))
        if badge:
            return ("badge", badge)
        return tuple(
            TextWidget().clean(row.get(c)) for c in ("派出所编码", "姓名", "联系电话")
        )

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.stations = {s.code: s for s in Station.objects.in_scope_of(self.user)}
        self.grids = {
            grid.code: grid
            for grid in Grid.objects.in_scope_of(self.user).select_related("area")
        }
        self.posts = {
            (post.station_id, post.name): post
            for post in Post.objects.in_scope_of(self.user)
        }
        current = {}
        for assignment in (
            Assignment.objects.current()
            .filter(person__in=self.get_queryset())
            .order_by("-role", "start", "pk")
        ):  # responsible before assistant
            current.setdefault(assignment.person_id, assignment)
        self.by_badge, self.by_name = {}, {}
        for person in self.get_queryset().select_related("station"):
            person._was_chief = person.is_chief
            person._stored_phone = person.phone
            person._current = current.get(person.pk)
            person._target = _target_of(person._current)
            code = person.station.code if person.station else ""
            if person.badge_number:
                self.by_badge[person.badge_number] = person
            self.by_name[(code, person.name, person.phone)] = person
            # An export's masked phone finds the same person.
            self.by_name.setdefault(
                (code, person.name, mask_phone(person.phone)), person
            )

    def get_instance(self, instance_loader, row):
        identity = self.identity(row)
        if identity[0] == "badge":
            return self.by_badge.get(identity[1])
        return self.by_name.get(identity)

    def resolve(self, instance, row: dict, errors: dict) -> None:
        station = station_of(self.stations, row, errors)
        if station is not None:
            instance.station, instance.bureau_id = station, station.bureau_id
        elif "station" not in errors:
            if self.scope.role is not Role.BUREAU:
                errors["station"] = [_("Give the station's code.")]
            else:
                instance.station, instance.bureau_id = None, self.scope.bureau_id
        instance._target = self.target(row, instance, errors)
        self.keep_masked_phone(instance, row, errors)
        if instance.is_chief != getattr(
            instance, "_was_chief", False
        ) and not appoints_chiefs(self.scope):
            errors["is_chief"] = [str(CHIEFS_BY_BUREAU)]

    def target(self, row: dict, person, errors: dict):
        """The (grid id, post id, role) the row puts the person on, or None."""
        grid_code = TextWidget().clean(row.get("网格编码"))
        post_name = TextWidget().clean(row.get("警务室"))
        if not grid_code and not post_name:
            return getattr(person, "_target", None) if "网格编码" not in row else None
        if grid_code and post_name:
            errors["grid"] = [_("Give a grid or a post, not both.")]
            return None
        try:
            role = ChoiceWidget(Assignment.Role).clean(row.get("职责"))
        except ValueError as error:
            errors["role"] = [str(error)]
            return None
        if not role:
            officer = person.kind == Person.Kind.OFFICER
            role = (
                Assignment.Role.RESPONSIBLE
                if officer and grid_code
                else Assignment.Role.ASSISTANT
            )
        if grid_code:
            grid = self.grids.get(grid_code)
            if grid is None:
                errors["grid"] = [
                    _("No grid with code %(code)s in your scope.") % {"code": grid_code}
                ]
                return None
            return (grid.pk, None, role)
        post = self.posts.get((person.station_id, post_name))
        if post is None:
            errors["post"] = [
                _("No post named %(name)s in the person's station.")
                % {"name": post_name}
            ]
            return None
        return (None, post.pk, role)

    def save_m2m(self, instance, row, **kwargs):
        """Move the person to the row's grid or post, keeping the old posting."""
        current = getattr(instance, "_current", None)
        if instance._target == _target_of(current):
            return
        try:
            start = DateCellWidget().clean(row.get("起始日期")) or timezone.localdate()
        except ValueError as error:
            raise ValidationError({"start": [str(error)]}) from error
        if current is not None:
            current.end = start - datetime.timedelta(days=1)
            if current.end < current.start:
                raise ValidationError(
                    {
                        "start": [
                            _("The current posting began on %(day)s: start after it.")
                            % {"day": current.start.isoformat()}
                        ]
                    }
                )
            current.save(update_fields=["end"])
        if instance._target is not None:
            grid_id, post_id, role = instance._target
            assignment = Assignment(
                person=instance,
                grid_id=grid_id,
                post_id=post_id,
                role=role,
                start=start,
            )
            assignment.full_clean()
            assignment.save()

    @staticmethod
    def values(person) -> tuple:
        return (
            person.station_id,
            person.name,
            person.kind,
            person.badge_number,
            person.phone,
            person.is_chief,
            getattr(person, "_target", None),
        )

    def dehydrate_station(self, person):
        return person.station.code if person.station else ""

    def dehydrate_grid(self, person):
        current = person._current
        return current.grid.code if current and current.grid_id else ""

    def dehydrate_post(self, person):
        current = person._current
        return current.post.name if current and current.post_id else ""

    def dehydrate_role(self, person):
        current = person._current
        return label_in(current.get_role_display(), "zh-hans") if current else ""

    def dehydrate_start(self, person):
        return person._current.start.isoformat() if person._current else ""

    def export_queryset(self):
        current = Assignment.objects.current().select_related("grid", "post")
        people = list(
            self.get_queryset()
            .select_related("station")
            .order_by("station__code", "name", "pk")
        )
        by_person = {}
        for assignment in current.filter(person__in=people).order_by(
            "-role", "start", "pk"
        ):
            by_person.setdefault(assignment.person_id, assignment)
        for person in people:
            person._current = by_person.get(person.pk)
        return people


def _target_of(assignment) -> tuple | None:
    if assignment is None:
        return None
    return (assignment.grid_id, assignment.post_id, assignment.role)
