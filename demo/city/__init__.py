"""A city-sized bureau for benchmarks (issue 10): ``manage.py generate_city``.

One bureau of twenty stations and two thousand grids around Zhengzhou, with
its posts, about five thousand staff and their dated assignments, 600,000
households, a million residents, and a year of field work, disputes and cases
up to the day before ``until``. Smaller sizes scale the counts down.

The generator is a pipeline of stages, one function each, that share a
:class:`City`: what earlier stages wrote and later ones need (ids, the grids'
polygons, who worked where when). Each stage draws from its own
``random.Random`` seeded with the seed and the stage's name, so a change in
one stage does not shift the draws of the others. The same seed, size and
``until`` give the same rows; only ids and the national IDs' ciphertext
differ between runs, because every ciphertext takes a random nonce
(:func:`grids.national_id.encrypt`) and deriving nonces from the seed would
reuse them across runs.

Small tables are written with ``bulk_create``. On PostgreSQL the big ones
(households, residents, visits, patrols) are written with ``COPY`` from an
in-memory CSV buffer per batch; elsewhere they fall back to ``bulk_create``.
The whole run is one transaction. On PostgreSQL it runs with
``session_replication_role = replica`` (``SET LOCAL``, so for this
transaction and this connection only): the audit triggers (django-pghistory)
would otherwise write an audit event per generated row, and a benchmark
fixture is not a user's write. That role also skips foreign-key checks, so
every reference is taken from rows the run itself wrote;
``tests/test_generate_city.py`` checks them.
"""

import bisect
import csv
import datetime
import io
import json
import math
import random
import time
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate, count

import shapely
from django.db import DatabaseError, connection, models, transaction
from django.db.models.deletion import get_candidate_relations_to_delete
from django.utils import timezone
from shapely.geometry import Polygon

from cases.models import (
    Case,
    CaseEvent,
    CaseParty,
    CaseReturnVisit,
    PartyRole,
    Rating,
)
from cases.models import EventKind as CaseEventKind
from cases.models import Kind as CaseKind
from cases.models import Status as CaseStatus
from demo import cases as case_texts
from demo import disputes as dispute_texts
from demo.common import KEY_PERSON_WEIGHTS
from demo.common import name as draw_name
from demo.common import phone as draw_phone
from disputes.models import (
    LEVEL_RANK,
    Agreement,
    Colour,
    Dispute,
    DisputeEvent,
    DisputeParty,
    DisputePolicy,
    EventKind,
    Level,
    MediationSession,
    ReturnVisit,
    Status,
)
from grids import national_id
from grids.models import Area, Grid, Household, Resident
from policing import geometry
from stations.models import Assignment, Bureau, Person, Post, Station
from visits.models import Patrol, Visit

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


class BureauExists(Exception):
    """The bureau code is taken and replacing it was not asked for."""


#
# Places and names (Zhengzhou, Henan)
#

CITY_NAME = "郑州市"
CENTRE = (113.65, 34.75)  # longitude, latitude of the city centre
# A grid cell is about 1.1 km square at this latitude.
CELL_LON = 0.012
CELL_LAT = 0.010
# Corners move by up to this share of a cell, and edge midpoints across
# their edge by up to the second: shared edges stay shared and no cell can
# fold over (each boundary stays within a third of a cell of its line).
CORNER_JITTER = 0.15
MIDPOINT_JITTER = 0.08
#: share of the grids nearest the centre that are urban (communities)
URBAN_SHARE = 0.45
COMMUNITY_GRIDS = {3: 2, 4: 3, 5: 3, 6: 2}
VILLAGE_GRIDS = {1: 4, 2: 4, 3: 2}
# Seed: a rural central office serves 4-6 villages; most other villages get
# a workstation of their own. The shares give about the Hengshan coverage
# (rural offices 25.8%, workstations 69.6% of villages).
RURAL_OFFICE_VILLAGES = (4, 5, 6)
EXTRA_RURAL_OFFICE_SHARE = 0.15
WORKSTATION_SHARE = 0.9
OPENING_HOURS = {
    Post.Kind.COMMUNITY_OFFICE: "08:30-17:30",
    Post.Kind.RURAL_OFFICE: "08:30-17:30",
    Post.Kind.WORKSTATION: "09:00-17:00",
    Post.Kind.KIOSK: "00:00-24:00",
}

STATION_NAMES = (
    "花园路",
    "文化路",
    "丰产路",
    "东风路",
    "南阳路",
    "杜岭",
    "人民路",
    "大石桥",
    "经八路",
    "北林路",
    "未来路",
    "兴达路",
    "祭城",
    "龙子湖",
    "博学路",
    "如意湖",
    "丰庆路",
    "国基路",
    "凤凰台",
    "南阳新村",
)
ROADS = (
    "金水路",
    "农业路",
    "花园路",
    "文化路",
    "经三路",
    "纬五路",
    "东风路",
    "丰产路",
    "黄河路",
    "红专路",
    "健康路",
    "南阳路",
    "人民路",
    "二七路",
    "大学路",
    "嵩山路",
    "伏牛路",
    "桐柏路",
    "中原路",
    "建设路",
    "陇海路",
    "航海路",
    "郑汴路",
    "商都路",
    "未来路",
    "紫荆山路",
    "城东路",
    "工人路",
    "淮河路",
    "政七街",
)
COMMUNITY_HEADS = "金银文和康福兴华安宏丰庆瑞祥裕锦翠柳桂绿紫顺商杜"
COMMUNITY_TAILS = "桥苑园城湖河林源泰盛馨坊苑岭"
VILLAGE_PREFIXES = ("", "大", "小", "前", "后", "东", "西", "南", "北")
VILLAGE_SURNAMES = (
    "刘张王李陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
)
VILLAGE_TAILS = "庄寨岗沟营店楼集湾坡屯河"
GROUP_NUMERALS = "一二三四五六七八九十"

# National ID region codes (GB/T 2260) of Zhengzhou's districts and counties,
# then of other Henan places people moved in from, as (first year, code):
# a number keeps the code in force when its holder was first registered.
HOME_REGIONS = (
    ((1983, "410102"),),  # 中原区
    ((1983, "410103"),),  # 二七区
    ((1983, "410104"),),  # 管城回族区
    ((1983, "410105"),),  # 金水区
    ((1983, "410106"),),  # 上街区
    ((1987, "410108"),),  # 邙山区, 惠济区 since 2003
    ((1983, "410122"),),  # 中牟县
    ((1983, "410124"), (1991, "410181")),  # 巩县, 巩义市
    ((1983, "410121"), (1994, "410182")),  # 荥阳县, 荥阳市
    ((1983, "410126"), (1994, "410183")),  # 密县, 新密市
    ((1983, "410123"), (1994, "410184")),  # 新郑县, 新郑市
    ((1983, "410125"), (1994, "410185")),  # 登封县, 登封市
)
OTHER_REGIONS = (
    ((1983, "410302"),),  # 洛阳市老城区
    ((1983, "410702"),),  # 新乡市红旗区
    ((1983, "410221"),),  # 杞县
    ((1983, "412901"), (1994, "411302")),  # 南阳市, 宛城区
    ((1983, "412301"), (1997, "411402")),  # 商丘市, 梁园区
    ((1983, "412701"), (2000, "411602")),  # 周口市, 川汇区
    ((1983, "412801"), (2000, "411702")),  # 驻马店市, 驿城区
)
HOME_REGION_SHARE = 0.8
# Identity cards came in 1985: older people were registered then.
FIRST_REGISTRATION_YEAR = 1985

KEY_PERSON_SHARE = 0.01  # of all residents (issue 10)
ADULT_AGE = 18

#
# How field work is spread over the year
#

DAYS_OF_WORK = 365
#: visits per weekday, Monday first: weekends are quiet
VISIT_DAY_FACTORS = (1.05, 1.05, 1.0, 1.0, 0.95, 0.35, 0.25)
PATROL_DAY_FACTORS = (1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.7)
#: local hour of a visit -> weight: office hours, a lunch break, some evenings
VISIT_HOURS = {
    8: 4,
    9: 10,
    10: 12,
    11: 9,
    12: 2,
    13: 3,
    14: 8,
    15: 10,
    16: 10,
    17: 7,
    18: 3,
    19: 4,
    20: 2,
}
# Seed (Qujing): a grid officer visits about 20 households a week; helpers
# visit far fewer. Relative weights per working day.
VISIT_WEIGHTS = {
    Person.Kind.OFFICER: 1.0,
    Person.Kind.AUXILIARY: 0.35,
    Person.Kind.GRID_WORKER: 0.3,
}
PATROL_WEIGHTS = {
    Person.Kind.OFFICER: 1.0,
    Person.Kind.AUXILIARY: 1.0,
    Person.Kind.GRID_WORKER: 0.3,
}
#: staff who patrol at night; grid workers patrol in daylight only
NIGHT_PATROLLERS = (Person.Kind.OFFICER, Person.Kind.AUXILIARY)
NIGHT_PATROL_SHARE = 0.2
#: patrol length in hours -> weight
PATROL_HOURS = {1: 2, 2: 4, 3: 3, 4: 1}
#: a working day missed to leave, training or sickness
ABSENCE = 0.08
VISIT_KINDS = {
    Visit.Kind.ROUTINE: 75,
    Visit.Kind.ANTI_FRAUD: 12,
    Visit.Kind.SERVICE: 8,
    Visit.Kind.DISPUTE_FOLLOW_UP: 3,
    Visit.Kind.CASE_RETURN_VISIT: 2,
}
INFO_ITEMS = {0: 3, 1: 4, 2: 2, 3: 1}
# Seed (Qujing) key-person regime: meet weekly, talk monthly, review
# quarterly; some contacts are missed, so the overdue lists are not empty.
KEY_PERSON_MEETING_KEPT = 0.8
KEY_PERSON_TALK_KEPT = 0.85
KEY_PERSON_REVIEW_KEPT = 0.9

