"""What the city generator's stages share.

The sizes, the plan every stage adds to (:class:`City` and the plans of
grids, areas, posts and staff), the :class:`RowWriter` that inserts rows
with ``COPY`` or ``bulk_create``, and the sampling helpers that draw from a
stage's own ``random.Random``.
"""

import bisect
import csv
import datetime
import io
import json
import random
import uuid
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate

import shapely
from django.db import models
from shapely.geometry import Polygon

from grids.models import Resident
from policing.periods import local_midnight
from stations.models import Assignment, Bureau, Station

#
# Sizes
#

#: --size choices and the share of the full city each one generates
SIZES = {"small": 0.001, "tenth": 0.1, "third": 1 / 3, "full": 1.0}

FULL_STATIONS = 20
FULL_GRIDS = 2_000
FULL_HOUSEHOLDS = 600_000
FULL_VISITS = 3_000_000
FULL_PATROLS = 500_000
FULL_BUREAU_STAFF = 30
# A small city still needs a few grids per station to have communities and
# villages, and enough disputes and cases to reach every status.
MIN_GRIDS_PER_STATION = 10
MIN_DISPUTES = MIN_CASES = 12
# Plausible yearly rates (issue 10): a dispute per 250 households, twenty
# cases per 10,000 residents.
HOUSEHOLDS_PER_DISPUTE = 250
CASES_PER_RESIDENT = 20 / 10_000

#: registered residents per household and their weights: a mean of 1.67,
#: i.e. a million residents in 600,000 households
RESIDENTS_PER_HOUSEHOLD = {1: 50, 2: 36, 3: 11, 4: 3}
MEAN_RESIDENTS = sum(n * w for n, w in RESIDENTS_PER_HOUSEHOLD.items()) / sum(
    RESIDENTS_PER_HOUSEHOLD.values()
)

#: rows per COPY or bulk_create batch
BATCH = 50_000
SMALL_BATCH = 2_000


@dataclass(frozen=True)
class CitySize:
    """How many of each thing a city of a given scale holds."""

    scale: float
    stations: int
    grids: int
    households: int
    visits: int
    patrols: int
    disputes: int
    cases: int
    bureau_staff: int

    @classmethod
    def at_scale(cls, scale: float) -> "CitySize":
        """Return the counts for ``scale`` (1.0 is the full city)."""
        stations = max(2, round(FULL_STATIONS * scale))
        grids = max(MIN_GRIDS_PER_STATION * stations, round(FULL_GRIDS * scale))
        households = max(grids, round(FULL_HOUSEHOLDS * scale))
        return cls(
            scale=scale,
            stations=stations,
            grids=grids,
            households=households,
            visits=round(FULL_VISITS * scale),
            patrols=round(FULL_PATROLS * scale),
            disputes=max(MIN_DISPUTES, round(households / HOUSEHOLDS_PER_DISPUTE)),
            cases=max(
                MIN_CASES, round(households * MEAN_RESIDENTS * CASES_PER_RESIDENT)
            ),
            bureau_staff=max(2, round(FULL_BUREAU_STAFF * scale)),
        )


#
# The plan the stages share
#

CITY_NAME = "郑州市"


DAYS_OF_WORK = 365


@dataclass
class PersonPlan:
    """A member of staff to write; ``diligence`` scales their field work."""

    kind: str
    station: int | None
    name: str
    phone: str
    badge: str = ""
    is_chief: bool = False
    diligence: float = 1.0
    id: int = 0


@dataclass
class Span:
    """A person's posting to a grid, as day ordinals (``last`` inclusive)."""

    person: PersonPlan
    role: str
    first: int
    last: int | None

    def covers(self, ordinal: int) -> bool:
        return self.first <= ordinal and (self.last is None or ordinal <= self.last)


@dataclass
class AreaPlan:
    """A community or village: consecutive grids of one station."""

    kind: str
    station: int
    grids: list[int]
    name: str = ""
    id: int = 0


@dataclass
class GridPlan:
    """A grid's place, polygon, and what later stages attach to it."""

    index: int
    station: int
    urban: bool
    polygon: Polygon
    boundary: dict
    area: int = -1
    code: str = ""
    name: str = ""
    id: int = 0
    household_target: int = 0
    households: array = field(default_factory=lambda: array("q"))
    #: registered residents of each household, drawn with the households
    resident_counts: array = field(default_factory=lambda: array("b"))
    residents: int = 0
    spans: list[Span] = field(default_factory=list)

    def responsible_on(self, ordinal: int) -> PersonPlan | None:
        """Return the responsible person posted to the grid on that day."""
        for span in self.spans:
            if span.role == Assignment.Role.RESPONSIBLE and span.covers(ordinal):
                return span.person
        return None


