"""Coverage rates (SPEC §3), each against figures worked out by hand.

The clock is frozen at 2026-11-05 12:00 local time, so "today" is
2026-11-05. The territory of bureau X (stations S and T) and bureau Y
(stations U and E) is described in :func:`territory`.
"""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from grids import metrics
from grids.metrics import COVERAGE_RATES, TARGETS, Coverage, Rate
from grids.metrics_api import DATE_IN_FUTURE, NOT_BOTH, STATION_OR_BUREAU
from grids.models import Area
from grids.tests.factories import AreaFactory, GridFactory
from stations.models import Assignment, Person, Post, Station
from stations.tests.factories import (
    AssignmentFactory,
    BureauFactory,
    PersonFactory,
    PostFactory,
    StationFactory,
    UserFactory,
)
from visits.tests.factories import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 5, 12)
TODAY = datetime.date(2026, 11, 5)
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)
LONG_AGO = datetime.date(2026, 1, 1)
URL = "/api/v1/metrics/coverage/"

COMMUNITY = Area.Kind.COMMUNITY
VILLAGE = Area.Kind.VILLAGE
COMMUNITY_OFFICE = Post.Kind.COMMUNITY_OFFICE
RURAL_OFFICE = Post.Kind.RURAL_OFFICE
WORKSTATION = Post.Kind.WORKSTATION
KIOSK = Post.Kind.KIOSK
OFFICER = Person.Kind.OFFICER
AUXILIARY = Person.Kind.AUXILIARY
GRID_WORKER = Person.Kind.GRID_WORKER
RESPONSIBLE = Assignment.Role.RESPONSIBLE
ASSISTANT = Assignment.Role.ASSISTANT


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


#
# Building blocks
#


def area(station, kind=VILLAGE, name=""):
    return AreaFactory(station=station, kind=kind, **({"name": name} if name else {}))


def post(station, kind, *areas):
    made = PostFactory(station=station, kind=kind)
    made.serves.set(areas)
    return made


def person(station, kind=OFFICER, *, login="", **fields):
    if login:
        fields["user"] = UserFactory(username=login)
    return PersonFactory(station=station, kind=kind, **fields)


def assign(who, *, grid=None, to=None, role=RESPONSIBLE, start=LONG_AGO, end=None):
    return AssignmentFactory(
        person=who, grid=grid, post=to, role=role, start=start, end=end
    )


def rates(**expected: tuple[int, int, float | None]) -> Coverage:
    """Return a Coverage from ``name=(numerator, denominator, rate)``."""
    return Coverage(**{name: Rate(*expected[name]) for name in COVERAGE_RATES})


