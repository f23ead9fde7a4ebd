"""What every spreadsheet ledger shares: outcomes, widgets, the base resource.

Built on django-import-export's resources: a :class:`LedgerResource` (one
subclass per entity, in :mod:`ledgers.posts`, :mod:`ledgers.staff`,
:mod:`ledgers.households` and :mod:`ledgers.residents`) matches each row of
a sheet to the record it updates by a natural key, validates it like any
other write (``full_clean``) and reports per row what it would create,
update or leave unchanged, with every error's row, column and reason. It
reads and writes inside the requester's scope, so a row naming another
station's grid or household is an error like a nonexistent one.
"""

import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.results import RowResult

from ledgers.models import LedgerImportRow
from policing import geometry
from policing.phones import is_masked, mask_phone
from policing.scope import scope_of
from policing.validators import (
    CONTROL_CHARACTERS,
    CONTROL_CHARACTERS_REFUSED,
    strip_control_characters,
)

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


def normalise(text) -> str:
    """A header or cell as compared: NFKC, trimmed, lower case, no spaces,
    underscores or asterisks."""
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
        text = normalise(value)
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
        text = normalise(value)
        if not text:
            return ""
        for choice, label in self.choices.choices:
            names = {
                normalise(choice),
                *(normalise(label_in(label, lang)) for lang in ("zh-hans", "en")),
            }
            if text in names:
                return choice
        raise ValueError(
            _("Unknown value %(value)s; use one of: %(choices)s.")
            % {
                "value": value,
                "choices": "、".join(
                    label_in(label, "zh-hans") for _value, label in self.choices.choices
                ),
            }
        )

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        return label_in(self.choices(value).label, "zh-hans")


def label_in(label, language: str) -> str:
    with translation.override(language):
        return str(label)


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


#
# Resources
#


class LedgerResource(resources.ModelResource):
    """A ledger sheet read and written inside one user's scope."""

    #: the sheet's name in an exported workbook (each ledger names its own)
    sheet_title = ""

    entity: str
    #: {canonical (exported) header: accepted spellings}
    headers: dict[str, list[str]]
    #: the columns a file must have; the others may be left out
    required_columns: list[str]
    #: the example row of the downloadable template
    example: list
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


#
# Cells more than one ledger has
#


def centimetres(location: dict | None) -> tuple | None:
    """A point's position to about a centimetre: a spreadsheet keeps 15
    significant digits, so a stored 30.005000000000003 comes back as 30.005."""
    if not location:
        return None
    return tuple(round(value, 7) for value in location["coordinates"])


def point_of(row: dict, errors: dict) -> dict | None:
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


def station_of(stations: dict, row: dict, errors: dict):
    """The station a row's 派出所编码 names, None when it names none."""
    code = TextWidget().clean(row.get("派出所编码"))
    if not code:
        return None
    if code not in stations:
        errors["station"] = [
            _("No station with code %(code)s in your scope.") % {"code": code}
        ]
        return None
    return stations[code]