DISPUTE_COLOURS = {
    Colour.GREEN: 45,
    Colour.YELLOW: 32,
    Colour.ORANGE: 15,
    Colour.RED: 8,
}
DISPUTE_ENDINGS = {Status.RESOLVED: 86, Status.REFERRED: 6, Status.FAILED: 8}
SATISFACTION = {5: 60, 4: 30, 3: 7, 2: 2, 1: 1}
#: share of steps taken after their time limit (first contact, mediation,
#: return visit), so some disputes are overdue
LATE_STEP_SHARE = 0.08
CASE_DROPPED_SHARE = 0.08
#: share of cases eventually solved (破案率 / 查处率)
CASE_SOLVED_SHARE = {CaseKind.CRIMINAL: 0.55, CaseKind.ADMINISTRATIVE: 0.85}

Progress = Callable[[str, dict[str, int], float], None]


#
# The plan the stages share
#


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


def local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time.min, tzinfo=timezone.get_current_timezone()
    )


#
# Entry point
#


@dataclass(frozen=True)
class Generated:
    """What :func:`generate_city` wrote."""

    counts: dict[str, int]
    #: whether PostgreSQL's audit triggers were skipped for the run
    audit_skipped: bool


def generate_city(
    *,
    size: CitySize,
    seed: int,
    bureau_code: str,
    until: datetime.date,
    replace: bool = False,
    keep_audit: bool = False,
    progress: Progress | None = None,
) -> Generated:
    """Write a city-sized bureau ``bureau_code``; return the row counts.

    Raise :class:`BureauExists` when the code is taken, unless ``replace``,
    which deletes that bureau and everything in it first. ``progress`` is
    called after every stage with its name, row counts and seconds.
    ``keep_audit`` writes PostgreSQL's audit events as for any write: only
    to measure their cost, which grows faster than the rows (each event
    opens a subtransaction in the trigger functions).
    """
    report = progress or (lambda stage, counts, seconds: None)
    totals: dict[str, int] = {}
    with transaction.atomic(), _audit_triggers(skip=not keep_audit) as skipped:
        existing = Bureau.objects.filter(code=bureau_code).first()
        if existing is not None:
            if not replace:
                raise BureauExists(bureau_code)
            _run_stage("delete", lambda: delete_bureau(existing), report)
        city = City(
            size=size,
            seed=seed,
            code=bureau_code,
            until=until,
            writer=RowWriter(connection),
        )
        for stage, create in STAGES:
            totals |= _run_stage(stage, lambda create=create: create(city), report)
        if connection.vendor == "postgresql":
            _run_stage("analyze", analyze_tables, report)
    return Generated(counts=totals, audit_skipped=skipped)


def _run_stage(stage: str, work: Callable[[], dict[str, int] | None], report):
    started = time.perf_counter()
    counts = work() or {}
    report(stage, counts, time.perf_counter() - started)
    return counts


@contextmanager
def _audit_triggers(*, skip: bool):
    """Skip the audit triggers in this transaction only (PostgreSQL).

    ``SET LOCAL`` ends with the transaction; the role is restored as soon as
    the generator is done, for whatever else the same transaction does (a
    test, say). Yield whether the triggers are skipped: only a superuser may
    change the role, and without it the run writes the audit events too.
    """
    if not skip or connection.vendor != "postgresql":
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        previous = cursor.fetchone()[0]
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            skipped = False
        else:
            skipped = True
    yield skipped
    if not skipped:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('session_replication_role', %s, true)", [previous]
        )


#
# Replacing a bureau
#


def delete_bureau(bureau: Bureau) -> dict[str, int]:
    """Delete a bureau and every row that depends on it, however deep.

    ``PROTECT`` stops an ordinary delete at the first station; for a
    benchmark fixture the whole tree goes. Each table is emptied with one
    ``DELETE … WHERE … IN (subquery)`` after its dependents, so millions of
    rows are never loaded into memory. Audit history (``DO_NOTHING``) stays.
    """
    return {
        "deleted rows": _delete_with_dependents(Bureau.objects.filter(pk=bureau.pk))
    }


def _delete_with_dependents(rows: models.QuerySet) -> int:
    deleted = 0
    for relation in get_candidate_relations_to_delete(rows.model._meta):
        fk = relation.field
        dependents = relation.related_model._base_manager.filter(
            **{f"{fk.name}__in": rows}
        )
        on_delete = fk.remote_field.on_delete
        if on_delete in (models.CASCADE, models.PROTECT, models.RESTRICT):
            deleted += _delete_with_dependents(dependents)
        elif on_delete is models.SET_NULL:
            dependents.update(**{fk.name: None})
        elif on_delete is not models.DO_NOTHING:
            raise NotImplementedError(f"{fk} has an on_delete this cannot follow.")
    return deleted + rows._raw_delete(rows.db)


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


def analyze_tables() -> dict[str, int]:
    """Refresh the planner's statistics, as autovacuum would after a load."""
    models_written = (
        Station,
        Area,
        Grid,
        Post,
        Person,
        Assignment,
        Household,
        Resident,
        Visit,
        Patrol,
        Dispute,
        DisputeEvent,
        Case,
        CaseEvent,
    )
    with connection.cursor() as cursor:
        for model in models_written:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return {}


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


#
# Stage 1: bureau, stations, areas and grids
#


def create_territory(city: City) -> dict[str, int]:
    """Tile the city with grids, cut them into stations and areas, write them.

    Grids are the cells of a jittered lattice around the centre: neighbours
    share their corners and edge midpoints exactly, so they never overlap
    and leave no gaps. Cells are walked in a snake through vertical strips,
    so consecutive cells touch; a station is a run of consecutive cells and
    an area a run within it.
    """
    rng = city.rng("territory")
    size = city.size
    columns, rows = lattice_shape(size.grids)
    cells = snake_order(
        columns, rows, max(1, round(math.sqrt(size.grids / size.stations)))
    )
    cells = cells[: size.grids]
    boundaries = jittered_lattice(rng, columns, rows)
    urban = urban_cells(cells, columns, rows)
    per_station = split_evenly(size.grids, size.stations)
    start = 0
    for station, grid_count in enumerate(per_station):
        for column, row in cells[start : start + grid_count]:
            boundary = boundaries[(column, row)]
            geometry.validate_polygon(boundary)
            city.grids.append(
                GridPlan(
                    index=len(city.grids),
                    station=station,
                    urban=(column, row) in urban,
                    polygon=prepared(geometry.to_shape(boundary)),
                    boundary=boundary,
                )
            )
        start += grid_count
    cut_areas(rng, city)
    plan_household_counts(rng, city)
    name_places(rng, city)
    write_territory(city)
    return {
        "stations": len(city.stations),
        "areas": len(city.areas),
        "grids": len(city.grids),
    }


def prepared(polygon: Polygon) -> Polygon:
    """Return ``polygon`` prepared for the many point-in-polygon tests."""
    shapely.prepare(polygon)
    return polygon


def lattice_shape(cells: int) -> tuple[int, int]:
    """Return (columns, rows) of a near-square lattice of at least ``cells``.

    The number of rows is odd, so every strip of :func:`snake_order` ends
    on the row where the next one starts, next to it.
    """
    columns = math.ceil(math.sqrt(cells))
    rows = math.ceil(cells / columns)
    if rows % 2 == 0:
        rows += 1
        columns = math.ceil(cells / rows)
    return columns, rows


def snake_order(columns: int, rows: int, strip_width: int) -> list[tuple[int, int]]:
    """Return every (column, row) so that consecutive cells share an edge.

    Strips of ``strip_width`` columns are walked up, down, up …; within a
    strip, rows alternate left-to-right and right-to-left.
    """
    order = []
    for strip, left in enumerate(range(0, columns, strip_width)):
        strip_columns = list(range(left, min(left + strip_width, columns)))
        row_order = range(rows) if strip % 2 == 0 else range(rows - 1, -1, -1)
        for step, row in enumerate(row_order):
            ordered = strip_columns if step % 2 == 0 else strip_columns[::-1]
            order.extend((column, row) for column in ordered)
    return order