@pytest.fixture
def territory():
    """Bureau X (stations S and T) and bureau Y (stations U and E).

    Station S — communities c1, c2; villages v1, v2, v3:

    ==========  ================  ======================
    post        kind              serves
    ==========  ================  ======================
    P1          community office  c1, v2
    K1          kiosk             c2
    R1          rural office      v1
    W1          workstation       v2
    W2, W3      workstation       v3
    ==========  ================  ======================

    Grids gA (in c1), gB (c2), gC (v1), gD (v2), gE (v3). Persons (current
    means on 2026-11-05; "long ago" is 2026-01-01):

    ========  =========  =================================================
    person    kind       assignments
    ========  =========  =================================================
    chief_s   officer    none (the chief)
    o1        officer    gA responsible from today; gC assistant, open
    o2        officer    gC responsible long ago to yesterday; P1, open
    o3        officer    gD responsible from tomorrow; R1 and W1, open
    o4        officer    gE responsible long ago to today; W2 to yesterday
    o5        officer    W3 from tomorrow
    o6        officer    K1, open
    aux       auxiliary  gB responsible, open; P1, open
    worker    grid w.    W1, open
    ========  =========  =================================================

    Station T: community c3 served by community office P2; grid gF (c3),
    officer o8 responsible; officer o9 at P2; chief_t (officer) without
    assignment. Bureau X also has bureau_x, an officer without a station.

    Station U (bureau Y): village v4 served by rural office R2; grid gG
    (v4), officer o10 responsible. Station E (bureau Y) has nothing.
    """
    x, y = BureauFactory(name="X县公安局"), BureauFactory(name="Y县公安局")
    s = StationFactory(bureau=x, name="S派出所")
    t = StationFactory(bureau=x, name="T派出所")
    u = StationFactory(bureau=y, name="U派出所")
    e = StationFactory(bureau=y, name="E派出所")

    c1, c2 = area(s, COMMUNITY), area(s, COMMUNITY)
    v1, v2, v3 = area(s), area(s), area(s)
    p1 = post(s, COMMUNITY_OFFICE, c1, v2)
    k1 = post(s, KIOSK, c2)
    r1 = post(s, RURAL_OFFICE, v1)
    w1 = post(s, WORKSTATION, v2)
    w2 = post(s, WORKSTATION, v3)
    w3 = post(s, WORKSTATION, v3)
    grid_a, grid_b, grid_c, grid_d, grid_e = (
        GridFactory(area=where) for where in (c1, c2, v1, v2, v3)
    )
    person(s, login="chief_s", is_chief=True)
    o1 = person(s, login="officer_s")
    assign(o1, grid=grid_a, start=TODAY)
    assign(o1, grid=grid_c, role=ASSISTANT)
    o2 = person(s)
    assign(o2, grid=grid_c, end=YESTERDAY)
    assign(o2, to=p1, role=ASSISTANT)
    o3 = person(s)
    assign(o3, grid=grid_d, start=TOMORROW)
    assign(o3, to=r1)
    assign(o3, to=w1)
    o4 = person(s)
    assign(o4, grid=grid_e, end=TODAY)
    assign(o4, to=w2, end=YESTERDAY)
    assign(person(s), to=w3, start=TOMORROW)
    assign(person(s), to=k1)
    auxiliary = person(s, AUXILIARY, login="auxiliary_s")
    assign(auxiliary, grid=grid_b)
    assign(auxiliary, to=p1)
    assign(person(s, GRID_WORKER), to=w1)

    c3 = area(t, COMMUNITY)
    p2 = post(t, COMMUNITY_OFFICE, c3)
    assign(person(t), grid=GridFactory(area=c3))
    assign(person(t), to=p2)
    person(t, login="chief_t", is_chief=True)
    person(None, login="bureau_x", bureau=x)

    v4 = area(u)
    post(u, RURAL_OFFICE, v4)
    assign(person(u), grid=GridFactory(area=v4))
    person(None, login="bureau_y", bureau=y)

    return SimpleNamespace(
        bureaus={"X": x, "Y": y}, stations={"S": s, "T": t, "U": u, "E": e}
    )


STATION_S = rates(
    community_office_coverage=(1, 2, 0.5),
    rural_office_coverage=(1, 3, 0.3333),
    workstation_coverage=(2, 3, 0.6667),
    grid_officer_coverage=(2, 5, 0.4),
    post_officer_share=(3, 7, 0.4286),
)
STATION_T = rates(
    community_office_coverage=(1, 1, 1.0),
    rural_office_coverage=(0, 0, None),
    workstation_coverage=(0, 0, None),
    grid_officer_coverage=(1, 1, 1.0),
    post_officer_share=(1, 3, 0.3333),
)
BUREAU_X = rates(
    community_office_coverage=(2, 3, 0.6667),
    rural_office_coverage=(1, 3, 0.3333),
    workstation_coverage=(2, 3, 0.6667),
    grid_officer_coverage=(3, 6, 0.5),
    post_officer_share=(4, 10, 0.4),
)
STATION_U = rates(
    community_office_coverage=(0, 0, None),
    rural_office_coverage=(1, 1, 1.0),
    workstation_coverage=(0, 1, 0.0),
    grid_officer_coverage=(1, 1, 1.0),
    post_officer_share=(0, 1, 0.0),
)
NOTHING = rates(**dict.fromkeys(COVERAGE_RATES, (0, 0, None)))


def of(*stations, on=None) -> Coverage:
    return metrics.coverage(
        stations=Station.objects.filter(pk__in=[s.pk for s in stations]), on=on
    )


#
# Definitions
#


