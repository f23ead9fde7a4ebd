"""The city-scale benchmark: every hot path over HTTP against hand-written SQL.

One command, on PostgreSQL (see README, "Benchmarks")::

    .venv/bin/python benchmarks/city.py

For each size (full, third and tenth of the city by default) it makes sure a
database ``<prefix>_<size>`` holds a generated city (``manage.py
generate_city``, about 5 minutes at full size), then starts the project
under gunicorn on a loopback port with production settings and measures
each hot path end to end over HTTP and, in the same run and on the same
database, the hand-written SQL that computes the same answer
(``benchmarks/raw_sql.py``), after checking that both answers agree. The
largest size gets every path; the others get the read paths, to show how
the cost grows with the data. The table ``path | p50 | p95 | raw SQL |
ratio`` is printed and written to ``benchmarks/results.md`` with the
machine's description and the date.

``--database-url URL`` measures one existing database instead (the CI smoke
test does this on its test database with a small city).
"""

import argparse
import datetime
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import load

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PREFIX = "postgres://postgres@127.0.0.1:5432/policing"
SIZES = ("tenth", "third", "full")
BUREAU_CODE = "CITY"

#: path key -> (label, target as text)
PATHS = {
    "station_quota": ("station weekly quota API", "p95 ≤ 50 ms, ≤ 3x SQL"),
    "city_quota": ("city-wide weekly quotas API", ""),
    "station_coverage": ("station coverage API", ""),
    "city_coverage": ("city coverage API", ""),
    "city_assessment": ("city monthly assessment API (live)", "≤ 2x SQL"),
    "assessment_task": ("monthly assessment Celery task", "≤ 2x SQL"),
    "report_xlsx": ("bureau monthly report xlsx", "≤ 30 s"),
    "report_pdf": ("bureau monthly report PDF", ""),
    "station_dashboard": ("station dashboard page", "p95 ≤ 300 ms"),
    "county_dashboard": ("county dashboard page", "p95 ≤ 500 ms"),
    "typeahead": ("household typeahead API", "p95 ≤ 100 ms"),
    "visit_post": ("visit POST, 8 clients", "≥ 200/s, p95 ≤ 100 ms"),
}
GROWTH_PATHS = (
    "station_quota",
    "city_quota",
    "station_coverage",
    "city_assessment",
    "station_dashboard",
    "county_dashboard",
    "typeahead",
)
#: Paths that take seconds get a tenth of the repetitions (at least 3).
SLOW_PATHS = {"city_assessment", "assessment_task", "report_xlsx", "report_pdf"}
VISIT_CLIENTS = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(reversed(SIZES)))
    parser.add_argument("--database-prefix", default=DEFAULT_PREFIX)
    parser.add_argument("--database-url", help="measure this database only")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--visit-seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results.md"))
    parser.add_argument("--measure-json", help=argparse.SUPPRESS)
    parser.add_argument(
        "--paths",
        default="all",
        help="with --database-url: the paths to measure, comma-separated "
        f"({', '.join(PATHS)}); default all",
    )
    args = parser.parse_args()

    if args.measure_json:
        _measure_here(args)
        return
    if args.database_url:
        runs = {"given": _measure(args.database_url, args.paths, args)}
    else:
        sizes = [size.strip() for size in args.sizes.split(",") if size.strip()]
        runs = {}
        for number, size in enumerate(sizes):
            url = f"{args.database_prefix}_{size}"
            _ensure_city(url, size, regenerate=args.regenerate)
            runs[size] = _measure(url, "all" if number == 0 else "growth", args)
    report = render(runs, args)
    print(report)  # noqa: T201
    Path(args.output).write_text(report, encoding="utf-8")


#
# Databases
#