def jittered_lattice(
    rng: random.Random, columns: int, rows: int
) -> dict[tuple[int, int], dict]:
    """Return each cell's GeoJSON Polygon: 4 corners and 4 edge midpoints."""
    west = CENTRE[0] - columns * CELL_LON / 2
    south = CENTRE[1] - rows * CELL_LAT / 2

    def position(x: float, y: float) -> list[float]:
        return [round(west + x * CELL_LON, 6), round(south + y * CELL_LAT, 6)]

    def jitter(amplitude: float) -> float:
        return rng.uniform(-amplitude, amplitude)

    corners = {
        (c, r): (c + jitter(CORNER_JITTER), r + jitter(CORNER_JITTER))
        for r in range(rows + 1)
        for c in range(columns + 1)
    }
    # The midpoint of each edge moves across the edge only, so each edge
    # stays monotonic along its direction.
    bottoms = {}  # the horizontal edge from corner (c, r) to (c + 1, r)
    for r in range(rows + 1):
        for c in range(columns):
            (x0, y0), (x1, y1) = corners[(c, r)], corners[(c + 1, r)]
            bottoms[(c, r)] = ((x0 + x1) / 2, (y0 + y1) / 2 + jitter(MIDPOINT_JITTER))
    lefts = {}  # the vertical edge from corner (c, r) to (c, r + 1)
    for c in range(columns + 1):
        for r in range(rows):
            (x0, y0), (x1, y1) = corners[(c, r)], corners[(c, r + 1)]
            lefts[(c, r)] = ((x0 + x1) / 2 + jitter(MIDPOINT_JITTER), (y0 + y1) / 2)
    # Rounded once, so that neighbours share exactly the same numbers.
    corner = {key: position(*point) for key, point in corners.items()}
    bottom = {key: position(*point) for key, point in bottoms.items()}
    left = {key: position(*point) for key, point in lefts.items()}
    polygons = {}
    for r in range(rows):
        for c in range(columns):
            ring = [
                corner[(c, r)],
                bottom[(c, r)],
                corner[(c + 1, r)],
                left[(c + 1, r)],
                corner[(c + 1, r + 1)],
                bottom[(c, r + 1)],
                corner[(c, r + 1)],
                left[(c, r)],
            ]
            # Copies: neighbours must not share (mutable) position lists.
            ring = [list(point) for point in ring]
            ring.append(list(ring[0]))
            polygons[(c, r)] = {"type": "Polygon", "coordinates": [ring]}
    return polygons


def urban_cells(
    cells: list[tuple[int, int]], columns: int, rows: int
) -> set[tuple[int, int]]:
    """Return the URBAN_SHARE of the cells nearest the centre."""
    centre = (columns / 2, rows / 2)
    by_distance = sorted(
        cells,
        key=lambda cell: (
            (cell[0] + 0.5 - centre[0]) ** 2 + (cell[1] + 0.5 - centre[1]) ** 2,
            cell,
        ),
    )
    return set(by_distance[: round(len(cells) * URBAN_SHARE)])


def split_evenly(total: int, parts: int) -> list[int]:
    """Split ``total`` into ``parts`` integers differing by at most one."""
    base, extra = divmod(total, parts)
    return [base + (1 if part < extra else 0) for part in range(parts)]


def cut_areas(rng: random.Random, city: City) -> None:
    """Cut each station's grids into communities and villages.

    A run starting on an urban grid is a community of 3-6 grids, otherwise
    a village of 1-3. Every station gets at least one community (its seat)
    and two villages, so it can have posts of all four kinds.
    """
    for station in range(city.size.stations):
        grids = [g for g in city.grids if g.station == station]
        areas: list[AreaPlan] = []
        position = 0
        while position < len(grids):
            urban = grids[position].urban
            count = weighted(rng, COMMUNITY_GRIDS if urban else VILLAGE_GRIDS)
            kind = Area.Kind.COMMUNITY if urban else Area.Kind.VILLAGE
            members = grids[position : position + count]
            areas.append(AreaPlan(kind, station, [g.index for g in members]))
            position += count
        force_area_kinds(city, areas)
        for area in areas:
            for grid_index in area.grids:
                city.grids[grid_index].area = len(city.areas)
            city.areas.append(area)


def force_area_kinds(city: City, areas: list[AreaPlan]) -> None:
    """Make at least three areas, one community and two villages.

    Areas are split in two (largest first) and their kinds changed, the
    most urban becoming the community and the least urban the villages.
    """
    while len(areas) < 3:
        largest = max(range(len(areas)), key=lambda i: (len(areas[i].grids), -i))
        area = areas[largest]
        half = len(area.grids) // 2
        areas[largest : largest + 1] = [
            AreaPlan(area.kind, area.station, area.grids[:half]),
            AreaPlan(area.kind, area.station, area.grids[half:]),
        ]

    def urban_share(area: AreaPlan) -> float:
        return sum(city.grids[g].urban for g in area.grids) / len(area.grids)

    def number_of(kind: str) -> int:
        return sum(area.kind == kind for area in areas)

    by_urbanity = sorted(range(len(areas)), key=lambda i: (-urban_share(areas[i]), i))
    if not number_of(Area.Kind.COMMUNITY):
        areas[by_urbanity[0]].kind = Area.Kind.COMMUNITY
    for index in reversed(by_urbanity):
        if number_of(Area.Kind.VILLAGE) >= 2:
            break
        if areas[index].kind == Area.Kind.COMMUNITY:
            if number_of(Area.Kind.COMMUNITY) == 1:
                continue
            areas[index].kind = Area.Kind.VILLAGE


def plan_household_counts(rng: random.Random, city: City) -> None:
    """Share the households among grids: urban grids hold about twice more."""
    weights = [
        (1.0 if grid.urban else 0.45) * rng.uniform(0.75, 1.25) for grid in city.grids
    ]
    # Every grid has a household; the rest go by largest remainder.
    spare = city.size.households - len(city.grids)
    total = sum(weights)
    exact = [spare * w / total for w in weights]
    counts = [1 + int(x) for x in exact]
    left = city.size.households - sum(counts)
    by_remainder = sorted(
        range(len(exact)), key=lambda i: (-(exact[i] - int(exact[i])), i)
    )
    for index in by_remainder[:left]:
        counts[index] += 1
    for grid, target in zip(city.grids, counts, strict=True):
        grid.household_target = target


