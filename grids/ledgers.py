"""Ledgers (基础台账): posts, staff, households and residents in xlsx or csv, both ways.

Built on django-import-export's resources: a :class:`LedgerResource` reads a
sheet whose headers may be Chinese or English (:data:`HEADERS`), matches
each row to the record it updates by a natural key (a post's station and
name, a person's badge number or station, name and phone, a household's
standard address, a resident's national ID), validates it like any other write
(``full_clean``; national IDs through the model's checksum and encryption)
and reports per row what it would create, update or leave unchanged, with
every error's row, column and reason. :func:`check` runs it as a dry run,
:func:`apply` for real in one transaction; both run inside the requester's
scope, so a row naming another station's grid or household is an error like
a nonexistent one. Export writes the same headers, so a file round-trips.
"""

import codecs
import csv
import datetime
import io
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import openpyxl
import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.results import RowResult
from shapely import STRtree

from grids import national_id, upload_limits
from grids.models import (
    Area,
    Grid,
    Household,
    LedgerEntity,
    LedgerImportRow,
    Resident,
)
from policing import geometry, spreadsheets
from policing.phones import is_masked, mask_phone
from policing.scope import CHIEFS_BY_BUREAU, Role, appoints_chiefs, scope_of
from policing.validators import (
    CONTROL_CHARACTERS,
    CONTROL_CHARACTERS_REFUSED,
    strip_control_characters,
)
from stations.models import Assignment, Person, Post, Station

#: entity -> {canonical (exported) header: accepted spellings}
HEADERS = {
    LedgerEntity.POSTS: {
        "派出所编码": ["station", "station code", "派出所"],
        "名称": ["name", "post", "post name", "警务室名称"],
        "类型": ["kind", "type", "post kind"],
        "经度": ["longitude", "lon", "lng", "x"],
        "纬度": ["latitude", "lat", "y"],
        "开放时间": ["opening hours", "hours", "opening_hours"],
        "服务社区": ["serves", "areas", "服务社区村", "服务村社区", "服务区域"],
    },
    LedgerEntity.STAFF: {
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
    },
    LedgerEntity.HOUSEHOLDS: {
        "标准地址": ["address", "standard address", "地址", "房屋地址"],
        "网格编码": ["grid", "grid code", "网格", "网格代码"],
        "经度": ["longitude", "lon", "lng", "x"],
        "纬度": ["latitude", "lat", "y"],
        "户内人数": ["members", "member count", "member_count", "人数"],
    },
    LedgerEntity.RESIDENTS: {
        "姓名": ["name", "full name"],
        "身份证号": ["id number", "id_number", "national id", "公民身份号码", "身份证"],
        "联系电话": ["phone", "telephone", "mobile", "电话", "手机", "手机号"],
        "标准地址": ["address", "household", "standard address", "地址", "住址"],
        "重点人员": ["key person", "is_key_person", "是否重点人员"],
        "重点人员类别": [
            "key person category",
            "key_person_category",
            "category",
            "类别",
        ],
    },
}
#: The columns a file must have; the others may be left out.
REQUIRED = {
    LedgerEntity.POSTS: ["派出所编码", "名称", "类型"],
    LedgerEntity.STAFF: ["姓名", "类别"],
    LedgerEntity.HOUSEHOLDS: ["标准地址"],
    LedgerEntity.RESIDENTS: ["姓名", "身份证号", "标准地址"],
}
#: The example row of each downloadable template.
EXAMPLES = {
    LedgerEntity.POSTS: [
        "530321-01",
        "幸福社区警务室",
        "社区警务室",
        103.8,
        25.49,
        "8:00-18:00",
        "幸福社区、和平社区",
    ],
    LedgerEntity.STAFF: [
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
    ],
    LedgerEntity.HOUSEHOLDS: ["城关镇幸福社区建设路1号1单元101室", "", 103.8, 25.49, 3],
    LedgerEntity.RESIDENTS: [
        "张三",
        "11010519491231002X",
        "13800138000",
        "城关镇幸福社区建设路1号1单元101室",
        "否",
        "",
    ],
}

YES = ("是", "yes", "y", "true", "1", "√", "✓")
NO = ("否", "no", "n", "false", "0", "")

Progress = Callable[[int, int], None]


MASKED_PHONE_UNKNOWN = _(
    "A masked phone matches no stored number of this record: give the full number."
)