@dataclass
class PostPlan:
    """A post, the areas it serves, and the grids whose officers staff it."""

    kind: str
    station: int
    name: str
    host_area: int
    serves: list[int]
    staffed_from: list[int] = field(default_factory=list)
    id: int = 0


@dataclass
class City:
    """Everything a stage needs from the stages before it."""

    size: CitySize
    seed: int
    code: str
    until: datetime.date
    writer: "RowWriter"
    bureau: Bureau | None = None
    stations: list[Station] = field(default_factory=list)
    station_names: list[str] = field(default_factory=list)
    areas: list[AreaPlan] = field(default_factory=list)
    grids: list[GridPlan] = field(default_factory=list)
    posts: list[PostPlan] = field(default_factory=list)
    persons: list[PersonPlan] = field(default_factory=list)
    mediators: dict[int, PersonPlan] = field(default_factory=dict)

    @cached_property
    def household_totals(self) -> list[int]:
        """Running totals of the grids' households, to draw grids by them."""
        return list(accumulate(len(grid.households) for grid in self.grids))

    def rng(self, stage: str) -> random.Random:
        """Return the stage's own generator (str seeds hash stably)."""
        return random.Random(f"{self.seed}/{stage}")

    @cached_property
    def days(self) -> list[datetime.date]:
        """The year of field work: the 365 days before ``until``."""
        first = self.until - datetime.timedelta(days=DAYS_OF_WORK)
        return [first + datetime.timedelta(days=n) for n in range(DAYS_OF_WORK)]

    @property
    def now(self) -> datetime.datetime:
        """The generated world's "now": the start of ``until``, local time.

        Nothing happens after it, so the rows do not depend on the hour the
        command runs, and statuses are consistent with timestamps.
        """
        return local_midnight(self.until)


#
# Writing rows
#


class RowWriter:
    """Insert rows of plain values: ``COPY`` on PostgreSQL, else bulk_create.

    ``fields`` are attribute names (``grid_id``); values are what the model
    holds (dicts for JSON, aware datetimes, UUIDs).
    """

    def __init__(self, db_connection):
        self.connection = db_connection
        self.uses_copy = db_connection.vendor == "postgresql"

    def insert(
        self,
        model: type[models.Model],
        fields: Sequence[str],
        rows: list[tuple],
        *,
        return_ids: bool = False,
    ) -> list[int]:
        """Insert ``rows``; return their ids in order when ``return_ids``."""
        if not rows:
            return []
        if self.uses_copy:
            return self._copy(model, fields, rows, return_ids)
        return self._bulk_create(model, fields, rows)

    def _copy(self, model, fields, rows, return_ids) -> list[int]:
        opts = model._meta
        model_fields = [opts.get_field(name) for name in fields]
        columns = [f.column for f in model_fields]
        converters = [_csv_converter(f) for f in model_fields]
        ids: list[int] = []
        with self.connection.cursor() as cursor:
            if return_ids:
                # Ids come from the table's own sequence, as they would on an
                # ordinary insert; concurrent writers just get other numbers.
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                    "FROM generate_series(1, %s)",
                    [opts.db_table, len(rows)],
                )
                ids = [pk for (pk,) in cursor.fetchall()]
                columns.insert(0, opts.pk.column)
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            values: Iterable = rows
            if any(converters):
                values = (
                    [c(v) if c else v for c, v in zip(converters, row, strict=True)]
                    for row in rows
                )
            if return_ids:
                values = ((pk, *row) for pk, row in zip(ids, values, strict=True))
            writer.writerows(values)
            buffer.seek(0)
            quote = self.connection.ops.quote_name
            sql = (
                f"COPY {quote(opts.db_table)} ({', '.join(map(quote, columns))}) "
                "FROM STDIN WITH (FORMAT csv, NULL '\\N')"
            )
            _copy_from(cursor.cursor, sql, buffer)
        return ids

    def _bulk_create(self, model, fields, rows) -> list[int]:
        objects = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model._base_manager.bulk_create(objects, batch_size=SMALL_BATCH)
        # bulk_create stamps auto_now_add fields with the wall clock; the
        # generated times are put back so that every backend stores the same.
        stamped = [
            f.name
            for f in model._meta.concrete_fields
            if getattr(f, "auto_now_add", False) and f.attname in fields
        ]
        if stamped:
            for obj, row in zip(objects, rows, strict=True):
                for name in stamped:
                    setattr(obj, name, row[fields.index(name)])
            model._base_manager.bulk_update(objects, stamped, batch_size=SMALL_BATCH)
        return [obj.pk for obj in objects]


