"""The grid's page: scope, staff and quotas, households, recent work."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import metrics
from cases.tests.factories import CaseFactory
from disputes.tests.factories import DisputeFactory
from grids.models import Grid
from grids.tests.factories import GridFactory, HouseholdFactory, ResidentFactory
from policing.periods import IsoWeek
from stations.models import Assignment, Person
from stations.tests.factories import AssignmentFactory, PersonFactory
from visits.tests.factories import VisitFactory

pytestmark = pytest.mark.django_db

#: Queries of the page for station S's chief: session and user; inside the
#: request's savepoint the scope, the grid with its counts, the assignments,
#: the quota metric's three (persons, grid days, policies), the open disputes
#: and the households' count; while rendering the top bar's notification
#: count, the households' page, recent visits and recent cases. The session
#: is not saved: it was renewed less than a minute ago.
CHIEF_QUERIES = 16
OFFICER_QUERIES = CHIEF_QUERIES + 1


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(grid: Grid) -> str:
    return f"/grids/{grid.pk}/"


def ids(response, name: str) -> list[int]:
    """Return the ids in ``data-<name>="…"`` attributes, in page order."""
    return [
        int(pk) for pk in re.findall(rf'data-{name}="(\d+)"', response.content.decode())
    ]


def household_row(response, household) -> str:
    html = response.content.decode()
    match = re.search(
        rf'<tr data-household="{household.pk}">(.*?)</tr>', html, flags=re.S
    )
    assert match, f"household {household.pk} is not listed"
    return match[1]


def nonexistent_pk() -> int:
    return (Grid.objects.order_by("-pk").values_list("pk", flat=True).first()) + 1000


#
# Scope
#


def test_the_url_is_the_grids_absolute_url(world):
    grid = world.grids["A"]
    assert reverse("dashboards:grid", args=[grid.pk]) == page_of(grid)
    assert grid.get_absolute_url() == page_of(grid)


@pytest.mark.parametrize(
    ("principal", "visible"),
    [
        ("officer_a", {"A"}),
        ("auxiliary_a", {"A"}),
        ("officer_b", {"B"}),
        ("chief_s", {"A", "B"}),
        ("chief_t", {"C"}),
        ("bureau_x", {"A", "B", "C"}),
        ("bureau_y", {"D"}),
        ("superuser", {"A", "B", "C", "D"}),
    ],
)
def test_a_grid_outside_the_scope_answers_like_a_nonexistent_one(
    world, principal, visible
):
    """Field staff see their own grids, a chief the station, bureau staff the bureau."""
    client = logged_in(world.users[principal])
    missing = client.get(f"/grids/{nonexistent_pk()}/")
    assert missing.status_code == 404
    for name, grid in world.grids.items():
        response = client.get(page_of(grid))
        if name in visible:
            assert response.status_code == 200, name
            assert ids(response, "grid") == [grid.pk]
        else:
            assert response.status_code == missing.status_code, name
            assert response.content == missing.content, name


def test_field_staff_do_not_see_other_grids_of_their_station(world):
    """Grids are station-wide reference data, but this page shows residents."""
    response = logged_in(world.users["officer_a"]).get(page_of(world.grids["B"]))
    assert response.status_code == 404


def test_a_grid_assigned_through_a_post_is_visible(world):
    """A post assignment brings the grids of the areas the post serves."""
    person = PersonFactory(station=world.stations["S"], user=None)
    user = world.users["no_staff"]
    person.user = user
    person.save()
    AssignmentFactory(
        person=person, post=world.posts["S"], role=Assignment.Role.ASSISTANT
    )
    client = logged_in(user)
    assert client.get(page_of(world.grids["A"])).status_code == 200
    assert client.get(page_of(world.grids["C"])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(world, client):
    url = page_of(world.grids["A"])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_a_login_without_a_staff_record_is_refused(world):
    response = logged_in(world.users["no_staff"]).get(page_of(world.grids["A"]))
    assert response.status_code == 403


#
# Content
#


def test_the_header_gives_the_grid_and_its_counts(world):
    grid = world.grids["A"]
    household = HouseholdFactory(grid=grid)
    ResidentFactory(household=household)
    ResidentFactory(
        household=household, is_key_person=True, key_person_category="drug_user"
    )
    html = logged_in(world.users["chief_s"]).get(page_of(grid)).content.decode()
    assert grid.name in html
    assert grid.code in html
    assert world.stations["S"].name in html
    assert world.areas["A"].name in html
    assert re.search(r'data-kpi="households">2<', html)
    assert re.search(r'data-kpi="residents">3<', html)
    assert re.search(r'data-kpi="key_persons">1<', html)
    assert re.search(r'data-kpi="open_disputes">1<', html)


def test_the_staff_are_the_current_assignments_responsible_first(world):
    grid = world.grids["A"]
    today = timezone.localdate()
    former = PersonFactory(name="former_worker", station=world.stations["S"])
    AssignmentFactory(
        person=former,
        grid=grid,
        role=Assignment.Role.ASSISTANT,
        start=today - datetime.timedelta(days=30),
        end=today - datetime.timedelta(days=1),
    )
    future = PersonFactory(name="future_worker", station=world.stations["S"])
    AssignmentFactory(
        person=future,
        grid=grid,
        role=Assignment.Role.ASSISTANT,
        start=today + datetime.timedelta(days=1),
    )
    last_day = PersonFactory(
        name="last_day_worker",
        kind=Person.Kind.GRID_WORKER,
        station=world.stations["S"],
    )
    AssignmentFactory(
        person=last_day,
        grid=grid,
        role=Assignment.Role.ASSISTANT,
        start=today - datetime.timedelta(days=30),
        end=today,
    )
    response = logged_in(world.users["chief_s"]).get(page_of(grid))
    assert ids(response, "person") == [
        world.persons["officer_a"].pk,
        world.persons["auxiliary_a"].pk,
        last_day.pk,
    ]
    html = response.content.decode()
    for text in ("officer_a", "auxiliary_a", "last_day_worker", "police officer"):
        assert text in html
    assert "auxiliary police" in html
    assert "grid worker" in html
    assert "former_worker" not in html
    assert "future_worker" not in html
    assert "officer_b" not in html


def test_staff_phones_are_shown_in_full_to_the_grids_own_staff_only(world):
    officer = world.persons["officer_a"]
    officer.phone = "13812345678"
    officer.save()
    grid = world.grids["A"]
    own = logged_in(world.users["auxiliary_a"]).get(page_of(grid)).content.decode()
    assert "13812345678" in own
    for principal in ("chief_s", "bureau_x", "superuser"):
        html = logged_in(world.users[principal]).get(page_of(grid)).content.decode()
        assert "13812345678" not in html, principal
        assert "138****5678" in html, principal


def test_the_staffs_weekly_quotas_are_those_of_the_metric(world):
    grid = world.grids["A"]
    officer = world.persons["officer_a"]
    (quota,) = metrics.weekly_quotas(
        week=IsoWeek.current(), persons=Person.objects.filter(pk=officer.pk)
    )
    html = logged_in(world.users["chief_s"]).get(page_of(grid)).content.decode()
    row = re.search(rf'<tr data-person="{officer.pk}">(.*?)</tr>', html, flags=re.S)[1]
    for name in metrics.QUOTA_METRICS:
        cell = re.search(rf'data-metric="{name}">([^<]*)<', row)[1]
        assert cell.strip() == str(getattr(quota, name)), name
    percent = round(100 * quota.completion)
    assert re.search(rf"data-completion>{percent}%<", row)


def test_a_visited_household_shows_its_last_visit_date(world):
    grid = world.grids["A"]
    visited = world.households["A"]
    earlier = timezone.now() - datetime.timedelta(days=40)
    VisitFactory(
        person=world.persons["officer_a"], household=visited, visited_at=earlier
    )
    never = HouseholdFactory(grid=grid, address="A路2号")
    response = logged_in(world.users["officer_a"]).get(page_of(grid))
    latest = timezone.localtime(world.visits["A"].visited_at).date()
    assert f">{latest:%Y-%m-%d}</time>" in household_row(response, visited)
    assert "Never visited" in household_row(response, never)
    assert "<time" not in household_row(response, never)


def test_a_visit_outside_the_requesters_scope_does_not_date_a_household(world):
    """A household moved in from another grid keeps visits made there."""
    household = HouseholdFactory(grid=world.grids["B"])
    VisitFactory(person=world.persons["officer_b"], household=household)
    household.grid = world.grids["A"]
    household.save()
    response = logged_in(world.users["officer_a"]).get(page_of(world.grids["A"]))
    assert "Never visited" in household_row(response, household)


def test_the_household_count_and_key_persons_per_row(world):
    grid = world.grids["A"]
    household = HouseholdFactory(grid=grid)
    ResidentFactory(household=household)
    ResidentFactory(
        household=household, is_key_person=True, key_person_category="other"
    )
    response = logged_in(world.users["officer_a"]).get(page_of(grid))
    cells = re.findall(r"<td[^>]*>(.*?)</td>", household_row(response, household))
    assert cells[1] == "2"
    assert re.sub(r"<[^>]+>", "", cells[2]) == "1"


def test_the_search_finds_households_by_address_or_resident_name(world):
    grid = world.grids["A"]
    first = world.households["A"]
    second = HouseholdFactory(grid=grid, address="幸福路8号")
    ResidentFactory(household=second, name="王小明")
    ResidentFactory(household=second, name="王小红")
    HouseholdFactory(grid=world.grids["B"], address="幸福路9号")
    client = logged_in(world.users["chief_s"])
    assert ids(client.get(page_of(grid)), "household") == [first.pk, second.pk]
    assert ids(client.get(page_of(grid), {"q": "王小"}), "household") == [second.pk]
    assert ids(client.get(page_of(grid), {"q": "幸福"}), "household") == [second.pk]
    assert ids(client.get(page_of(grid), {"q": " A路 "}), "household") == [first.pk]
    nothing = client.get(page_of(grid), {"q": "不存在"})
    assert ids(nothing, "household") == []
    assert "No household matches “不存在”." in nothing.content.decode()
    escaped = client.get(page_of(grid), {"q": "<b>x</b>"}).content.decode()
    assert "“&lt;b&gt;x&lt;/b&gt;”" in escaped
    assert "<b>x</b>" not in escaped


def test_the_households_are_paginated_by_25_keeping_the_search(world):
    grid = world.grids["A"]
    for number in range(30):
        HouseholdFactory(grid=grid, address=f"B路{number:02d}号")
    client = logged_in(world.users["chief_s"])
    first = client.get(page_of(grid))
    second = client.get(page_of(grid), {"page": 2})
    assert len(ids(first, "household")) == 25
    assert len(ids(second, "household")) == 6
    assert not set(ids(first, "household")) & set(ids(second, "household"))
    assert "31 households" in first.content.decode()
    searched = client.get(page_of(grid), {"q": "B路"})
    assert len(ids(searched, "household")) == 25
    assert "q=B%E8%B7%AF&amp;page=2" in searched.content.decode()
    assert len(ids(client.get(page_of(grid), {"q": "B路", "page": 2}), "household"))
    assert ids(client.get(page_of(grid), {"page": "x"}), "household") == ids(
        first, "household"
    )


def test_recent_visits_disputes_and_cases_of_the_grid(world):
    grid = world.grids["A"]
    closed = DisputeFactory(grid=grid, status="closed")
    DisputeFactory(grid=world.grids["B"])
    response = logged_in(world.users["officer_a"]).get(page_of(grid))
    html = response.content.decode()
    assert ids(response, "visit") == [world.visits["A"].pk]
    assert ids(response, "dispute") == [world.disputes["A"].pk]
    assert closed.pk not in ids(response, "dispute")
    assert f'href="/disputes/{world.disputes["A"].pk}/"' in html
    assert 'class="colour-badge colour-green"' in html
    assert ids(response, "case") == [world.cases["A"].pk]
    assert f'href="/cases/{world.cases["A"].pk}/"' in html


def test_recent_visits_are_the_latest_twenty(world):
    grid = world.grids["A"]
    now = timezone.now()
    visits = [
        VisitFactory(
            person=world.persons["officer_a"],
            household=world.households["A"],
            visited_at=now - datetime.timedelta(days=1, minutes=number),
        )
        for number in range(25)
    ]
    response = logged_in(world.users["chief_s"]).get(page_of(grid))
    expected = [world.visits["A"].pk] + [visit.pk for visit in visits[:19]]
    assert ids(response, "visit") == expected


def test_auxiliaries_see_no_cases(world):
    """Case records are for police officers (SECURITY G-PII6)."""
    response = logged_in(world.users["auxiliary_a"]).get(page_of(world.grids["A"]))
    assert response.status_code == 200
    assert ids(response, "case") == []
    assert "police officers" in response.content.decode()


def test_an_empty_grid_says_so(world):
    grid = GridFactory(area=world.areas["A"])
    response = logged_in(world.users["chief_s"]).get(page_of(grid))
    assert response.status_code == 200
    html = response.content.decode()
    for message in (
        "No one is assigned to this grid at present.",
        "No households are recorded in this grid yet.",
        "No visits are recorded in this grid yet.",
        "No open disputes.",
        "No cases in this grid.",
    ):
        assert message in html
    assert re.search(r'data-kpi="households">0<', html)
    assert re.search(r'data-kpi="completion">\u2013<', html)


def test_the_page_speaks_chinese_by_default_and_english_on_request(world):
    url = page_of(world.grids["A"])
    client = logged_in(world.users["chief_s"])
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="zh-hans"' in chinese
    for text in ("实有人口", "重点人员", "近期走访", "在办矛盾纠纷", "最近走访"):
        assert text in chinese
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in ("Residents", "Key persons", "Recent visits", "Open disputes"):
        assert text in english


def test_the_page_has_no_inline_script(world):
    html = logged_in(world.users["chief_s"]).get(page_of(world.grids["A"]))
    # json_script data is not executed: the CSP has nothing to allow.
    pattern = r"<script(?![^>]*(?:\bsrc=|application/json))[^>]*>"
    assert re.findall(pattern, html.content.decode()) == []


#
# Query count
#


def grow(world, grid: Grid, *, households: int = 30) -> None:
    """Add households with residents and visits, disputes, cases and staff."""
    officer = world.persons["officer_a"]
    for number in range(households):
        household = HouseholdFactory(grid=grid, address=f"C路{number:02d}号")
        ResidentFactory(
            household=household, is_key_person=True, key_person_category="other"
        )
        ResidentFactory(household=household)
        VisitFactory(person=officer, household=household)
        VisitFactory(person=officer, household=household)
    for _ in range(5):
        DisputeFactory(grid=grid, reported_by=officer)
        CaseFactory(grid=grid, officer=officer)
    for _ in range(3):
        AssignmentFactory(
            person=PersonFactory(
                station=world.stations["S"], kind=Person.Kind.GRID_WORKER
            ),
            grid=grid,
            role=Assignment.Role.ASSISTANT,
        )


@pytest.mark.parametrize(
    ("principal", "queries"),
    [("chief_s", CHIEF_QUERIES), ("officer_a", OFFICER_QUERIES)],
)
def test_the_query_count_does_not_grow_with_the_grid(
    world, principal, queries, django_assert_num_queries
):
    grid = world.grids["A"]
    client = logged_in(world.users[principal])
    with django_assert_num_queries(queries):
        assert client.get(page_of(grid)).status_code == 200
    grow(world, grid)
    client = logged_in(world.users[principal])
    with django_assert_num_queries(queries):
        response = client.get(page_of(grid))
    assert len(ids(response, "household")) == 25
    assert len(ids(response, "visit")) == 20
    assert len(ids(response, "person")) == 5
    with django_assert_num_queries(queries):
        assert client.get(page_of(grid), {"q": "C路", "page": 2}).status_code == 200