def name_places(rng: random.Random, city: City) -> None:
    """Name stations, communities, villages and grids; code stations and grids."""
    station_count = city.size.stations
    city.station_names = [
        STATION_NAMES[i % len(STATION_NAMES)]
        + ("" if i < len(STATION_NAMES) else str(i // len(STATION_NAMES) + 1))
        for i in range(station_count)
    ]
    communities = [a for a in city.areas if a.kind == Area.Kind.COMMUNITY]
    villages = [a for a in city.areas if a.kind == Area.Kind.VILLAGE]
    community_names = [
        f"{head}{tail}社区" for head in COMMUNITY_HEADS for tail in COMMUNITY_TAILS
    ]
    village_names = [
        f"{prefix}{surname}{tail}村"
        for prefix in VILLAGE_PREFIXES
        for surname in VILLAGE_SURNAMES
        for tail in VILLAGE_TAILS
    ]
    for area, area_name in zip(
        communities,
        unique_names(rng, sorted(set(community_names)), len(communities)),
        strict=True,
    ):
        area.name = area_name
    for area, area_name in zip(
        villages, unique_names(rng, village_names, len(villages)), strict=True
    ):
        area.name = area_name
    numbers = [0] * station_count
    for area in city.areas:
        for number, grid_index in enumerate(area.grids, 1):
            grid = city.grids[grid_index]
            numbers[grid.station] += 1
            grid.name = f"{area.name}第{number}网格"
            grid.code = (
                f"{station_code(city, grid.station)}-{numbers[grid.station]:03d}"
            )


def station_code(city: City, station: int) -> str:
    return f"{city.code}-{station + 1:02d}"


def write_territory(city: City) -> None:
    city.bureau = Bureau.objects.create(
        code=city.code, name=f"{CITY_NAME}公安局（{city.code}）"
    )
    seats = {}
    for area in city.areas:
        if area.kind == Area.Kind.COMMUNITY:
            seats.setdefault(area.station, area.grids[0])
    city.stations = bulk_insert(
        [
            Station(
                code=station_code(city, station),
                name=f"{CITY_NAME}公安局{city.station_names[station]}派出所",
                bureau=city.bureau,
                location=point_of(city.grids[seats[station]].polygon),
            )
            for station in range(city.size.stations)
        ]
    )
    areas = bulk_insert(
        [
            Area(
                name=area.name,
                kind=area.kind,
                station=city.stations[area.station],
                boundary=json.loads(
                    shapely.to_geojson(
                        shapely.union_all([city.grids[g].polygon for g in area.grids])
                    )
                ),
            )
            for area in city.areas
        ]
    )
    for plan, area in zip(city.areas, areas, strict=True):
        plan.id = area.pk
    grids = []
    for plan in city.grids:
        min_lon, min_lat, max_lon, max_lat = plan.polygon.bounds
        grids.append(
            Grid(
                name=plan.name,
                code=plan.code,
                area_id=city.areas[plan.area].id,
                boundary=plan.boundary,
                complexity=complexity_of(plan),
                min_lon=min_lon,
                min_lat=min_lat,
                max_lon=max_lon,
                max_lat=max_lat,
            )
        )
    for plan, grid in zip(city.grids, bulk_insert(grids), strict=True):
        plan.id = grid.pk


def complexity_of(grid: GridPlan) -> int:
    """Busy urban grids are complex (3), other urban ones average, villages simple."""
    if not grid.urban:
        return 1
    return 3 if grid.household_target > 400 else 2


def point_of(polygon: Polygon) -> dict:
    """Return a GeoJSON Point surely inside ``polygon``."""
    point = polygon.representative_point()
    return {"type": "Point", "coordinates": [round(point.x, 6), round(point.y, 6)]}


#
# Stage 2: posts
#


def create_posts(city: City) -> dict[str, int]:
    """Give every station posts of the four kinds (SPEC §2, seed figures).

    Every community has a community office, staffed by its grids' officers.
    Villages are grouped in runs of 4-6: the first run of each station, and
    some others, get a rural central office staffed by the officers of the
    village it stands in; most other villages get a workstation staffed by
    their first grid's officer. Each station has a central kiosk.
    """
    rng = city.rng("posts")
    for station in range(city.size.stations):
        areas = [i for i, a in enumerate(city.areas) if a.station == station]
        communities = [i for i in areas if city.areas[i].kind == Area.Kind.COMMUNITY]
        villages = [i for i in areas if city.areas[i].kind == Area.Kind.VILLAGE]
        for area in communities:
            add_post(city, Post.Kind.COMMUNITY_OFFICE, area, [area], "警务室")
        plan_village_posts(rng, city, villages)
        add_post(city, Post.Kind.KIOSK, communities[0], [communities[0]], "中心警务亭")
    posts = bulk_insert(
        [
            Post(
                name=plan.name,
                kind=plan.kind,
                station=city.stations[plan.station],
                location=point_of(
                    city.grids[city.areas[plan.host_area].grids[0]].polygon
                ),
                opening_hours=OPENING_HOURS[plan.kind],
            )
            for plan in city.posts
        ]
    )
    links = []
    for plan, post in zip(city.posts, posts, strict=True):
        plan.id = post.pk
        links.extend(
            Post.serves.through(post_id=post.pk, area_id=city.areas[area].id)
            for area in plan.serves
        )
    bulk_insert(links)
    return {"posts": len(posts), "areas served": len(links)}


def add_post(
    city: City, kind: str, host: int, serves: list[int], suffix: str
) -> PostPlan:
    area = city.areas[host]
    if kind == Post.Kind.KIOSK:
        post_name = f"{city.station_names[area.station]}{suffix}"
    else:
        post_name = f"{area.name}{suffix}"
    post = PostPlan(kind, area.station, post_name, host, serves)
    if kind in (Post.Kind.COMMUNITY_OFFICE, Post.Kind.RURAL_OFFICE):
        post.staffed_from = list(area.grids)
    elif kind == Post.Kind.WORKSTATION:
        post.staffed_from = area.grids[:1]
    city.posts.append(post)
    return post


def plan_village_posts(rng: random.Random, city: City, villages: list[int]) -> None:
    covered: set[int] = set()
    position = 0
    first = True
    while position < len(villages):
        count = rng.choice(RURAL_OFFICE_VILLAGES)
        if first:
            # Leave a village for a workstation, so the station has one.
            count = min(count, len(villages) - 1)
        group = villages[position : position + count]
        # Seed: a rural central office serves 4-6 villages.
        if first or (len(group) >= 4 and rng.random() < EXTRA_RURAL_OFFICE_SHARE):
            add_post(city, Post.Kind.RURAL_OFFICE, group[0], group, "中心警务室")
            covered.update(group)
        position += count
        first = False
    uncovered = [v for v in villages if v not in covered]
    for number, village in enumerate(uncovered):
        if number == 0 or rng.random() < WORKSTATION_SHARE:
            add_post(city, Post.Kind.WORKSTATION, village, [village], "警务工作站")


#
# Stage 3: staff and assignments
#


def create_staff(city: City) -> dict[str, int]:
    """Staff every grid and post, with a year of moves, and write it.

    Per grid: a responsible officer and one or two auxiliaries or grid
    workers (about 1.5); per station a chief, a kiosk officer and a
    mediator; and some bureau staff. Postings began before the year. During
    the year about 5% of officers swap grids with another of their station,
    and about 6% of helpers leave and are replaced: the old assignment ends
    the day before the new one starts, so every grid keeps exactly one
    responsible officer every day. A grid officer's posts follow their grid.
    """
    rng = city.rng("staff")
    days = city.days
    year_first, year_last = days[0].toordinal(), days[-1].toordinal()
    badges: set[str] = set()

    def person(kind: str, station: int | None, *, is_chief: bool = False):
        male = rng.random() < (0.8 if kind == Person.Kind.OFFICER else 0.55)
        plan = PersonPlan(
            kind=kind,
            station=station,
            name=draw_name(rng, female=not male),
            phone=draw_phone(rng),
            badge=draw_badge(rng, badges)
            if kind in (Person.Kind.OFFICER, Person.Kind.AUXILIARY)
            else "",
            is_chief=is_chief,
            diligence=rng.uniform(0.6, 1.3),
        )
        city.persons.append(plan)
        return plan

    post_spans: list[tuple[PostPlan, Span]] = []
    for station in range(city.size.stations):
        person(Person.Kind.OFFICER, station, is_chief=True)
        kiosk = next(
            p for p in city.posts if p.station == station and p.kind == Post.Kind.KIOSK
        )
        started = year_first - rng.randint(30, 1500)
        kiosk_officer = person(Person.Kind.OFFICER, station)
        post_spans.append(
            (kiosk, Span(kiosk_officer, Assignment.Role.RESPONSIBLE, started, None))
        )
        mediator = person(Person.Kind.MEDIATOR, station)
        city.mediators[station] = mediator
        first_office = next(
            p
            for p in city.posts
            if p.station == station and p.kind == Post.Kind.COMMUNITY_OFFICE
        )
        post_spans.append(
            (first_office, Span(mediator, Assignment.Role.ASSISTANT, started, None))
        )
    for grid in city.grids:
        started = year_first - rng.randint(30, 1500)
        officer = person(Person.Kind.OFFICER, grid.station)
        grid.spans.append(Span(officer, Assignment.Role.RESPONSIBLE, started, None))
        for _ in range(rng.choice((1, 2))):
            kind = (
                Person.Kind.AUXILIARY if rng.random() < 0.4 else Person.Kind.GRID_WORKER
            )
            helper = person(kind, grid.station)
            grid.spans.append(Span(helper, Assignment.Role.ASSISTANT, started, None))
    for _ in range(city.size.bureau_staff):
        person(Person.Kind.OFFICER, None)

    def move_day() -> int:
        # Not in the first or last fortnight, so both sides show in a month.
        return rng.randint(year_first + 14, year_last - 14)

    for station in range(city.size.stations):
        grids = [g for g in city.grids if g.station == station]
        rng.shuffle(grids)
        swaps = max(1, round(len(grids) * 0.05 / 2))
        for left, right in zip(
            grids[0 : 2 * swaps : 2], grids[1 : 2 * swaps : 2], strict=True
        ):
            swap_officers(left, right, move_day())
        helpers = [
            (grid, span)
            for grid in sorted(grids, key=lambda g: g.index)
            for span in grid.spans
            if span.role == Assignment.Role.ASSISTANT
        ]
        for grid, span in rng.sample(helpers, max(1, round(len(helpers) * 0.06))):
            day = move_day()
            span.last = day - 1
            newcomer = person(span.person.kind, station)
            grid.spans.append(Span(newcomer, Assignment.Role.ASSISTANT, day, None))
    for post in city.posts:
        for grid_index in post.staffed_from:
            for span in city.grids[grid_index].spans:
                if span.role == Assignment.Role.RESPONSIBLE:
                    # The officer of the host area's first grid runs the post.
                    lead = grid_index == post.staffed_from[0]
                    role = (
                        Assignment.Role.RESPONSIBLE
                        if lead
                        else Assignment.Role.ASSISTANT
                    )
                    post_spans.append(
                        (post, Span(span.person, role, span.first, span.last))
                    )
    return write_staff(city, post_spans)


def draw_badge(rng: random.Random, used: set[str]) -> str:
    while (badge := str(rng.randint(100000, 999999))) in used:
        pass
    used.add(badge)
    return badge


def swap_officers(left: GridPlan, right: GridPlan, day: int) -> None:
    """Swap the responsible officers of two grids from ``day`` on."""
    old_left = left.responsible_on(day)
    old_right = right.responsible_on(day)
    for grid, leaving, arriving in (
        (left, old_left, old_right),
        (right, old_right, old_left),
    ):
        for span in grid.spans:
            if span.person is leaving and span.last is None:
                span.last = day - 1
        grid.spans.append(Span(arriving, Assignment.Role.RESPONSIBLE, day, None))


def write_staff(city: City, post_spans: list[tuple[PostPlan, Span]]) -> dict[str, int]:
    bureau = city.bureau
    persons = bulk_insert(
        [
            Person(
                name=plan.name,
                kind=plan.kind,
                bureau=bureau,
                station=None if plan.station is None else city.stations[plan.station],
                is_chief=plan.is_chief,
                badge_number=plan.badge,
                phone=plan.phone,
            )
            for plan in city.persons
        ]
    )
    for plan, person in zip(city.persons, persons, strict=True):
        plan.id = person.pk

    def day(ordinal: int | None) -> datetime.date | None:
        return None if ordinal is None else datetime.date.fromordinal(ordinal)

    assignments = [
        Assignment(
            person_id=span.person.id,
            grid_id=grid.id,
            role=span.role,
            start=day(span.first),
            end=day(span.last),
        )
        for grid in city.grids
        for span in grid.spans
    ]
    assignments += [
        Assignment(
            person_id=span.person.id,
            post_id=post.id,
            role=span.role,
            start=day(span.first),
            end=day(span.last),
        )
        for post, span in post_spans
    ]
    bulk_insert(assignments)
    return {"persons": len(persons), "assignments": len(assignments)}


#
# Stage 4: households
#


def create_households(city: City) -> dict[str, int]:
    """Write each grid's households at points inside the grid.

    Urban households live in blocks of flats: every block is a point in the
    grid, with units, floors and rooms. Village households each have their
    own house in the village's groups (村民小组).
    """
    rng = city.rng("households")
    fields = ("address", "location", "grid_id", "member_count")
    batch: list[tuple] = []
    owners: list[tuple[GridPlan, int]] = []
    written = 0

    def flush():
        nonlocal written
        ids = city.writer.insert(Household, fields, batch, return_ids=True)
        for (grid, residents), pk in zip(owners, ids, strict=True):
            grid.households.append(pk)
            grid.resident_counts.append(residents)
        written += len(batch)
        batch.clear()
        owners.clear()

    members = Sampler(RESIDENTS_PER_HOUSEHOLD)
    unregistered = Sampler({0: 85, 1: 12, 2: 3})
    for area in city.areas:
        street_names = rng.sample(ROADS, 3)
        groups = count()  # a village's groups are numbered across its grids
        for number, grid_index in enumerate(area.grids):
            grid = city.grids[grid_index]
            if area.kind == Area.Kind.COMMUNITY:
                homes = flats(rng, grid, area.name, street_names, number)
            else:
                homes = village_houses(rng, grid, area.name, groups)
            for address, location in homes:
                residents = members.draw(rng)
                grid.residents += residents
                batch.append(
                    (address, location, grid.id, residents + unregistered.draw(rng))
                )
                owners.append((grid, residents))
                if len(batch) >= BATCH:
                    flush()
    flush()
    # A grid's population is that of its registered residents.
    grids = [Grid(pk=plan.id, population=plan.residents) for plan in city.grids]
    Grid.objects.bulk_update(grids, ["population"], batch_size=SMALL_BATCH)
    return {"households": written}


def random_point(rng: random.Random, polygon: Polygon) -> dict:
    """Return a GeoJSON Point strictly inside ``polygon`` (rounded to 1e-6°)."""
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    while True:
        lon = round(rng.uniform(min_lon, max_lon), 6)
        lat = round(rng.uniform(min_lat, max_lat), 6)
        if shapely.contains_xy(polygon, lon, lat):
            return {"type": "Point", "coordinates": [lon, lat]}


def flats(
    rng: random.Random, grid: GridPlan, area: str, roads: list[str], grid_number: int
) -> Iterable[tuple[str, dict]]:
    """Yield (address, point) of the grid's flats, block by block."""
    left = grid.household_target
    block = 0
    while left > 0:
        block += 1
        road = roads[(grid_number + block) % len(roads)]
        # House numbers are spaced by grid, so two grids never share one.
        house = 100 * grid_number + 2 * block
        point = random_point(rng, grid.polygon)
        units, floors, rooms = rng.randint(1, 4), rng.randint(6, 33), rng.randint(2, 4)
        for unit in range(1, units + 1):
            for floor in range(1, floors + 1):
                for room in range(1, rooms + 1):
                    if left == 0:
                        return
                    if rng.random() < 0.15:
                        continue  # empty flat
                    left -= 1
                    yield (
                        f"{CITY_NAME}{area}{road}{house}号{block}号楼"
                        f"{unit}单元{floor}{room:02d}室",
                        point,
                    )


def village_houses(
    rng: random.Random, grid: GridPlan, area: str, groups: Iterator[int]
) -> Iterable[tuple[str, dict]]:
    """Yield (address, point) of the grid's houses, group by group."""
    per_group = rng.randint(40, 90)
    for house in range(grid.household_target):
        if house % per_group == 0:
            group = next(groups)
            numeral = (
                GROUP_NUMERALS[group]
                if group < len(GROUP_NUMERALS)
                else f"第{group + 1}"
            )
        yield (
            f"{CITY_NAME}{area}{numeral}组{house % per_group + 1}号",
            random_point(rng, grid.polygon),
        )


#
# Stage 5: residents
#


def create_residents(city: City) -> dict[str, int]:
    """Write the households' residents, with national IDs, phones, key persons.

    A household is a head, a spouse and children. Each national ID is valid
    under GB 11643 and unique, stored exactly as :class:`Resident` stores
    one: AES-GCM ciphertext, keyed hash and mask from
    :mod:`grids.national_id`.
    """
    rng = city.rng("residents")
    fields = (
        "name",
        "id_number_encrypted",
        "id_number_hash",
        "id_number_masked",
        "phone",
        "household_id",
        "is_key_person",
        "key_person_category",
    )
    used_numbers: set[int] = set()
    categories = Sampler(KEY_PERSON_WEIGHTS)
    adults_share = 0.85  # about the share of adults drawn below
    key_person_chance = KEY_PERSON_SHARE / adults_share
    batch: list[tuple] = []
    written = key_persons = 0
    for grid in city.grids:
        for household_id, size in zip(
            grid.households, grid.resident_counts, strict=True
        ):
            for name, birth, male in family(rng, size, city.until):
                number = id_number(rng, birth, male=male, used=used_numbers)
                adult = (city.until - birth).days >= ADULT_AGE * 365.25
                category = ""
                if adult and rng.random() < key_person_chance:
                    category = categories.draw(rng)
                    key_persons += 1
                batch.append(
                    (
                        name,
                        national_id.encrypt(number),
                        national_id.blind_index(number),
                        national_id.mask(number),
                        draw_phone(rng) if adult and rng.random() < 0.9 else "",
                        household_id,
                        bool(category),
                        category,
                    )
                )
            if len(batch) >= BATCH:
                city.writer.insert(Resident, fields, batch)
                written += len(batch)
                batch.clear()
    city.writer.insert(Resident, fields, batch)
    written += len(batch)
    return {"residents": written, "key persons": key_persons}


def family(
    rng: random.Random, size: int, until: datetime.date
) -> list[tuple[str, datetime.date, bool]]:
    """Return (name, birth date, male) of a head, a spouse and children."""
    surname = draw_name(rng)[0]
    head_age = rng.randint(22, 85)
    head_male = rng.random() < 0.6
    members = [(surname, head_age, head_male)]
    if size >= 2:
        members.append(("", max(20, head_age + rng.randint(-5, 5)), not head_male))
    for _ in range(size - 2):
        members.append(
            (surname, max(0, head_age - rng.randint(22, 36)), rng.random() < 0.5)
        )
    people = []
    for family_name, age, male in members:
        born = until - datetime.timedelta(days=age * 365 + rng.randint(1, 364))
        people.append(
            (draw_name(rng, female=not male, surname=family_name), born, male)
        )
    return people


def id_number(
    rng: random.Random, birth: datetime.date, *, male: bool, used: set[int]
) -> str:
    """Return an unused national ID with its GB 11643 check character."""
    regions = HOME_REGIONS if rng.random() < HOME_REGION_SHARE else OTHER_REGIONS
    history = rng.choice(regions)
    registered = max(birth.year, FIRST_REGISTRATION_YEAR)
    region = next(
        (code for since, code in reversed(history) if since <= registered),
        history[0][1],
    )
    while True:
        # The sequence number is odd for men, even for women.
        sequence = 2 * rng.randint(0, 499) + 1 if male else 2 * rng.randint(1, 499)
        body = f"{region}{birth:%Y%m%d}{sequence:03d}"
        if int(body) not in used:
            used.add(int(body))
            return body + national_id.check_character(body)


#
# Stage 6: visits
#


def create_visits(city: City) -> dict[str, int]:
    """Write a year of household visits, day by day as they would accrue.

    Key persons are met weekly, talked to monthly and reviewed quarterly by
    their grid's responsible officer (seed: Qujing), most of the time. The
    rest of the yearly total are routine visits by whoever is posted to the
    grid that day, in proportion to their kind, diligence and the weekday,
    at daytime hours, each to a household of that grid.
    """
    rng = city.rng("visits")
    days = city.days
    ordinals = [day.toordinal() for day in days]
    midnights = [local_midnight(day) for day in days]
    contacts = plan_key_person_contacts(rng, city, days)
    planned_contacts = sum(len(c) for c in contacts)
    routine = max(0, city.size.visits - planned_contacts)
    factors = [VISIT_DAY_FACTORS[day.weekday()] for day in days]
    weight_days = weighted_person_days(city, ordinals, factors, VISIT_WEIGHTS)
    per_weight = routine / (weight_days * (1 - ABSENCE)) if weight_days else 0.0
    hours, kinds, items = (
        Sampler(VISIT_HOURS),
        Sampler(VISIT_KINDS),
        Sampler(INFO_ITEMS),
    )
    fields = (
        "person_id",
        "household_id",
        "grid_id",
        "resident_id",
        "visited_at",
        "kind",
        "info_items",
        "client_uuid",
        "created_at",
        "notes",
    )
    batch: list[tuple] = []
    written = 0

    def visit_at(day_index: int) -> datetime.datetime:
        seconds = hours.draw(rng) * 3600 + rng.randrange(3600)
        return midnights[day_index] + datetime.timedelta(seconds=seconds)

    for day_index, ordinal in enumerate(ordinals):
        for grid in city.grids:
            households = grid.households
            for span in grid.spans:
                if not span.covers(ordinal) or rng.random() < ABSENCE:
                    continue
                mean = (
                    per_weight
                    * VISIT_WEIGHTS[span.person.kind]
                    * span.person.diligence
                    * factors[day_index]
                )
                for _ in range(stochastic_round(rng, mean * (0.5 + rng.random()))):
                    at = visit_at(day_index)
                    batch.append(
                        (
                            span.person.id,
                            households[int(rng.random() * len(households))],
                            grid.id,
                            None,
                            at,
                            kinds.draw(rng),
                            items.draw(rng),
                            new_uuid(rng),
                            at,
                            "",
                        )
                    )
        for grid_index, resident_id, household_id, kind in contacts[day_index]:
            grid = city.grids[grid_index]
            officer = grid.responsible_on(ordinal)
            at = visit_at(day_index)
            batch.append(
                (
                    officer.id,
                    household_id,
                    grid.id,
                    resident_id,
                    at,
                    kind,
                    items.draw(rng),
                    new_uuid(rng),
                    at,
                    "",
                )
            )
        if len(batch) >= BATCH:
            city.writer.insert(Visit, fields, batch)
            written += len(batch)
            batch.clear()
    city.writer.insert(Visit, fields, batch)
    written += len(batch)
    return {"visits": written, "key-person contacts": planned_contacts}


def weighted_person_days(
    city: City, ordinals: list[int], factors: list[float], weights: dict[str, float]
) -> float:
    """Sum weight * diligence * day factor over every posted person-day."""
    prefix = [0.0]
    for factor in factors:
        prefix.append(prefix[-1] + factor)
    first_ordinal = ordinals[0]
    total = 0.0
    for grid in city.grids:
        for span in grid.spans:
            weight = weights.get(span.person.kind, 0.0)
            start = max(span.first - first_ordinal, 0)
            last = len(ordinals) - 1 if span.last is None else span.last - first_ordinal
            end = min(last, len(ordinals) - 1) + 1
            if weight and end > start:
                total += weight * span.person.diligence * (prefix[end] - prefix[start])
    return total


def plan_key_person_contacts(
    rng: random.Random, city: City, days: list[datetime.date]
) -> list[list[tuple[int, int, int, str]]]:
    """Return, per day, the key-person contacts as (grid, resident, household, kind).

    Each key person has a weekday for meetings and a day of the month for
    talks; quarterly reviews fall on that day in January, April, July and
    October.
    """
    grid_of = {plan.id: plan.index for plan in city.grids}
    key_persons = (
        Resident.objects.filter(
            household__grid__area__station__bureau=city.bureau, is_key_person=True
        )
        .order_by("pk")
        .values_list("pk", "household_id", "household__grid_id")
    )
    contacts: list[list[tuple[int, int, int, str]]] = [[] for _ in days]
    for resident_id, household_id, grid_id in key_persons:
        weekday, day_of_month = rng.randrange(5), rng.randint(1, 28)
        for day_index, day in enumerate(days):
            kind = None
            if day.weekday() == weekday and rng.random() < KEY_PERSON_MEETING_KEPT:
                kind = Visit.Kind.KEY_PERSON_MEETING
            elif day.day == day_of_month:
                if day.month % 3 == 1 and rng.random() < KEY_PERSON_REVIEW_KEPT:
                    kind = Visit.Kind.KEY_PERSON_REVIEW
                elif rng.random() < KEY_PERSON_TALK_KEPT:
                    kind = Visit.Kind.KEY_PERSON_TALK
            if kind:
                contacts[day_index].append(
                    (grid_of[grid_id], resident_id, household_id, kind)
                )
    return contacts


#
# Stage 7: patrols
#


def create_patrols(city: City) -> dict[str, int]:
    """Write a year of patrols: mostly daytime, about 20% at night.

    A night patrol overlaps 20:00-06:00 (seed: Qujing); only officers and
    auxiliaries take them. A day patrol ends before 20:00.
    """
    rng = city.rng("patrols")
    days = city.days
    ordinals = [day.toordinal() for day in days]
    midnights = [local_midnight(day) for day in days]
    factors = [PATROL_DAY_FACTORS[day.weekday()] for day in days]
    weight_days = weighted_person_days(city, ordinals, factors, PATROL_WEIGHTS)
    night_weights = {kind: PATROL_WEIGHTS[kind] for kind in NIGHT_PATROLLERS}
    night_weight_days = weighted_person_days(city, ordinals, factors, night_weights)
    per_weight = city.size.patrols / (weight_days * (1 - ABSENCE)) if weight_days else 0
    night_chance = (
        min(1.0, NIGHT_PATROL_SHARE * weight_days / night_weight_days)
        if night_weight_days
        else 0.0
    )
    lengths = Sampler(PATROL_HOURS)
    fields = (
        "person_id",
        "grid_id",
        "started_at",
        "ended_at",
        "client_uuid",
        "created_at",
        "notes",
    )
    batch: list[tuple] = []
    written = nights = 0
    for day_index, ordinal in enumerate(ordinals):
        for grid in city.grids:
            for span in grid.spans:
                if not span.covers(ordinal) or rng.random() < ABSENCE:
                    continue
                kind = span.person.kind
                mean = (
                    per_weight
                    * PATROL_WEIGHTS.get(kind, 0.0)
                    * span.person.diligence
                    * factors[day_index]
                )
                for _ in range(stochastic_round(rng, mean)):
                    minutes = lengths.draw(rng) * 60 + rng.randrange(-20, 40)
                    night = kind in NIGHT_PATROLLERS and rng.random() < night_chance
                    if night:
                        nights += 1
                        # Most night patrols start in the evening, some
                        # after midnight.
                        start = (
                            rng.randrange(20 * 60, 24 * 60)
                            if rng.random() < 0.7
                            else rng.randrange(0, 4 * 60)
                        )
                    else:
                        start = rng.randrange(7 * 60, 20 * 60 - minutes)
                    started = midnights[day_index] + datetime.timedelta(
                        minutes=start, seconds=rng.randrange(60)
                    )
                    # Nothing ends after the generated "now".
                    ended = min(started + datetime.timedelta(minutes=minutes), city.now)
                    batch.append(
                        (
                            span.person.id,
                            grid.id,
                            started,
                            ended,
                            new_uuid(rng),
                            started,
                            "",
                        )
                    )
        if len(batch) >= BATCH:
            city.writer.insert(Patrol, fields, batch)
            written += len(batch)
            batch.clear()
    city.writer.insert(Patrol, fields, batch)
    written += len(batch)
    return {"patrols": written, "night patrols": nights}


#
# Stage 8: disputes
#


@dataclass
class Step:
    """One timeline step of a dispute or a case, before it is written."""

    at: datetime.datetime
    kind: str
    detail: dict = field(default_factory=dict)


def create_disputes(city: City) -> dict[str, int]:
    """Write a year of disputes taken as far as the time up to now allows.

    Each dispute's whole course is drawn first (acceptance, regrading and
    escalation, sessions, the outcome, the return visit, closing), and only
    the steps before "now" happen: a dispute reported last night is still
    reported. Due times follow the bureau's :class:`DisputePolicy` exactly
    as :mod:`disputes.workflow` sets them, and a few steps come late, so
    overdue flags are meaningful.
    """
    rng = city.rng("disputes")
    policy = DisputePolicy.for_bureau(city.bureau.pk)
    plans = []
    for _ in range(city.size.disputes):
        grid, reported_at = draw_report(rng, city, hours=(8, 22))
        plans.append(plan_dispute(rng, city, policy, grid, reported_at))
    plans.sort(key=lambda plan: (plan["reported_at"], plan["grid"].index))
    heads = household_heads(plan["household"] for plan in plans)
    return write_disputes(city, policy, plans, heads)


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


def within_or_late(rng: random.Random, limit_hours: float) -> tuple[float, float]:
    """Return a delay range: inside the time limit, or now and then past it."""
    if rng.random() < LATE_STEP_SHARE:
        return limit_hours + 1, limit_hours * 3
    return 0.5, limit_hours * 0.9


def plan_dispute(rng, city, policy, grid: GridPlan, reported_at) -> dict:
    """Draw one dispute's texts and its full course of steps."""
    category = weighted(rng, dispute_texts.CATEGORY_WEIGHTS)
    template, low, high, step, second = rng.choice(dispute_texts.SUMMARIES[category])
    a = draw_name(rng, female=category != "family" and rng.random() < 0.3)
    b = draw_name(
        rng,
        female=second.startswith("f") or (not second and rng.random() < 0.3),
        surname=a[0] if second.endswith("kin") else "",
    )
    n = rng.randrange(low, high + 1, step)
    colour = weighted(rng, DISPUTE_COLOURS)
    household = (
        grid.households[rng.randrange(len(grid.households))]
        if rng.random() < 0.6
        else None
    )
    steps = [Step(reported_at, EventKind.REPORTED, {"to": colour})]
    accepted = hours_later(
        rng, reported_at, *within_or_late(rng, policy.first_contact_hours)
    )
    steps.append(Step(accepted, EventKind.ACCEPTED))
    first_session = hours_later(
        rng, accepted, *within_or_late(rng, policy.mediation_hours)
    )
    # Regrading and escalation happen between acceptance and the session.
    if colour != Colour.RED and rng.random() < 0.1:
        upgraded = Colour.values[Colour.values.index(colour) + 1]
        steps.append(
            Step(
                accepted + (first_session - accepted) * 0.3,
                EventKind.REGRADED,
                {"to": upgraded, "reason": rng.choice(dispute_texts.UPGRADE_REASONS)},
            )
        )
    if rng.random() < 0.08:
        steps.append(
            Step(
                accepted + (first_session - accepted) * 0.6,
                EventKind.ESCALATED,
                {"reason": rng.choice(dispute_texts.ESCALATE_REASONS)},
            )
        )
    ending = weighted(rng, DISPUTE_ENDINGS)
    # A referral may come before any session; every other ending after some.
    if ending != Status.REFERRED or rng.random() < 0.5:
        last = first_session
        steps.append(session_step(rng, first_session, a, b))
        for _ in range(rng.choices((0, 1, 2), weights=(5, 3, 2))[0]):
            last = hours_later(rng, last, 12, 96)
            steps.append(session_step(rng, last, a, b))
    ended = hours_later(rng, steps[-1].at, 2, 72)
    if ending == Status.RESOLVED:
        terms = rng.choice(dispute_texts.AGREEMENT_TERMS).format(a=a, b=b, n=n)
        steps.append(
            Step(
                ended,
                EventKind.RESOLVED,
                {"terms": terms, "place": rng.choice(dispute_texts.PLACES)},
            )
        )
        visited = hours_later(
            rng, ended, *within_or_late(rng, 24 * policy.return_visit_days)
        )
        steps.append(
            Step(
                visited,
                EventKind.RETURN_VISIT,
                {
                    "outcome": rng.choice(dispute_texts.VISIT_OUTCOMES),
                    "satisfaction": weighted(rng, SATISFACTION),
                },
            )
        )
        steps.append(Step(hours_later(rng, visited, 2, 72), EventKind.CLOSED))
    else:
        reasons = (
            dispute_texts.REFER_REASONS
            if ending == Status.REFERRED
            else dispute_texts.FAIL_REASONS
        )
        kind = EventKind.REFERRED if ending == Status.REFERRED else EventKind.FAILED
        steps.append(Step(ended, kind, {"reason": rng.choice(reasons)}))
        steps.append(Step(hours_later(rng, ended, 24, 120), EventKind.CLOSED))
    return {
        "grid": grid,
        "household": household,
        "category": category,
        "summary": template.format(a=a, b=b, n=n),
        "parties": [(a, draw_phone(rng)), (b, draw_phone(rng))],
        "colour": colour,
        "reported_at": reported_at,
        # Only what happened before "now" is written.
        "steps": [s for s in steps if s.at < city.now],
        "mediator": rng.random() < 0.3,
    }


def session_step(rng: random.Random, at: datetime.datetime, a: str, b: str) -> Step:
    return Step(
        at,
        EventKind.SESSION_HELD,
        {
            "notes": rng.choice(dispute_texts.SESSION_NOTES),
            "place": rng.choice(dispute_texts.PLACES),
            "participants": f"{a}、{b}",
        },
    )


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


STATUS_AFTER = {
    EventKind.REPORTED: Status.REPORTED,
    EventKind.ACCEPTED: Status.ACCEPTED,
    EventKind.SESSION_HELD: Status.MEDIATING,
    EventKind.RESOLVED: Status.RESOLVED,
    EventKind.REFERRED: Status.REFERRED,
    EventKind.FAILED: Status.FAILED,
    EventKind.CLOSED: Status.CLOSED,
}


def write_disputes(city: City, policy, plans: list[dict], heads) -> dict[str, int]:
    """Write the disputes and their parties, events, sessions and agreements."""
    disputes = []
    for plan in plans:
        grid: GridPlan = plan["grid"]
        reporter = grid.responsible_on(plan["reported_at"].date().toordinal())
        plan["officer"] = reporter
        dispute = Dispute(
            grid_id=grid.id,
            household_id=plan["household"],
            category=plan["category"],
            summary=plan["summary"],
            colour=plan["colour"],
            level=policy.level_for(plan["colour"]),
            status=Status.REPORTED,
            reported_at=plan["reported_at"],
            reported_by_id=reporter.id,
            first_contact_due=plan["reported_at"]
            + datetime.timedelta(hours=policy.first_contact_hours),
        )
        for step in plan["steps"]:
            apply_dispute_step(dispute, step, policy)
        disputes.append(dispute)
    bulk_insert(disputes)

    parties, events, sessions, return_visits = [], [], [], []
    session_mediators, agreements = [], []
    for plan, dispute in zip(plans, disputes, strict=True):
        officer = plan["officer"]
        (a, a_phone), (b, b_phone) = plan["parties"]
        head = heads.get(plan["household"])
        first = DisputeParty(dispute=dispute, name=a, phone=a_phone)
        if head is not None:
            first.resident_id, first.name, first.phone = (
                head[0],
                head[1],
                head[2] or a_phone,
            )
        plan["party_objects"] = [
            first,
            DisputeParty(dispute=dispute, name=b, phone=b_phone),
        ]
        parties += plan["party_objects"]
        colour, level = plan["colour"], policy.level_for(plan["colour"])
        for step in plan["steps"]:
            event = DisputeEvent(
                dispute=dispute, kind=step.kind, by_id=officer.id, at=step.at
            )
            if step.kind == EventKind.REPORTED:
                event.to_value = step.detail["to"]
            elif step.kind == EventKind.REGRADED:
                event.from_value, event.to_value = colour, step.detail["to"]
                event.reason = step.detail["reason"]
                colour = step.detail["to"]
                level = raised_level(level, policy.level_for(colour))
            elif step.kind == EventKind.ESCALATED:
                if level == Level.STATION:
                    continue  # already as high as it goes
                event.from_value, level = level, Level.values[LEVEL_RANK[level] + 1]
                event.to_value, event.reason = level, step.detail["reason"]
            elif step.kind == EventKind.SESSION_HELD:
                event.reason = step.detail["notes"]
                session = MediationSession(
                    dispute=dispute,
                    held_at=step.at,
                    place=step.detail["place"],
                    participants=step.detail["participants"],
                    notes=step.detail["notes"],
                )
                sessions.append(session)
                session_mediators.append((session, mediators_of(city, plan)))
            elif step.kind in (EventKind.REFERRED, EventKind.FAILED):
                event.reason = step.detail["reason"]
            elif step.kind == EventKind.RESOLVED:
                agreements.append((plan, step))
            elif step.kind == EventKind.RETURN_VISIT:
                event.to_value = str(step.detail["satisfaction"])
                event.reason = step.detail["outcome"]
                return_visits.append(
                    ReturnVisit(
                        dispute=dispute,
                        by_id=officer.id,
                        visited_at=step.at,
                        outcome=step.detail["outcome"],
                        satisfaction=step.detail["satisfaction"],
                    )
                )
            events.append(event)
    bulk_insert(parties)
    bulk_insert(events)
    bulk_insert(sessions)
    bulk_insert(return_visits)
    bulk_insert(
        [
            MediationSession.mediators.through(
                mediationsession_id=session.pk, person_id=person.id
            )
            for session, people in session_mediators
            for person in people
        ]
    )
    written_agreements = write_agreements(city, agreements, disputes, plans)
    return {
        "disputes": len(disputes),
        "dispute parties": len(parties),
        "dispute events": len(events),
        "mediation sessions": len(sessions),
        "agreements": written_agreements,
        "return visits": len(return_visits),
    }


def apply_dispute_step(dispute: Dispute, step: Step, policy) -> None:
    """Set the status and timestamps a step leaves, as the workflow does."""
    if step.kind in STATUS_AFTER:
        dispute.status = STATUS_AFTER[step.kind]
    if step.kind == EventKind.ACCEPTED:
        dispute.accepted_at = step.at
        dispute.mediation_due = step.at + datetime.timedelta(
            hours=policy.mediation_hours
        )
    elif step.kind == EventKind.REGRADED:
        dispute.colour = step.detail["to"]
        dispute.level = raised_level(dispute.level, policy.level_for(dispute.colour))
    elif step.kind == EventKind.ESCALATED and dispute.level != Level.STATION:
        dispute.level = Level.values[LEVEL_RANK[dispute.level] + 1]
    elif step.kind == EventKind.RESOLVED:
        dispute.resolved_at = step.at
        dispute.return_visit_due = step.at + datetime.timedelta(
            days=policy.return_visit_days
        )
    elif step.kind == EventKind.CLOSED:
        dispute.closed_at = step.at


def raised_level(level: str, policy_level: str) -> str:
    """Regrading raises the level to the policy's, never lowers it."""
    return policy_level if LEVEL_RANK[policy_level] > LEVEL_RANK[level] else level


def mediators_of(city: City, plan: dict) -> list[PersonPlan]:
    """The officer, sometimes with the station's mediator (调解员)."""
    mediators = [plan["officer"]]
    if plan["mediator"]:
        mediators.append(city.mediators[plan["grid"].station])
    return mediators


def write_agreements(city: City, resolutions, disputes, plans) -> int:
    """Write the agreements, numbered per station and year in signing order."""
    by_plan = {id(plan): dispute for plan, dispute in zip(plans, disputes, strict=True)}
    numbers: dict[str, int] = {}
    agreements, signers = [], []
    for plan, step in sorted(resolutions, key=lambda item: item[1].at):
        dispute = by_plan[id(plan)]
        year = timezone.localtime(step.at).year
        prefix = f"{year}-S{city.stations[plan['grid'].station].pk:04d}-"
        numbers[prefix] = numbers.get(prefix, 0) + 1
        agreement = Agreement(
            dispute=dispute,
            number=f"{prefix}{numbers[prefix]:04d}",
            terms=step.detail["terms"],
            signed_at=step.at,
            place=step.detail["place"],
        )
        agreements.append(agreement)
        signers.append((agreement, plan))
    bulk_insert(agreements)
    bulk_insert(
        [
            Agreement.mediators.through(agreement_id=agreement.pk, person_id=person.id)
            for agreement, plan in signers
            for person in mediators_of(city, plan)
        ]
    )
    bulk_insert(
        [
            Agreement.consenting_parties.through(
                agreement_id=agreement.pk, disputeparty_id=party.pk
            )
            for agreement, plan in signers
            for party in plan["party_objects"]
        ]
    )
    return len(agreements)


#
# Stage 9: cases
#

CASE_STATUS_AFTER = {
    CaseEventKind.REPORTED: CaseStatus.REPORTED,
    CaseEventKind.ACCEPTED: CaseStatus.ACCEPTED,
    CaseEventKind.INVESTIGATING: CaseStatus.INVESTIGATING,
    CaseEventKind.SOLVED: CaseStatus.SOLVED,
    CaseEventKind.CLOSED: CaseStatus.CLOSED,
    CaseEventKind.DROPPED: CaseStatus.DROPPED,
}


def create_cases(city: City) -> dict[str, int]:
    """Write a year of cases taken as far as the time up to now allows.

    As with disputes, each case's course is drawn whole (acceptance, maybe
    dropping, investigation, progress, solving, a return visit to the victim
    and maybe a rating, closing) and only the steps before "now" happen.
    The officer in charge is the grid's responsible officer on the day of
    the report; cases are numbered per kind, station and year.
    """
    rng = city.rng("cases")
    plans = []
    for _ in range(city.size.cases):
        grid, reported_at = draw_report(rng, city, hours=(0, 24))
        plans.append(plan_case(rng, city, grid, reported_at))
    plans.sort(key=lambda plan: (plan["reported_at"], plan["grid"].index))
    heads = household_heads(plan["household"] for plan in plans)
    return write_cases(city, plans, heads)


def plan_case(rng: random.Random, city: City, grid: GridPlan, reported_at) -> dict:
    categories = list(case_texts.CATEGORIES)
    category = rng.choices(
        categories, weights=[case_texts.CATEGORIES[c][1] for c in categories]
    )[0]
    kind, _weight, templates = case_texts.CATEGORIES[category]
    a, b = draw_name(rng), draw_name(rng)
    template = rng.choice(templates)
    summary = template.format(a=a, b=b, n=rng.randrange(300, 30000, 100))
    steps = [Step(reported_at, CaseEventKind.REPORTED)]
    accepted = hours_later(rng, reported_at, 0.2, 3)
    steps.append(
        Step(
            accepted,
            CaseEventKind.ACCEPTED,
            {"text": rng.choice(case_texts.ACCEPT_TEXTS)},
        )
    )
    if rng.random() < CASE_DROPPED_SHARE:
        steps.append(
            Step(
                hours_later(rng, accepted, 24, 168),
                CaseEventKind.DROPPED,
                {"text": rng.choice(case_texts.DROP_REASONS)},
            )
        )
    else:
        investigating = hours_later(rng, accepted, 1, 12)
        steps.append(
            Step(
                investigating,
                CaseEventKind.INVESTIGATING,
                {"text": rng.choice(case_texts.INVESTIGATE_TEXTS)},
            )
        )
        text, public = rng.choice(case_texts.PROGRESS_TEXTS)
        steps.append(
            Step(
                hours_later(rng, investigating, 24, 120),
                CaseEventKind.PROGRESS,
                {"text": text, "public": public},
            )
        )
        if rng.random() < CASE_SOLVED_SHARE[kind]:
            longest = 240 if kind == CaseKind.ADMINISTRATIVE else 1440
            solved = hours_later(rng, investigating, 130, 130 + longest)
            steps.append(
                Step(
                    solved,
                    CaseEventKind.SOLVED,
                    {"text": rng.choice(case_texts.SOLVE_TEXTS[kind])},
                )
            )
            visited = hours_later(rng, solved, 24, 72)
            rating = None
            if rng.random() < 0.5:
                rating = (
                    rng.choice((3, 4, 5, 5, 5)),
                    rng.choice(case_texts.RATING_COMMENTS),
                    hours_later(rng, visited, 1, 48),
                )
            steps.append(
                Step(
                    visited,
                    CaseEventKind.RETURN_VISIT,
                    {
                        "outcome": rng.choice(case_texts.RETURN_VISIT_OUTCOMES),
                        "rating": rating,
                    },
                )
            )
            steps.append(
                Step(hours_later(rng, visited, 120, 720), CaseEventKind.CLOSED)
            )
    occurred_at = reported_at - datetime.timedelta(hours=rng.uniform(0.5, 48))
    return {
        "grid": grid,
        "household": grid.households[rng.randrange(len(grid.households))]
        if rng.random() < 0.5
        else None,
        "kind": kind,
        "category": category,
        "summary": summary,
        "victim": (a, draw_phone(rng)),
        "suspect": (b, draw_phone(rng) if rng.random() < 0.5 else "")
        if "{b}" in template
        else None,
        "location": random_point(rng, grid.polygon),
        "occurred_at": occurred_at,
        "reported_at": reported_at,
        "steps": [s for s in steps if s.at < city.now],
    }


def write_cases(city: City, plans: list[dict], heads) -> dict[str, int]:
    """Write the cases and their parties, events, return visits and ratings."""
    numbers: dict[str, int] = {}
    cases = []
    for plan in plans:
        grid: GridPlan = plan["grid"]
        officer = grid.responsible_on(plan["reported_at"].date().toordinal())
        plan["officer"] = officer
        prefix = "XS" if plan["kind"] == CaseKind.CRIMINAL else "ZA"
        year = timezone.localtime(plan["reported_at"]).year
        head = f"{prefix}-{year}-S{city.stations[grid.station].pk:04d}-"
        numbers[head] = numbers.get(head, 0) + 1
        case = Case(
            number=f"{head}{numbers[head]:05d}",
            kind=plan["kind"],
            category=plan["category"],
            summary=plan["summary"],
            grid_id=grid.id,
            location=plan["location"],
            occurred_at=plan["occurred_at"],
            reported_at=plan["reported_at"],
            status=CaseStatus.REPORTED,
            officer_id=officer.id,
            reported_by_id=officer.id,
        )
        for step in plan["steps"]:
            if step.kind in CASE_STATUS_AFTER:
                case.status = CASE_STATUS_AFTER[step.kind]
            if step.kind == CaseEventKind.ACCEPTED:
                case.accepted_at = step.at
            elif step.kind == CaseEventKind.SOLVED:
                case.solved_at = step.at
            elif step.kind == CaseEventKind.CLOSED:
                case.closed_at = step.at
        cases.append(case)
    bulk_insert(cases)

    parties, victims = [], []
    for plan, case in zip(plans, cases, strict=True):
        name, phone = plan["victim"]
        victim = CaseParty(case=case, role=PartyRole.VICTIM, name=name, phone=phone)
        head = heads.get(plan["household"])
        if head is not None and head[2]:
            victim.resident_id, victim.name, victim.phone = head
        victim.phone_tail = victim.phone[-4:]
        parties.append(victim)
        victims.append(victim)
        if plan["suspect"]:
            name, phone = plan["suspect"]
            parties.append(
                CaseParty(
                    case=case,
                    role=PartyRole.SUSPECT,
                    name=name,
                    phone=phone,
                    phone_tail=phone[-4:],
                )
            )
    bulk_insert(parties)

    events, visits, ratings = [], [], []
    for plan, case, victim in zip(plans, cases, victims, strict=True):
        officer_id = plan["officer"].id
        for step in plan["steps"]:
            event = CaseEvent(
                case=case,
                kind=step.kind,
                by_id=officer_id,
                at=step.at,
                public=True,
                text=step.detail.get("text", ""),
            )
            if step.kind == CaseEventKind.PROGRESS:
                event.public = step.detail["public"]
            elif step.kind == CaseEventKind.RETURN_VISIT:
                outcome = step.detail["outcome"]
                event.public, event.text = False, f"{victim.name}: {outcome}"
                visits.append(
                    CaseReturnVisit(
                        case=case,
                        party=victim,
                        by_id=officer_id,
                        visited_at=step.at,
                        outcome=outcome,
                    )
                )
                rating = step.detail["rating"]
                if rating and rating[2] < city.now:
                    ratings.append(
                        Rating(
                            case=case,
                            party=victim,
                            officer_id=officer_id,
                            score=rating[0],
                            comment=rating[1],
                            created_at=rating[2],
                        )
                    )
            events.append(event)
    bulk_insert(events)
    bulk_insert(visits)
    # created_at is auto_now_add: bulk_create stamps it with the wall clock,
    # so the rating's own time is put back afterwards.
    rated_at = [rating.created_at for rating in ratings]
    bulk_insert(ratings)
    for rating, at in zip(ratings, rated_at, strict=True):
        rating.created_at = at
    Rating.objects.bulk_update(ratings, ["created_at"], batch_size=SMALL_BATCH)
    return {
        "cases": len(cases),
        "case parties": len(parties),
        "case events": len(events),
        "case return visits": len(visits),
        "ratings": len(ratings),
    }


#: the stages in order; each writes what the next ones read
STAGES: tuple[tuple[str, Callable[[City], dict[str, int]]], ...] = (
    ("territory", create_territory),
    ("posts", create_posts),
    ("staff", create_staff),
    ("households", create_households),
    ("residents", create_residents),
    ("visits", create_visits),
    ("patrols", create_patrols),
    ("disputes", create_disputes),
    ("cases", create_cases),
)