def test_station_s_worked_out_by_hand(territory):
    """Each rate of station S, as worked out in the fixture's tables.

    * communities: c1 (P1); not c2, served by a kiosk only → 1 / 2;
    * rural offices: v1 (R1) → 1 / 3;
    * workstations: v2 (W1) and v3 (W2 and W3, once); the community office
      serving v2 does not matter → 2 / 3;
    * grids: gA (responsible from today) and gE (until today); not gB (an
      auxiliary), gC (ended yesterday, o1 only assists), gD (from
      tomorrow) → 2 / 5;
    * officers at posts: o2, o3 (two posts, once) and o6 (a kiosk is a
      post); not o1 (a grid only), o4 (ended yesterday), o5 (from
      tomorrow), the chief; the auxiliary and the grid worker are no
      officers → 3 / 7.
    """
    assert of(territory.stations["S"]) == STATION_S


def test_station_without_villages_has_no_village_rates(territory):
    assert of(territory.stations["T"]) == STATION_T


def test_bureau_sums_its_stations_without_bureau_level_staff(territory):
    """Bureau X = S + T; bureau_x (an officer without station) is left out.

    Officers at posts: (3 + 1) / (7 + 3) = 0.4, not 4 / 11.
    """
    stations = Station.objects.filter(bureau=territory.bureaus["X"])
    assert metrics.coverage(stations=stations) == BUREAU_X


def test_other_bureaus_do_not_leak_in(territory):
    assert of(territory.stations["U"]) == STATION_U


def test_empty_station_has_no_rates(territory):
    assert of(territory.stations["E"]) == NOTHING


def test_no_station_at_all_has_no_rates(territory):
    assert metrics.coverage(stations=Station.objects.none()) == NOTHING


def test_repeated_station_rows_count_once(territory):
    """A scope filtered through a reverse relation repeats stations in SQL."""
    repeated = Station.objects.filter(areas__kind=VILLAGE)  # S 3 times, U once
    assert repeated.count() == 4
    assert metrics.coverage(stations=repeated) == metrics.coverage(
        stations=Station.objects.filter(pk__in=[territory.stations[n].pk for n in "SU"])
    )


def test_a_past_day_uses_the_assignments_valid_then(territory):
    """On 2026-11-04, o2's grid and o4's post count; o1's grid not yet.

    Grids: gC (o2, to yesterday) and gE → 2 / 5; officers at posts: o2, o3,
    o4 (W2 to yesterday), o6 → 4 / 7.
    """
    figures = of(territory.stations["S"], on=YESTERDAY)
    assert figures.grid_officer_coverage == Rate(2, 5, 0.4)
    assert figures.post_officer_share == Rate(4, 7, 0.5714)


def test_by_station_gives_each_station_its_own_figures(territory):
    st = territory.stations
    by_station = metrics.coverage_by_station(Station.objects.all())
    assert by_station == {
        st["S"].pk: STATION_S,
        st["T"].pk: STATION_T,
        st["U"].pk: STATION_U,
        st["E"].pk: NOTHING,
    }
    in_code_order = Station.objects.order_by("code", "pk").values_list("pk", flat=True)
    assert list(by_station) == list(in_code_order)


def test_by_station_of_a_bureau_agrees_with_the_totals(territory):
    stations = Station.objects.filter(bureau=territory.bureaus["X"])
    by_station = metrics.coverage_by_station(stations=stations, on=TODAY)
    assert set(by_station) == {territory.stations["S"].pk, territory.stations["T"].pk}
    for name in COVERAGE_RATES:
        parts = [getattr(figures, name) for figures in by_station.values()]
        total = getattr(BUREAU_X, name)
        assert sum(rate.numerator for rate in parts) == total.numerator
        assert sum(rate.denominator for rate in parts) == total.denominator


def test_targets_are_kept_apart_from_the_rates():
    assert tuple(TARGETS) == COVERAGE_RATES
    assert TARGETS["post_officer_share"] == 0.4
    assert {TARGETS[name] for name in COVERAGE_RATES[:4]} == {None}