class LedgerFileError(ValueError):
    """The file as a whole cannot be read: a format, header or size problem."""


@dataclass
class RowOutcome:
    #: the row as seen in the sheet: the header is row 1
    number: int
    action: str  # a LedgerImportRow.Action value
    key: str
    errors: list[dict] = field(default_factory=list)


@dataclass
class Outcome:
    rows: list[RowOutcome]
    warnings: list[str] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        counts = Counter(row.action for row in self.rows)
        return {str(action): counts.get(action, 0) for action in LedgerImportRow.Action}

    @property
    def has_errors(self) -> bool:
        return any(row.action == LedgerImportRow.Action.INVALID for row in self.rows)


#
# Reading files
#


def read_table(content: bytes, file_name: str, entity: str) -> tablib.Dataset:
    """Read an xlsx or csv file into a dataset with canonical headers.

    CSV files are read as UTF-8 (with or without a byte order mark) or, when
    that fails, as GB18030: Excel in Chinese saves CSV in GBK.
    """
    name = file_name.lower()
    try:
        if name.endswith(".xlsx"):
            dataset = _read_xlsx(content)
        elif name.endswith(".csv"):
            dataset = _read_csv(content)
        else:
            raise LedgerFileError(_("Upload an .xlsx or .csv file."))
    except LedgerFileError:
        raise
    except upload_limits.UploadTooLarge as error:
        raise LedgerFileError(str(error)) from None
    except Exception as error:  # openpyxl and csv raise many kinds
        raise LedgerFileError(
            _("The file could not be read as %(format)s: %(reason)s")
            % {"format": name.rsplit(".", 1)[-1], "reason": error}
        ) from error
    dataset.headers = [canonical_header(entity, header) for header in dataset.headers]
    missing = [header for header in REQUIRED[entity] if header not in dataset.headers]
    if missing:
        raise LedgerFileError(
            _("The file lacks the column(s): %(columns)s.")
            % {"columns": "、".join(missing)}
        )
    return dataset


def _read_xlsx(content: bytes) -> tablib.Dataset:
    """The first sheet, read in openpyxl's streaming mode within the bounds.

    The archive's unpacked size is checked before anything is unpacked;
    rows are then read one by one, stopping at the first row or cell past a
    bound (issue 27, item 1).
    """
    upload_limits.check_xlsx_archive(content)
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        rows = book.active.iter_rows(values_only=True)
        return _dataset(rows, empty=lambda value: value in (None, ""))
    finally:
        book.close()


def _read_csv(content: bytes) -> tablib.Dataset:
    upload_limits.check_csv_lines(content)
    reader = csv.reader(io.StringIO(decode_csv(content)))
    # A cell exported as '=… (a formula escaped) reads back as it was stored.
    rows = ([spreadsheets.csv_text(cell) for cell in row] for row in reader)
    return _dataset(rows, empty=lambda value: not value.strip())


def _dataset(rows, *, empty) -> tablib.Dataset:
    """Headers and rows, blank rows left out, each row within the bounds."""
    headers = next(rows, None)
    if not headers:
        raise LedgerFileError(_("The file is empty."))
    headers = list(headers)
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    for number, row in enumerate(rows, start=2):
        if number - 1 > upload_limits.max_rows():
            raise upload_limits.too_many_rows()
        row = list(row)
        for column, value in enumerate(row, start=1):
            upload_limits.check_cell(value, row=number, column=column)
        if all(empty(value) for value in row):
            continue
        dataset.append((row + [""] * width)[:width])
    return dataset


#: Byte order marks, longest first: UTF-8's and UTF-16's (Excel's "Unicode
#: text" saves UTF-16 little-endian with one).
BYTE_ORDER_MARKS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
UNKNOWN_ENCODING = _(
    "The file's text encoding is not recognised: save it as CSV UTF-8 "
    "(or GBK, or UTF-16 with a byte order mark)."
)