NULL = "\\N"


def _csv_converter(model_field) -> Callable | None:
    """Return what turns a value into CSV text, or None when str() will do.

    ``csv`` writes str(value): right for numbers, text, UUIDs, dates and
    aware datetimes ("2026-01-01 09:30:00+08:00"), and True/False, which
    PostgreSQL reads as booleans. JSON and NULLs need help.
    """
    if isinstance(model_field, models.JSONField):
        return lambda v: NULL if v is None else json.dumps(v, ensure_ascii=False)
    if model_field.null:
        return lambda v: NULL if v is None else v
    return None


def _copy_from(raw_cursor, sql: str, buffer: io.StringIO) -> None:
    if hasattr(raw_cursor, "copy_expert"):  # psycopg2
        raw_cursor.copy_expert(sql, buffer)
    else:  # psycopg 3
        with raw_cursor.copy(sql) as copy:
            copy.write(buffer.getvalue())


def bulk_insert(objects: list[models.Model]) -> list[models.Model]:
    """bulk_create a small table in batches; the objects get their ids."""
    if objects:
        type(objects[0])._base_manager.bulk_create(objects, batch_size=SMALL_BATCH)
    return objects


#
# Random helpers
#


def weighted(rng: random.Random, weights: dict):
    """Draw a key of ``weights`` with probability proportional to its value."""
    return rng.choices(tuple(weights), weights=tuple(weights.values()))[0]


class Sampler:
    """Draw keys by weight fast: one random number and a bisection."""

    def __init__(self, weights: dict):
        self.keys = tuple(weights)
        self.cumulative = []
        total = 0.0
        for weight in weights.values():
            total += weight
            self.cumulative.append(total)
        self.total = total

    def draw(self, rng: random.Random):
        return self.keys[
            bisect.bisect_right(self.cumulative, rng.random() * self.total)
        ]


def stochastic_round(rng: random.Random, value: float) -> int:
    """Round up with probability equal to the fraction: the mean is kept."""
    return int(value + rng.random())


def unique_names(rng: random.Random, candidates: list[str], count: int) -> list[str]:
    """Draw ``count`` distinct names; number them once the candidates run out."""
    names = rng.sample(candidates, min(count, len(candidates)))
    for extra in range(count - len(names)):
        names.append(
            f"{candidates[extra % len(candidates)]}{extra // len(candidates) + 2}"
        )
    return names


def new_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def random_point(rng: random.Random, polygon: Polygon) -> dict:
    """Return a GeoJSON Point strictly inside ``polygon`` (rounded to 1e-6°)."""
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    while True:
        lon = round(rng.uniform(min_lon, max_lon), 6)
        lat = round(rng.uniform(min_lat, max_lat), 6)
        if shapely.contains_xy(polygon, lon, lat):
            return {"type": "Point", "coordinates": [lon, lat]}


#
# Timelines of disputes and cases
#


@dataclass
class Step:
    """One timeline step of a dispute or a case, before it is written."""

    at: datetime.datetime
    kind: str
    detail: dict = field(default_factory=dict)


def draw_report(
    rng: random.Random, city: City, *, hours: tuple[int, int]
) -> tuple[GridPlan, datetime.datetime]:
    """Draw a grid (by its households) and a local time in the year."""
    grid = rng.choices(city.grids, cum_weights=city.household_totals)[0]
    day = rng.choice(city.days)
    minute = rng.randrange(hours[0] * 60, hours[1] * 60)
    return grid, local_midnight(day) + datetime.timedelta(minutes=minute)


def hours_later(rng: random.Random, at: datetime.datetime, low: float, high: float):
    return at + datetime.timedelta(hours=rng.uniform(low, high))


def household_heads(
    household_ids: Iterable[int | None],
) -> dict[int, tuple[int, str, str]]:
    """Return the first resident (id, name, phone) of each given household."""
    wanted = sorted({pk for pk in household_ids if pk is not None})
    heads: dict[int, tuple[int, str, str]] = {}
    for start in range(0, len(wanted), 500):
        rows = (
            Resident.objects.filter(household_id__in=wanted[start : start + 500])
            .order_by("household_id", "pk")
            .values_list("household_id", "pk", "name", "phone")
        )
        for household_id, pk, resident_name, resident_phone in rows:
            heads.setdefault(household_id, (pk, resident_name, resident_phone))
    return heads