@pytest.mark.parametrize(
    ("numerator", "denominator", "value"),
    [
        (1, 3, 0.3333),
        (2, 3, 0.6667),
        (1, 20_000, 0.0001),  # 0.00005 rounds half up, not to even
        (3, 80_000, 0.0),  # 0.0000375
        (0, 4, 0.0),
        (4, 4, 1.0),
        (0, 0, None),
    ],
)
def test_rates_round_half_up_to_4_places(numerator, denominator, value):
    assert Rate.of(numerator, denominator) == Rate(numerator, denominator, value)


#
# What counts as current, and as an officer
#


@pytest.fixture
def station():
    return StationFactory()


@pytest.fixture
def grid(station):
    return GridFactory(area=area(station))


@pytest.fixture
def office(station):
    return post(station, RURAL_OFFICE, area(station))


def grid_and_post(station, on=None) -> tuple[Rate, Rate]:
    figures = of(station, on=on)
    return figures.grid_officer_coverage, figures.post_officer_share


@pytest.mark.parametrize(
    ("start", "end", "current"),
    [
        (LONG_AGO, YESTERDAY, False),  # ended yesterday
        (TOMORROW, None, False),  # starts tomorrow
        (TOMORROW, TOMORROW, False),
        (TODAY, TODAY, True),  # both days are included
        (TODAY, None, True),
        (LONG_AGO, TODAY, True),
        (LONG_AGO, None, True),  # an open end still runs
    ],
)
def test_only_assignments_running_today_count(
    station, grid, office, start, end, current
):
    assign(person(station), grid=grid, start=start, end=end)
    assign(person(station), to=office, start=start, end=end)
    assert grid_and_post(station) == (
        Rate(int(current), 1, 1.0 if current else 0.0),
        Rate(int(current), 2, 0.5 if current else 0.0),
    )


def test_default_day_is_today_local_time(station, grid):
    """At 2026-11-05 00:30 Beijing time (16:30 UTC the day before)."""
    assign(person(station), grid=grid, start=TODAY)
    with time_machine.travel(local(2026, 11, 5, 0, 30), tick=False):
        assert of(station).grid_officer_coverage == Rate(1, 1, 1.0)


def test_responsible_auxiliary_does_not_make_a_grid_covered(station, grid):
    assign(person(station, AUXILIARY), grid=grid)
    assign(person(station, GRID_WORKER), grid=grid, role=ASSISTANT)
    assert of(station).grid_officer_coverage == Rate(0, 1, 0.0)


def test_assisting_officer_does_not_make_a_grid_covered(station, grid):
    assign(person(station), grid=grid, role=ASSISTANT)
    assert of(station).grid_officer_coverage == Rate(0, 1, 0.0)


def test_grid_with_two_current_officers_counts_once(station, grid):
    """A responsible officer handing over mid-day, say (clean() forbids it)."""
    assign(person(station), grid=grid, end=TODAY)
    assign(person(station), grid=grid, start=TODAY)
    assert of(station).grid_officer_coverage == Rate(1, 1, 1.0)


def test_only_officers_are_counted_for_posts(station, office):
    """Auxiliaries, grid workers and mediators at posts are in neither part."""
    for kind in (AUXILIARY, GRID_WORKER, Person.Kind.MEDIATOR):
        assign(person(station, kind), to=office)
    assign(person(station), to=office)
    person(station)
    assert of(station).post_officer_share == Rate(1, 2, 0.5)


def test_an_officer_at_a_grid_only_is_not_at_a_post(station, grid):
    assign(person(station), grid=grid)
    assert of(station).post_officer_share == Rate(0, 1, 0.0)


def test_an_area_counts_once_for_several_posts_and_only_for_their_kind(station):
    community, village = area(station, COMMUNITY), area(station, VILLAGE)
    post(station, COMMUNITY_OFFICE, community)
    post(station, COMMUNITY_OFFICE, community, village)
    post(station, WORKSTATION, community)
    post(station, KIOSK, village)
    figures = of(station)
    assert figures.community_office_coverage == Rate(1, 1, 1.0)
    assert figures.rural_office_coverage == Rate(0, 1, 0.0)
    assert figures.workstation_coverage == Rate(0, 1, 0.0)