def decode_csv(content: bytes) -> str:
    """Return a CSV file's text: UTF-8 or UTF-16 by their byte order mark,
    otherwise UTF-8 and then GB18030 (GBK's superset, which Excel in Chinese
    writes); anything else is refused with :data:`UNKNOWN_ENCODING`
    (issue 27, item 9)."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if content.startswith(mark):
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                raise LedgerFileError(UNKNOWN_ENCODING) from None
    if _looks_like_utf16(content):
        raise LedgerFileError(UNKNOWN_ENCODING)
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerFileError(UNKNOWN_ENCODING)


def _looks_like_utf16(content: bytes) -> bool:
    """UTF-16 without a byte order mark, which UTF-8 and GB18030 would both
    read, wrongly, as text with NULs: its line ends are 0A 00 or 00 0A. (A
    UTF-8 file with a NUL in a cell is read, and the row refused.)"""
    head = content[:4096]
    return b"\x00" in head and (b"\n\x00" in head or b"\x00\n" in head)


def canonical_header(entity: str, header) -> str:
    """Return the exported header a file's header stands for, or it unchanged."""
    text = _normalise(header)
    for canonical, aliases in HEADERS[entity].items():
        if text in {_normalise(canonical), *map(_normalise, aliases)}:
            return canonical
    return str(header or "").strip()


def _normalise(text) -> str:
    # Full-width letters and spaces are common in Chinese sheets: NFKC folds them.
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return text.replace(" ", "").replace("_", "").replace("*", "")


#
# Widgets: strict where import-export is lenient
#


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a phone or code Excel made a number
        return unicodedata.normalize("NFKC", str(value)).strip()


class NumberWidget(widgets.IntegerWidget):
    """Whole numbers, written to the sheet as numbers, not text."""

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else int(value)


class YesNoWidget(widgets.Widget):
    """是/否, yes/no, true/false, 1/0; anything else is an error."""

    def clean(self, value, row=None, **kwargs):
        text = _normalise(value)
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError(_("Write 是 or 否 (yes or no)."))

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ChoiceWidget(widgets.Widget):
    """A choice by its value or its label, in Chinese or English."""

    def __init__(self, choices):
        self.choices = choices
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        text = _normalise(value)
        if not text:
            return ""
        for choice, label in self.choices.choices:
            names = {
                _normalise(choice),
                *(_normalise(_label_in(label, lang)) for lang in ("zh-hans", "en")),
            }
            if text in names:
                return choice
        raise ValueError(
            _("Unknown value %(value)s; use one of: %(choices)s.")
            % {
                "value": value,
                "choices": "、".join(
                    _label_in(label, "zh-hans")
                    for _value, label in self.choices.choices
                ),
            }
        )

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        return _label_in(self.choices(value).label, "zh-hans")


def _label_in(label, language: str) -> str:
    with translation.override(language):
        return str(label)


#
# Resources
#