def _ensure_city(url: str, size: str, *, regenerate: bool) -> None:
    """Create and fill ``url``'s database with a city of ``size`` if needed."""
    env = {**os.environ, "DATABASE_URL": url}
    name = urlsplit(url).path.lstrip("/")
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    exists = subprocess.run(
        [
            "psql",
            admin_url,
            "-Atc",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if exists and not regenerate:
        has_city = subprocess.run(
            [
                "psql",
                url,
                "-Atc",
                f"SELECT 1 FROM stations_bureau WHERE code='{BUREAU_CODE}'",
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if has_city:
            # A city made by an earlier checkout: bring its schema up to date.
            subprocess.run(
                [sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"],
                env=env,
                check=True,
            )
            return
    if exists:
        subprocess.run(
            ["psql", admin_url, "-qc", f'DROP DATABASE "{name}"'], check=True
        )
    subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [*manage, "generate_city", "--size", size, "--bureau-code", BUREAU_CODE],
        env=env,
        check=True,
    )


def _measure(url: str, paths: str, args) -> dict:
    """Measure ``url`` in a child process (settings read the URL at import)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [
            sys.executable,
            __file__,
            f"--measure-json={out.name}",
            f"--paths={paths}",
            f"--requests={args.requests}",
            f"--visit-seconds={args.visit_seconds}",
            f"--workers={args.workers}",
        ]
        subprocess.run(command, env={**os.environ, **_server_env(url)}, check=True)
        return json.loads(Path(out.name).read_text())


def _server_env(url: str) -> dict:
    """Production settings for a loopback run: DEBUG off, no TLS redirect.

    The field keys are the development ones the generator encrypted with;
    without a broker, the few tasks a request enqueues run in-process.
    """
    return {
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-benchmark-only-secret-key",
        "FIELD_ENCRYPTION_KEYS": "ZGV2LW9ubHktZmllbGQta2V5LTMyLWJ5dGVzLWxvbmc=",
        "FIELD_HASH_KEY": "dev-only-national-id-hash-key",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_LEVEL": "ERROR",
        "CELERY_BROKER_URL": "",
    }


#
# One database, measured in this process
#


@dataclass
class City:
    bureau: object
    station: object
    week: object
    month: object
    chief_token: str
    bureau_token: str
    chief_cookie: str
    bureau_cookie: str
    field_staff: list  # (person, token, grid ids, household ids)


def _measure_here(args) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policing.settings")
    django.setup()
    from django.core.management import call_command

    # As a deployment does: production settings serve the hashed files.
    call_command("collectstatic", interactive=False, verbosity=0)
    city = _city()
    if args.paths == "all":
        keys = tuple(PATHS)
    elif args.paths == "growth":
        keys = GROWTH_PATHS
    else:
        keys = tuple(key.strip() for key in args.paths.split(",") if key.strip())
        unknown = set(keys) - set(PATHS)
        if unknown:
            raise SystemExit(f"unknown paths: {', '.join(sorted(unknown))}")
    results = {"rows": _row_counts(), "station": city.station.name}
    env = _server_env(os.environ["DATABASE_URL"])
    with load.gunicorn(env, workers=args.workers) as port:
        for key in keys:
            started = time.perf_counter()
            results[key] = MEASURES[key](city, port, args)
            print(  # noqa: T201
                f"  {key:<20} {_summary(results[key])}"
                f"  ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    Path(args.measure_json).write_text(json.dumps(results, default=str))


def _city() -> City:
    from django.db.models import Count

    from policing.periods import IsoWeek, Month
    from stations.models import Bureau, Person, Station

    bureau = Bureau.objects.get(code=BUREAU_CODE)
    # The station with the median number of staff: neither the smallest nor
    # the largest of the city.
    stations = sorted(
        Station.objects.filter(bureau=bureau).annotate(staff=Count("persons")),
        key=lambda station: (station.staff, station.pk),
    )
    station = stations[len(stations) // 2]
    chief = Person.objects.filter(station=station, is_chief=True).first()
    bureau_person = Person.objects.filter(bureau=bureau, station=None).first()
    field = _field_staff(station)
    return City(
        bureau=bureau,
        station=station,
        week=IsoWeek.current().previous(),
        month=Month.current().previous(),
        chief_token=_token(chief),
        bureau_token=_token(bureau_person),
        chief_cookie=_session_cookie(chief),
        bureau_cookie=_session_cookie(bureau_person),
        field_staff=field,
    )


def _field_staff(station) -> list:
    """Return up to 8 field staff of ``station`` with their grids' households."""
    from grids.models import Household
    from policing.scope import scope_of
    from stations.models import Person

    staff = []
    for person in Person.objects.filter(station=station, is_chief=False).order_by("pk"):
        user = _user(person)
        grids = sorted(scope_of(user).grid_ids)
        households = list(
            Household.objects.filter(grid__in=grids)
            .order_by("pk")
            .values_list("pk", "grid_id", "address")[:500]
        )
        if households:
            staff.append((person, _token(person), grids, households))
        if len(staff) == VISIT_CLIENTS:
            break
    return staff


def _user(person):
    from django.contrib.auth import get_user_model

    if person.user_id is None:
        user, _created = get_user_model().objects.get_or_create(
            username=f"benchmark-{person.pk}"
        )
        user.set_unusable_password()
        user.save()
        person.user = user
        person.save(update_fields=["user"])
    return person.user


def _token(person) -> str:
    from knox.models import AuthToken

    _instance, token = AuthToken.objects.create(_user(person))
    return token


def _session_cookie(person) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from policing.middleware import LOGIN_AT_SESSION_KEY

    user = _user(person)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[LOGIN_AT_SESSION_KEY] = time.time()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _row_counts() -> dict:
    from django.db import connection

    tables = {
        "households": "grids_household",
        "residents": "grids_resident",
        "visits": "visits_visit",
        "patrols": "visits_patrol",
        "staff": "stations_person",
        "grids": "grids_grid",
    }
    with connection.cursor() as cursor:
        counts = {}
        for name, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[name] = cursor.fetchone()[0]
    return counts


#
# Timing helpers
#


def _repeat(args, key: str) -> int:
    return max(3, args.requests // 10) if key in SLOW_PATHS else args.requests


def _http(port: int, request: load.Request, count: int) -> load.Timings:
    load.sequential(port, lambda _n: request, 2)  # warm the worker and its caches
    timings = load.sequential(port, lambda _n: request, count)
    bad = {status: n for status, n in timings.statuses.items() if status != 200}
    if bad:
        raise RuntimeError(f"{request.path}: unexpected statuses {bad}")
    return timings


def _sql(sql: str, params: dict, count: int) -> tuple[load.Timings, list]:
    from django.db import connection

    timings = load.Timings()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        for _ in range(count):
            begun = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            timings.latencies.append((time.perf_counter() - begun) * 1000)
    return timings, rows


def _figures(http: load.Timings, sql: load.Timings | None = None, **extra) -> dict:
    figures = {"p50": http.p50, "p95": http.p95, "n": len(http.latencies), **extra}
    if sql is not None:
        figures.update(sql_p50=sql.p50, sql_p95=sql.p95)
    return figures


def _get(path: str, *, token: str = "", cookie: str = "") -> load.Request:
    headers = {"Accept-Language": "zh-hans"}
    if token:
        headers["Authorization"] = f"Token {token}"
    if cookie:
        headers["Cookie"] = cookie
    return load.Request("GET", path, headers)


def _fetch_json(port: int, request: load.Request) -> dict:
    status, body = load.Connection(port).send(request)
    if status != 200:
        raise RuntimeError(f"{request.path}: {status} {body[:300]!r}")
    return json.loads(body)


def _agree(label: str, ours, theirs) -> None:
    if ours != theirs:
        raise AssertionError(
            f"{label}: the application and the SQL disagree:\n"
            f"application {str(ours)[:600]}\nSQL         {str(theirs)[:600]}"
        )


#
# The paths
#


def _quota_params(city: City) -> dict:
    from django.conf import settings
    from django.utils import timezone

    return {
        "start": city.week.start,
        "end": city.week.end,
        "now": timezone.now(),
        "tz": settings.TIME_ZONE,
        "station": city.station.pk,
        "bureau": city.bureau.pk,
    }


def _quotas(city: City, port: int, args, *, station: bool) -> dict:
    from benchmarks import raw_sql

    if station:
        path = f"/api/v1/metrics/quotas/?week={city.week}&station={city.station.pk}"
        request, persons = (
            _get(path, token=city.chief_token),
            raw_sql.PERSONS_OF_STATION,
        )
    else:
        path = f"/api/v1/metrics/quotas/?week={city.week}"
        request, persons = (
            _get(path, token=city.bureau_token),
            raw_sql.PERSONS_OF_BUREAU,
        )
    count = _repeat(args, "station_quota")
    http = _http(port, request, count)
    sql, rows = _sql(
        raw_sql.WEEKLY_QUOTAS.format(persons=persons), _quota_params(city), count
    )
    answer = _fetch_json(port, request)["results"]
    _agree(
        "weekly quotas",
        sorted(
            (
                r["person"],
                r["household_visits"],
                r["info_items"],
                f"{float(r['patrol_hours']):.2f}",
                r["grid_days"],
            )
            for r in answer
        ),
        sorted((row[0], row[1], row[2], f"{row[3]:.2f}", row[4]) for row in rows),
    )
    return _figures(http, sql, persons=len(rows))


def _coverage(city: City, port: int, args, *, station: bool) -> dict:
    from django.utils import timezone

    from benchmarks import raw_sql

    if station:
        path = f"/api/v1/metrics/coverage/?station={city.station.pk}"
        request, stations = _get(path, token=city.chief_token), raw_sql.STATION
    else:
        path = f"/api/v1/metrics/coverage/?bureau={city.bureau.pk}"
        request, stations = (
            _get(path, token=city.bureau_token),
            raw_sql.STATIONS_OF_BUREAU,
        )
    http = _http(port, request, args.requests)
    params = {
        "today": timezone.localdate(),
        "station": city.station.pk,
        "bureau": city.bureau.pk,
    }
    sql, rows = _sql(raw_sql.COVERAGE.format(stations=stations), params, args.requests)
    answer = _fetch_json(port, request)
    (
        communities,
        communities_served,
        villages,
        villages_with_rural_office,
        villages_with_workstation,
        grids,
        grids_with_officer,
        officers,
        officers_at_posts,
    ) = rows[0]
    theirs = {
        "community_office_coverage": (communities_served, communities),
        "rural_office_coverage": (villages_with_rural_office, villages),
        "workstation_coverage": (villages_with_workstation, villages),
        "grid_officer_coverage": (grids_with_officer, grids),
        "post_officer_share": (officers_at_posts, officers),
    }
    ours = {
        name: (answer[name]["numerator"], answer[name]["denominator"])
        for name in theirs
    }
    _agree("coverage", ours, theirs)
    return _figures(http, sql)


def _assessment_params(city: City) -> dict:
    from django.utils import timezone

    from assessments.assessment import FAMILIARITY_DAYS
    from policing.periods import local_midnight

    month = city.month
    return {
        "bureau": city.bureau.pk,
        "first_day": month.first_day,
        "last_day": month.last_day,
        "start": month.start,
        "end": month.end,
        "now": timezone.now(),
        "known_since": local_midnight(
            month.next().first_day - datetime.timedelta(days=FAMILIARITY_DAYS)
        ),
    }


#: The columns of ``raw_sql.MONTHLY_ASSESSMENT``, as the application names them.
ASSESSMENT_COLUMNS = (
    "pk",
    "n_patrol_time",
    "n_info_items",
    "n_households",
    "n_households_visited",
    "n_cases",
    "n_residents",
    "n_disputes_ended",
    "n_disputes_resolved",
    "n_cases_concluded",
    "n_cases_solved",
    "n_ratings",
    "n_ratings_satisfied",
    "n_return_visits",
    "n_return_visits_satisfied",
)


def _assessment_sql(city: City, count: int) -> tuple[load.Timings, list]:
    from assessments.assessment import _totals
    from benchmarks import raw_sql

    params = _assessment_params(city)
    sql, rows = _sql(raw_sql.MONTHLY_ASSESSMENT, params, count)
    orm = [
        tuple(total[name] for name in ASSESSMENT_COLUMNS)
        for total in _totals(city.bureau, city.month, now=params["now"])
    ]
    _agree("monthly assessment", sorted(orm), sorted(rows))
    return sql, rows


def _city_assessment(city: City, port: int, args) -> dict:
    count = _repeat(args, "city_assessment")
    request = _get(f"/api/v1/assessments/?month={city.month}", token=city.bureau_token)
    http = _http(port, request, count)
    sql, rows = _assessment_sql(city, count)
    answer = _fetch_json(port, request)
    _agree("assessed persons", len(answer["results"]), len(rows))
    return _figures(http, sql, persons=len(rows))


def _assessment_task(city: City, port: int, args) -> dict:
    from assessments.models import MonthlyAssessment
    from assessments.tasks import compute_monthly_assessment

    count = _repeat(args, "assessment_task")
    timings = load.Timings()
    for _ in range(count):
        MonthlyAssessment.objects.filter(
            bureau=city.bureau, month=city.month.first_day
        ).delete()
        begun = time.perf_counter()
        compute_monthly_assessment.apply(args=(city.bureau.pk, str(city.month)))
        timings.latencies.append((time.perf_counter() - begun) * 1000)
    # Leave the month live, as the other paths expect.
    MonthlyAssessment.objects.filter(
        bureau=city.bureau, month=city.month.first_day
    ).delete()
    sql, _rows = _assessment_sql(city, count)
    return _figures(timings, sql)


def _report(city: City, port: int, args, *, kind: str) -> dict:
    count = _repeat(args, f"report_{kind}")
    request = _get(
        f"/api/v1/reports/monthly/?month={city.month}&format={kind}",
        token=city.bureau_token,
    )
    http = _http(port, request, count)
    _status, body = load.Connection(port).send(request)
    return _figures(http, None, bytes=len(body))


def _page(city: City, port: int, args, *, station: bool) -> dict:
    if station:
        request = _get(f"/stations/{city.station.pk}/", cookie=city.chief_cookie)
    else:
        request = _get("/county/", cookie=city.bureau_cookie)
    http = _http(port, request, args.requests)
    _status, body = load.Connection(port).send(request)
    if b'id="map"' not in body and b"leaflet" not in body.lower():
        raise AssertionError(f"{request.path}: no map on the page")
    return _figures(http, None, bytes=len(body))


def _typeahead(city: City, port: int, args) -> dict:
    from benchmarks import raw_sql

    _person, token, grids, households = city.field_staff[0]
    generator = random.Random(2026)
    # Two characters of a real address: what an officer types first.
    texts = []
    for _ in range(args.requests):
        address = generator.choice(households)[2]
        begin = generator.randrange(max(1, len(address) - 2))
        texts.append(address[begin : begin + 2])

    def request(number: int) -> load.Request:
        from urllib.parse import quote

        return _get(
            f"/api/v1/households/?page_size=10&q={quote(texts[number % len(texts)])}",
            token=token,
        )

    load.sequential(port, request, 2)
    http = load.sequential(port, request, args.requests)
    sql = load.Timings()
    for text in texts:
        params = {"grids": grids, "pattern": f"%{text}%"}
        page, count = (
            _sql(raw_sql.TYPEAHEAD_PAGE, params, 1),
            _sql(raw_sql.TYPEAHEAD_COUNT, params, 1),
        )
        sql.latencies.append(page[0].latencies[0] + count[0].latencies[0])
    answer = _fetch_json(port, request(0))
    expected = _sql(
        raw_sql.TYPEAHEAD_COUNT, {"grids": grids, "pattern": f"%{texts[0]}%"}, 1
    )[1][0][0]
    _agree("typeahead count", answer["count"], expected)
    return _figures(http, sql)


def _visit_post(city: City, port: int, args) -> dict:
    from django.db import connection

    from benchmarks import raw_sql

    run = uuid.uuid4().hex[:8]

    def maker(token: str, households: list):
        generator = random.Random(token)

        def make(_number: int) -> load.Request:
            household = generator.choice(households)[0]
            body = {
                "household": household,
                "visited_at": datetime.datetime.now(datetime.UTC).isoformat(),
                "kind": "routine",
                "info_items": 1,
                "notes": f"benchmark {run}",
                "client_uuid": str(uuid.uuid4()),
            }
            return load.Request(
                "POST",
                "/api/v1/visits/",
                {
                    "Authorization": f"Token {token}",
                    "Content-Type": "application/json",
                },
                json.dumps(body).encode(),
            )

        return make

    makers = [
        maker(token, households) for _p, token, _g, households in city.field_staff
    ]
    load.concurrent(port, makers, 2)  # warm every worker
    http = load.concurrent(port, makers, args.visit_seconds)
    bad = {status: n for status, n in http.statuses.items() if status != 201}
    # The same timing for one INSERT by hand, each in its own transaction as
    # the API's are.
    person, _token, _grids, households = city.field_staff[0]
    sql = load.Timings()
    with connection.cursor() as cursor:
        for number in range(args.requests):
            household = households[number % len(households)]
            begun = time.perf_counter()
            cursor.execute(
                raw_sql.INSERT_VISIT,
                {
                    "uuid": str(uuid.uuid4()),
                    "kind": "routine",
                    "grid": household[1],
                    "household": household[0],
                    "person": person.pk,
                },
            )
            sql.latencies.append((time.perf_counter() - begun) * 1000)
        cursor.execute(
            "DELETE FROM visits_visit WHERE notes = 'benchmark' OR notes = %s",
            [f"benchmark {run}"],
        )
    if bad:
        raise RuntimeError(f"visit POST: unexpected statuses {bad}")
    return _figures(http, sql, rate=http.rate, clients=len(makers))


MEASURES = {
    "station_quota": lambda c, p, a: _quotas(c, p, a, station=True),
    "city_quota": lambda c, p, a: _quotas(c, p, a, station=False),
    "station_coverage": lambda c, p, a: _coverage(c, p, a, station=True),
    "city_coverage": lambda c, p, a: _coverage(c, p, a, station=False),
    "city_assessment": _city_assessment,
    "assessment_task": _assessment_task,
    "report_xlsx": lambda c, p, a: _report(c, p, a, kind="xlsx"),
    "report_pdf": lambda c, p, a: _report(c, p, a, kind="pdf"),
    "station_dashboard": lambda c, p, a: _page(c, p, a, station=True),
    "county_dashboard": lambda c, p, a: _page(c, p, a, station=False),
    "typeahead": _typeahead,
    "visit_post": _visit_post,
}


#
# The report
#


def _summary(figures: dict) -> str:
    text = f"p50 {figures['p50']:.1f} ms  p95 {figures['p95']:.1f} ms"
    if "sql_p50" in figures:
        text += f"  SQL {figures['sql_p50']:.1f} ms"
    if "rate" in figures:
        text += f"  {figures['rate']:.0f}/s"
    return text


def _ms(value: float) -> str:
    return f"{value / 1000:.2f} s" if value >= 10_000 else f"{value:.1f} ms"


def render(runs: dict, args) -> str:
    first_size, first = next(iter(runs.items()))
    lines = [
        "# City benchmark results",
        "",
        f"Run on {datetime.datetime.now(datetime.UTC):%Y-%m-%d} by "
        "`benchmarks/city.py` "
        f"({args.requests} requests per path, a tenth of that for the slow "
        f"ones; visit POST for {args.visit_seconds:.0f} s with "
        f"{VISIT_CLIENTS} clients).",
        "",
        f"Machine: {_machine()}.",
        f"Server: gunicorn, {args.workers} workers x 2 threads, production "
        "settings (DEBUG off), on the same machine as PostgreSQL and the "
        "load client (loopback).",
        "",
        f"## All paths, {first_size} city",
        "",
        _rows_line(first["rows"]) + f" Station measured: {first['station']}.",
        "",
        "| path | p50 | p95 | raw SQL p50 | ratio (p50) | target |",
        "|---|---|---|---|---|---|",
    ]
    for key, (label, target) in PATHS.items():
        if key not in first:
            continue
        figures = first[key]
        p50, p95 = _ms(figures["p50"]), _ms(figures["p95"])
        if "rate" in figures:
            p50 = f"{_ms(figures['p50'])} ({figures['rate']:.0f} visits/s)"
        raw = ratio = "-"
        if "sql_p50" in figures:
            raw = _ms(figures["sql_p50"])
            ratio = f"{figures['p50'] / figures['sql_p50']:.1f}x"
        lines.append(f"| {label} | {p50} | {p95} | {raw} | {ratio} | {target} |")
    if len(runs) > 1:
        lines += [
            "",
            "## How the cost grows",
            "",
            "p50 / p95 of the read paths at each size (same station rank, "
            "the median station by staff).",
            "",
            "| path | " + " | ".join(runs) + " |",
            "|---|" + "---|" * len(runs),
            "| visits in the database | "
            + " | ".join(f"{run['rows']['visits']:,}" for run in runs.values())
            + " |",
        ]
        for key in GROWTH_PATHS:
            cells = [
                f"{_ms(run[key]['p50'])} / {_ms(run[key]['p95'])}"
                if key in run
                else "-"
                for run in runs.values()
            ]
            lines.append(f"| {PATHS[key][0]} | " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)


def _rows_line(rows: dict) -> str:
    return (
        f"{rows['grids']:,} grids, {rows['staff']:,} staff, "
        f"{rows['households']:,} households, {rows['residents']:,} residents, "
        f"{rows['visits']:,} visits, {rows['patrols']:,} patrols."
    )


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{memory_kb / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        memory = "unknown RAM"
    postgres = subprocess.run(
        ["psql", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, {postgres}"
    )


if __name__ == "__main__":
    main()