def test_a_post_without_areas_covers_nothing(station):
    area(station, COMMUNITY)
    post(station, COMMUNITY_OFFICE)
    assert of(station).community_office_coverage == Rate(0, 1, 0.0)


#
# Cost
#


def grow(bureau, n=3):
    """Add ``n`` stations to ``bureau``, each with areas, grids, posts, staff."""
    for _ in range(n):
        station = StationFactory(bureau=bureau)
        places = [area(station, COMMUNITY), area(station), area(station)]
        office = post(station, COMMUNITY_OFFICE, *places)
        post(station, WORKSTATION, *places[1:])
        for where in places:
            grid = GridFactory(area=where)
            assign(person(station), grid=grid)
            assign(person(station, AUXILIARY), grid=grid, role=ASSISTANT)
            assign(person(station), to=office)


def test_query_count_does_not_grow_with_the_territory(
    territory, django_assert_num_queries
):
    x = territory.bureaus["X"]
    stations = Station.objects.filter(bureau=x)
    with django_assert_num_queries(1):
        metrics.coverage(stations=stations)
    with django_assert_num_queries(1):
        metrics.coverage_by_station(stations)
    grow(x)
    with django_assert_num_queries(1):
        after = metrics.coverage(stations=stations)
    with django_assert_num_queries(1):
        by_station = metrics.coverage_by_station(stations)
    assert after.grid_officer_coverage == Rate(3 + 9, 6 + 9, 0.8)
    assert len(by_station) == 5


#
# API
#


def get(client, **params):
    return client.get(URL, params)


@pytest.fixture
def as_user(territory, client_for):
    def make(username):
        return client_for(get_user_model().objects.get(username=username))

    return make


def as_json(figures: Coverage) -> dict:
    return {
        name: {
            "numerator": rate.numerator,
            "denominator": rate.denominator,
            "rate": rate.rate,
        }
        for name, rate in vars(figures).items()
    }


def test_url_is_named():
    assert reverse("metrics-coverage") == URL


def test_response_has_exactly_the_contract_shape(territory, as_user):
    response = get(as_user("chief_s"), station=territory.stations["S"].pk)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == list(COVERAGE_RATES)
    assert body == as_json(STATION_S)
    assert body["post_officer_share"] == {
        "numerator": 3,
        "denominator": 7,
        "rate": 0.4286,
    }
    for value in body.values():
        assert list(value) == ["numerator", "denominator", "rate"]


def test_empty_denominators_answer_null(territory, as_user):
    body = get(as_user("bureau_y"), station=territory.stations["E"].pk).json()
    assert body == as_json(NOTHING)
    assert body["rural_office_coverage"] == {
        "numerator": 0,
        "denominator": 0,
        "rate": None,
    }


def test_bureau_staff_get_the_bureau(territory, as_user):
    body = get(as_user("bureau_x"), bureau=territory.bureaus["X"].pk).json()
    assert body == as_json(BUREAU_X)


def test_bureau_staff_get_a_station_of_the_bureau(territory, as_user):
    body = get(as_user("bureau_x"), station=territory.stations["T"].pk).json()
    assert body == as_json(STATION_T)


def test_superuser_gets_any_bureau(territory, client_for):
    client = client_for(UserFactory(username="root", is_superuser=True))
    body = get(client, bureau=territory.bureaus["Y"].pk).json()
    assert body["rural_office_coverage"] == {
        "numerator": 1,
        "denominator": 1,
        "rate": 1.0,
    }


def test_a_past_date_judges_the_assignments_valid_then(territory, as_user):
    body = get(
        as_user("chief_s"), station=territory.stations["S"].pk, date="2026-11-04"
    ).json()
    assert body["post_officer_share"] == {
        "numerator": 4,
        "denominator": 7,
        "rate": 0.5714,
    }


def test_today_is_not_in_the_future(territory, as_user):
    response = get(
        as_user("chief_s"), station=territory.stations["S"].pk, date="2026-11-05"
    )
    assert response.status_code == 200
    assert response.json() == as_json(STATION_S)


def test_field_staff_read_their_own_station(territory, as_user):
    for username in ("officer_s", "auxiliary_s"):
        response = get(as_user(username), station=territory.stations["S"].pk)
        assert response.status_code == 200
        assert response.json() == as_json(STATION_S)