class LedgerResource(resources.ModelResource):
    """A ledger sheet read and written inside one user's scope."""

    entity: str
    #: the column holding each row's natural key
    key_column: str
    #: model field -> the column its errors are reported under
    error_columns: dict[str, str] = {}

    def __init__(
        self, *, user, progress: Progress | None = None, full_phones: bool = False
    ):
        super().__init__()
        self.user = user
        #: export phones in full (an audited permission); masked otherwise
        self.full_phones = full_phones
        self.scope = scope_of(user)
        self.progress = progress or (lambda done, total: None)
        self.outcomes: list[RowOutcome] = []
        self.duplicates: dict[int, int] = {}
        self.total = 0

    def get_queryset(self):
        return self._meta.model.objects.in_scope_of(self.user)

    def before_import(self, dataset, **kwargs):
        self.total = len(dataset)
        self.duplicates = _repeated([self.natural_key(row) for row in dataset.dict])

    def natural_key(self, row: dict) -> str:
        """What the preview calls the row's record."""
        return TextWidget().clean(row.get(self.key_column))

    def identity(self, row: dict):
        """What makes two rows of a file the same record."""
        return self.natural_key(row)

    def before_import_row(self, row, row_number=None, **kwargs):
        self.refuse_control_characters(row)
        if row_number in self.duplicates:
            raise ValidationError(
                {
                    self.key_attribute: _(
                        "The same record is on row %(first)s: a file may name it once."
                    )
                    % {"first": self.duplicates[row_number] + 1}
                }
            )

    def refuse_control_characters(self, row: dict) -> None:
        """A cell holding a NUL or another control character makes its row
        an error before any lookup uses it (issue 27, item 8)."""
        attributes = {column: name for name, column in self.error_columns.items()}
        errors = {}
        for column, value in row.items():
            if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
                name = attributes.get(column, NON_FIELD_ERRORS)
                errors.setdefault(name, []).append(
                    f"{column}: {CONTROL_CHARACTERS_REFUSED}"
                    if name == NON_FIELD_ERRORS
                    else str(CONTROL_CHARACTERS_REFUSED)
                )
        if errors:
            raise ValidationError(errors)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        self.resolve(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def resolve(self, instance, row: dict, errors: dict) -> None:
        """Set what the widgets cannot (references, points), adding to ``errors``."""

    def dehydrate_phone(self, record) -> str:
        """Masked unless the export is one with full phones (issue 27, item 4)."""
        return record.phone if self.full_phones else mask_phone(record.phone)

    @staticmethod
    def keep_masked_phone(instance, row: dict, errors: dict) -> None:
        """A masked phone from an export leaves the stored number as it is."""
        phone = TextWidget().clean(row.get("联系电话"))
        if not is_masked(phone):
            return
        stored = getattr(instance, "_stored_phone", None)
        if stored is not None and mask_phone(stored) == phone:
            instance.phone = stored
        else:
            errors["phone"] = [str(MASKED_PHONE_UNKNOWN)]

    def validate_instance(self, instance, import_validation_errors=None, **kwargs):
        errors = dict(import_validation_errors or {})
        try:
            # References were resolved inside the scope already; checking
            # them again would cost a query per row and per reference.
            instance.full_clean(
                exclude=[*errors, *self.resolved_references], validate_unique=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or original is None or original.pk is None:
            return False
        return self.values(instance) == self.values(original)

    def import_row(self, row, instance_loader, **kwargs):
        # Recorded here, not in after_import_row(), which a row refused
        # before its instance exists never reaches.
        row_result = super().import_row(row, instance_loader, **kwargs)
        number = kwargs["row_number"]
        self.outcomes.append(
            RowOutcome(
                number=number + 1,
                action=_action(row_result),
                key=strip_control_characters(self.natural_key(row))[:200],
                errors=self.row_errors(row_result),
            )
        )
        step = max(1, self.total // 100)
        if number % step == 0 or number == self.total:
            self.progress(number, self.total)
        return row_result

    def row_errors(self, row_result) -> list[dict]:
        errors = []
        if row_result.validation_error is not None:
            for name, messages in row_result.validation_error.message_dict.items():
                column = self.error_columns.get(name, "")
                if name == NON_FIELD_ERRORS:
                    column = ""
                errors.extend({"column": column, "message": m} for m in messages)
        for error in row_result.errors:
            errors.append({"column": "", "message": str(error.error)})
        return errors


def _action(row_result) -> str:
    return {
        RowResult.IMPORT_TYPE_NEW: LedgerImportRow.Action.NEW,
        RowResult.IMPORT_TYPE_UPDATE: LedgerImportRow.Action.UPDATE,
        RowResult.IMPORT_TYPE_SKIP: LedgerImportRow.Action.SKIP,
    }.get(row_result.import_type, LedgerImportRow.Action.INVALID)


def _repeated(keys: list[str]) -> dict[int, int]:
    """Map the dataset index of each repeated key to its first occurrence."""
    first: dict[str, int] = {}
    repeated = {}
    for index, key in enumerate(keys, 1):
        if not key:
            continue
        if key in first:
            repeated[index] = first[key]
        else:
            first[key] = index
    return repeated


class HouseholdResource(LedgerResource):
    entity = LedgerEntity.HOUSEHOLDS
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
        location = _point(row, errors)
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
            _centimetres(household.location),
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


def _centimetres(location: dict | None) -> tuple | None:
    """A point's position to about a centimetre: a spreadsheet keeps 15
    significant digits, so a stored 30.005000000000003 comes back as 30.005."""
    if not location:
        return None
    return tuple(round(value, 7) for value in location["coordinates"])


def _point(row: dict, errors: dict) -> dict | None:
    """The GeoJSON point of a row's 经度/纬度, None when both are empty."""
    raw = [row.get("经度"), row.get("纬度")]
    if all(value in (None, "") for value in raw):
        return None
    try:
        lon, lat = (float(TextWidget().clean(value)) for value in raw)
    except (TypeError, ValueError):
        errors["location"] = [_("Longitude and latitude must both be numbers.")]
        return None
    point = {"type": "Point", "coordinates": [lon, lat]}
    try:
        geometry.validate_point(point)
    except ValidationError as error:
        errors["location"] = error.messages
        return None
    return point


class ResidentResource(LedgerResource):
    entity = LedgerEntity.RESIDENTS
    key_column = "身份证号"
    key_attribute = "id_number"
    resolved_references = ("household",)
    error_columns = {
        "name": "姓名",
        "id_number": "身份证号",
        "phone": "联系电话",
        "household": "标准地址",
        "is_key_person": "重点人员",
        "key_person_category": "重点人员类别",
    }

    name = fields.Field(attribute="name", column_name="姓名", widget=TextWidget())
    id_number = fields.Field(column_name="身份证号")
    phone = fields.Field(attribute="phone", column_name="联系电话", widget=TextWidget())
    household = fields.Field(column_name="标准地址")
    is_key_person = fields.Field(
        attribute="is_key_person", column_name="重点人员", widget=YesNoWidget()
    )
    key_person_category = fields.Field(
        attribute="key_person_category",
        column_name="重点人员类别",
        widget=ChoiceWidget(Resident.KeyPersonCategory),
    )

    class Meta:
        model = Resident
        import_id_fields = ("id_number",)
        fields = (
            "name",
            "id_number",
            "phone",
            "household",
            "is_key_person",
            "key_person_category",
        )
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        skip_html_diff = True

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        households = Household.objects.in_scope_of(self.user).only("pk", "address")
        self.households = {household.address: household.pk for household in households}
        self.by_hash = {}
        self.by_mask = defaultdict(list)
        residents = (
            self.get_queryset()
            .select_related("household")
            .only(
                "pk",
                "name",
                "id_number_hash",
                "id_number_masked",
                "id_number_encrypted",
                "phone",
                "household_id",
                "household__address",
                "is_key_person",
                "key_person_category",
            )
        )
        for resident in residents:
            resident._stored_phone = resident.phone
            self.by_hash[resident.id_number_hash] = resident
            self.by_mask[
                (resident.id_number_masked, resident.household.address, resident.name)
            ].append(resident)

    def natural_key(self, row: dict) -> str:
        number = TextWidget().clean(row.get("身份证号")).upper()
        if len(number) == 18 and "*" not in number:
            number = national_id.mask(number)  # never kept in clear
        return f"{TextWidget().clean(row.get('姓名'))} {number}".strip()

    def identity(self, row: dict):
        number = TextWidget().clean(row.get("身份证号")).upper()
        if "*" in number:
            return (
                number,
                *(TextWidget().clean(row.get(c)) for c in ("标准地址", "姓名")),
            )
        return national_id.blind_index(number) if number else ""

    def get_instance(self, instance_loader, row):
        number = TextWidget().clean(row.get("身份证号")).upper()
        if "*" in number:
            # An exported file: the masked number, the address and the
            # name together find the resident (an edit keeps the number).
            key = (
                number,
                TextWidget().clean(row.get("标准地址")),
                TextWidget().clean(row.get("姓名")),
            )
            matches = self.by_mask.get(key, [])
            return matches[0] if len(matches) == 1 else None
        try:
            return self.by_hash.get(
                national_id.blind_index(national_id.validate(number))
            )
        except ValidationError:
            return None  # reported by import_instance

    def resolve(self, instance, row: dict, errors: dict) -> None:
        number = TextWidget().clean(row.get("身份证号")).upper()
        if "*" in number:
            if instance.pk is None:
                errors["id_number"] = [
                    _(
                        "A masked number matches no resident at this address "
                        "with this name: give the full number."
                    )
                ]
        else:
            try:
                instance.id_number = number
            except ValidationError as error:
                errors["id_number"] = error.messages
        self.keep_masked_phone(instance, row, errors)
        address = TextWidget().clean(row.get("标准地址"))
        if address not in self.households:
            errors["household"] = [
                _("No household at %(address)s in your scope.") % {"address": address}
            ]
        else:
            instance.household_id = self.households[address]

    @staticmethod
    def values(resident) -> tuple:
        return (
            resident.name,
            resident.id_number_hash,
            resident.phone,
            resident.household_id,
            resident.is_key_person,
            resident.key_person_category,
        )

    def dehydrate_id_number(self, resident):
        return resident.id_number_masked

    def dehydrate_household(self, resident):
        return resident.household.address

    def export_queryset(self):
        return (
            self.get_queryset()
            .select_related("household")
            .order_by("household__address", "name", "pk")
        )


AREA_SEPARATORS = re.compile(r"[、,，;；/\uff0f\s]+")  # \uff0f: a full-width slash


class DateCellWidget(widgets.Widget):
    """A date from Excel (a date cell) or text: 2026-01-01, 2026/1/1, 2026.1.1."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = re.sub(r"[/.年月]", "-", str(value).strip()).rstrip("日")
        try:
            return datetime.date.fromisoformat(
                "-".join(part.zfill(2) for part in text.split("-"))
            )
        except ValueError:
            raise ValueError(_("Write the date as 2026-01-31.")) from None

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class PostResource(LedgerResource):
    entity = LedgerEntity.POSTS
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
        station = _station(self.stations, row, errors)
        if station is not None:
            instance.station = station
        location = _point(row, errors)
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
            _centimetres(post.location),
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


def _station(stations: dict, row: dict, errors: dict):
    code = TextWidget().clean(row.get("派出所编码"))
    if not code:
        return None
    if code not in stations:
        errors["station"] = [
            _("No station with code %(code)s in your scope.") % {"code": code}
        ]
        return None
    return stations[code]


class StaffResource(LedgerResource):
    """Staff, one row a person, with the grid or post they work on now.

    A changed grid or post ends the current assignment the day before the
    new one starts (default: today) and opens the new one, so history is
    kept as the assessments need it.
    """

    entity = LedgerEntity.STAFF
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
        station = _station(self.stations, row, errors)
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
        return _label_in(current.get_role_display(), "zh-hans") if current else ""

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


RESOURCES = {
    LedgerEntity.POSTS: PostResource,
    LedgerEntity.STAFF: StaffResource,
    LedgerEntity.HOUSEHOLDS: HouseholdResource,
    LedgerEntity.RESIDENTS: ResidentResource,
}


#
# Check, apply, export
#


def check(
    content: bytes,
    file_name: str,
    entity: str,
    *,
    user,
    progress: Progress | None = None,
) -> Outcome:
    """Read a file and say per row what applying it would do; write nothing."""
    return _run(content, file_name, entity, user=user, progress=progress, dry_run=True)


def apply(
    content: bytes,
    file_name: str,
    entity: str,
    *,
    user,
    progress: Progress | None = None,
) -> Outcome:
    """Apply a file in one transaction: every row or, on any error, none."""
    return _run(content, file_name, entity, user=user, progress=progress, dry_run=False)


def _run(content, file_name, entity, *, user, progress, dry_run) -> Outcome:
    dataset = read_table(content, file_name, entity)
    resource = RESOURCES[entity](user=user, progress=progress)
    resource.import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    return Outcome(rows=resource.outcomes)


def export(
    entity: str, file_format: str, *, user, full_phones: bool = False
) -> tuple[bytes, int]:
    """Return the entity's records in scope as an xlsx or csv file, and their count.

    National IDs are always masked: the reveal action is the only way to the
    clear number (SECURITY.md G-AD6). Phones are masked unless
    ``full_phones``, which the caller grants only with the
    ``grids.export_full_phones`` permission and logs (issue 27, item 4).
    """
    resource = RESOURCES[entity](user=user, full_phones=full_phones)
    dataset = resource.export(queryset=resource.export_queryset())
    return _encode(dataset, file_format), len(dataset)


def template(entity: str, file_format: str = "xlsx") -> bytes:
    """An empty ledger with its headers and one example row."""
    dataset = tablib.Dataset(headers=list(HEADERS[entity]))
    dataset.append(EXAMPLES[entity])
    return _encode(dataset, file_format)


def _encode(dataset: tablib.Dataset, file_format: str) -> bytes:
    """The dataset as a file whose text cells a spreadsheet never runs as
    formulas, and which imports back unchanged (issue 27, item 2)."""
    if file_format == "csv":
        buffer = io.StringIO()
        # With a byte order mark Excel opens UTF-8 Chinese text correctly.
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow([spreadsheets.csv_value(h) for h in dataset.headers])
        for row in dataset:
            writer.writerow([spreadsheets.csv_value(value) for value in row])
        return buffer.getvalue().encode("utf-8")
    return spreadsheets.xlsx(dataset.headers, dataset)


EXPORT_FORMATS = ("xlsx", "csv")