def test_neither_station_nor_bureau_is_a_field_error(territory, as_user):
    response = get(as_user("bureau_x"))
    assert response.status_code == 400
    assert response.json() == {
        "station": [str(STATION_OR_BUREAU)],
        "bureau": [str(STATION_OR_BUREAU)],
    }


def test_both_station_and_bureau_is_a_field_error(territory, as_user):
    response = get(
        as_user("bureau_x"),
        station=territory.stations["S"].pk,
        bureau=territory.bureaus["X"].pk,
    )
    assert response.status_code == 400
    assert response.json() == {"station": [str(NOT_BOTH)], "bureau": [str(NOT_BOTH)]}


def test_a_future_date_is_a_field_error(territory, as_user):
    response = get(
        as_user("chief_s"), station=territory.stations["S"].pk, date="2026-11-06"
    )
    assert response.status_code == 400
    assert response.json() == {"date": [str(DATE_IN_FUTURE)]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"station": "abc"}, "station"),
        ({"bureau": "1.5"}, "bureau"),
        ({"station": "1", "date": "2026-13-01"}, "date"),
        ({"station": "1", "date": "yesterday"}, "date"),
    ],
)
def test_malformed_parameters_are_field_errors(territory, as_user, params, field):
    response = get(as_user("bureau_x"), **params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize(
    ("username", "params"),
    [
        ("bureau_x", {"station": "U"}),  # another bureau's station
        ("bureau_x", {"bureau": "Y"}),  # another bureau
        ("bureau_x", {"station": 0}),  # nonexistent
        ("bureau_x", {"bureau": 0}),
        ("chief_t", {"station": "S"}),  # another station of the bureau
        ("officer_s", {"station": "T"}),
        ("chief_s", {"bureau": "X"}),  # own bureau: it sums up T as well
        ("officer_s", {"bureau": "X"}),
    ],
)
def test_out_of_scope_answers_like_nonexistent(territory, as_user, username, params):
    ids = {
        "station": lambda name: territory.stations[name].pk if name else 999_999,
        "bureau": lambda name: territory.bureaus[name].pk if name else 999_999,
    }
    query = {key: ids[key](value) for key, value in params.items()}
    response = get(as_user(username), **query)
    assert response.status_code == 404
    assert response.json() == get(as_user(username), station=999_999).json()


def test_anonymous_is_unauthorised(territory, api_client):
    assert get(api_client, station=territory.stations["S"].pk).status_code == 401


def test_login_without_staff_record_is_forbidden(territory, client_for):
    client = client_for(UserFactory(username="no_staff"))
    assert get(client, station=territory.stations["S"].pk).status_code == 403


def test_api_query_count_does_not_grow_with_the_territory(territory, as_user):
    params = {"bureau": territory.bureaus["X"].pk}

    def queries():
        # A fresh user object each time: the scope is cached on it.
        client = as_user("bureau_x")
        with CaptureQueriesContext(connection) as context:
            assert get(client, **params).status_code == 200
        # Count reads only: leave out the audit context the pghistory
        # middleware sets on PostgreSQL and the request's transaction
        # statements, which differ between backends.
        return sum(
            query["sql"].lstrip().upper().startswith("SELECT")
            and "pghistory" not in query["sql"]
            for query in context.captured_queries
        )

    # The user's scope, the bureau's existence, the figures.
    assert queries() == 3
    grow(territory.bureaus["X"])
    assert queries() == 3


def test_schema_documents_the_parameters_and_response():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][URL]["get"]
    assert operation["operationId"] == "metrics_coverage"
    parameters = {p["name"]: p.get("required", False) for p in operation["parameters"]}
    assert parameters == {"station": False, "bureau": False, "date": False}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CoverageMetrics"
    }
    components = schema["components"]["schemas"]
    assert tuple(components["CoverageMetrics"]["properties"]) == COVERAGE_RATES
    assert set(components["Rate"]["properties"]) == {
        "numerator",
        "denominator",
        "rate",
    }
    assert components["Rate"]["properties"]["rate"]["nullable"] is True
