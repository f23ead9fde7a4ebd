"""The access rule of SPEC §6 over every API resource, principal and method.

What each principal may see and change is derived here from the world's own
description (who works in which grid, station and bureau), never from the
scoping code under test.
"""

import re

import pytest
from rest_framework.test import APIClient

from policing.api import router

pytestmark = pytest.mark.django_db

NONEXISTENT_PK = 987654321

REFERENCE, GRID_DATA = "reference", "grid data"
#: grid data that only police officers among field staff see (G-PII6)
SENSITIVE = "sensitive grid data"

#: resource -> (kind of data, roles that may write it)
RESOURCES = {
    "bureaus": (REFERENCE, set()),
    "stations": (REFERENCE, {"bureau"}),
    "posts": (REFERENCE, {"bureau", "chief"}),
    "areas": (REFERENCE, {"bureau", "chief"}),
    "grids": (REFERENCE, {"bureau", "chief"}),
    "persons": (REFERENCE, {"bureau", "chief"}),
    "assignments": (REFERENCE, {"bureau", "chief"}),
    "households": (GRID_DATA, {"bureau", "chief", "field"}),
    "residents": (GRID_DATA, {"bureau", "chief", "field"}),
    "visits": (GRID_DATA, {"bureau", "chief", "field"}),
    "patrols": (GRID_DATA, {"bureau", "chief", "field"}),
    "venues": (GRID_DATA, {"bureau", "chief", "field"}),
    "inspections": (GRID_DATA, {"bureau", "chief", "field"}),
    "services": (GRID_DATA, {"bureau", "chief", "field"}),
    "disputes": (GRID_DATA, {"bureau", "chief", "field"}),
    "cases": (SENSITIVE, {"bureau", "chief", "field"}),
}

#: a harmless change per resource, for the update cases
PATCHES = {
    "bureaus": {"name": "改名"},
    "stations": {"name": "改名"},
    "posts": {"opening_hours": "全天"},
    "areas": {"name": "改名"},
    "grids": {"population": 1500},
    "persons": {"phone": "13900000000"},
    "assignments": {"role": "assistant"},
    "households": {"member_count": 4},
    "residents": {"phone": "13900000001"},
    "visits": {"notes": "改"},
    "patrols": {"notes": "改"},
    "venues": {"name": "改名"},
    "inspections": {"notes": "改"},
    "services": {"notes": "改"},
    "disputes": {"summary": "改"},
    "cases": {"summary": "改"},
}

PRINCIPALS = [
    "anonymous",
    "deactivated",
    "no_staff",
    "officer_a",
    "auxiliary_a",
    "officer_b",
    "chief_s",
    "chief_t",
    "bureau_x",
    "bureau_y",
    "superuser",
]


def homes(world, resource):
    """Return {pk: (bureau, station, grid)} for every row of ``resource``.

    ``station`` is None for rows above station level, ``grid`` is None for
    rows that are not tied to one grid.
    """
    station_of_grid = {"A": "S", "B": "S", "C": "T", "D": "U"}
    bureau_of_station = {"S": "X", "T": "X", "U": "Y"}

    def grid_home(g):
        return (bureau_of_station[station_of_grid[g]], station_of_grid[g], g)

    def person_home(name):
        person = world.persons[name]
        station = next(
            (s for s, o in world.stations.items() if o == person.station), None
        )
        bureau = next(b for b, o in world.bureaus.items() if o.pk == person.bureau_id)
        return (bureau, station, None)

    if resource == "bureaus":
        return {o.pk: (b, None, None) for b, o in world.bureaus.items()}
    if resource == "stations":
        return {
            o.pk: (bureau_of_station[s], s, None) for s, o in world.stations.items()
        }
    if resource == "posts":
        return {o.pk: (bureau_of_station[s], s, None) for s, o in world.posts.items()}
    if resource == "areas":
        return {o.pk: grid_home(g) for g, o in world.areas.items()}
    if resource == "grids":
        return {o.pk: grid_home(g) for g, o in world.grids.items()}
    if resource == "households":
        return {o.pk: grid_home(g) for g, o in world.households.items()}
    if resource == "residents":
        return {o.pk: grid_home(g) for g, o in world.residents.items()}
    if resource in (
        "visits",
        "patrols",
        "venues",
        "inspections",
        "services",
        "disputes",
        "cases",
    ):
        return {o.pk: grid_home(g) for g, o in getattr(world, resource).items()}
    if resource == "persons":
        return {p.pk: person_home(name) for name, p in world.persons.items()}
    if resource == "assignments":
        return {
            a.pk: person_home(name)
            for name, p in world.persons.items()
            for a in p.assignments.all()
        }
    raise AssertionError(resource)


def may_see(world, principal, resource, home) -> bool:
    role, bureau, station, grids = world.principals[principal]
    kind, _writers = RESOURCES[resource]
    row_bureau, row_station, row_grid = home
    if role == "superuser":
        return True
    if role == "bureau":
        return row_bureau == bureau
    if kind == SENSITIVE and role == "field" and not is_officer(world, principal):
        return False
    if resource == "bureaus":
        return row_bureau == bureau
    if role == "chief" or kind == REFERENCE:
        return row_station == station
    return row_grid in grids


def is_officer(world, principal) -> bool:
    return world.persons[principal].kind == "officer"


def may_write(world, principal, resource) -> bool:
    role = world.principals[principal][0]
    kind, writers = RESOURCES[resource]
    if kind == SENSITIVE and role == "field" and not is_officer(world, principal):
        return False
    return role == "superuser" or role in writers


def client(world, principal):
    api = APIClient()
    if principal != "anonymous":
        api.force_authenticate(world.users[principal])
    return api


def denied_status(principal):
    return 401 if principal == "anonymous" else 403


@pytest.fixture
def world_with_principals(world):
    world.principals["deactivated"] = ("none", None, None, set())
    return world


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("principal", PRINCIPALS)
def test_read_and_update(world_with_principals, principal, resource):
    """Lists, retrieves and updates show exactly the principal's rows."""
    world = world_with_principals
    api = client(world, principal)
    url = f"/api/v1/{resource}/"
    rows = homes(world, resource)

    response = api.get(url, {"page_size": 200})
    if principal in ("anonymous", "deactivated", "no_staff"):
        assert response.status_code == denied_status(principal)
        for pk in rows:
            assert api.get(f"{url}{pk}/").status_code == denied_status(principal)
            assert api.patch(f"{url}{pk}/", PATCHES[resource]).status_code in (401, 403)
        return

    assert response.status_code == 200
    visible = {
        pk for pk, home in rows.items() if may_see(world, principal, resource, home)
    }
    assert {row["id"] for row in response.json()["results"]} == visible

    missing = api.get(f"{url}{NONEXISTENT_PK}/")
    assert missing.status_code == 404
    for pk in rows:
        detail = api.get(f"{url}{pk}/")
        if pk in visible:
            assert detail.status_code == 200
        else:
            assert (detail.status_code, detail.json()) == (404, missing.json())

    for pk in rows:
        update = api.patch(f"{url}{pk}/", PATCHES[resource])
        if not may_write(world, principal, resource):
            assert update.status_code == 403, (pk, update.content)
        elif pk in visible:
            assert update.status_code == 200, (pk, update.content)
        else:
            assert (update.status_code, update.json()) == (404, missing.json())


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("principal", PRINCIPALS[3:])
def test_delete(world_with_principals, principal, resource):
    """Deletes reach only rows the principal may change."""
    world = world_with_principals
    api = client(world, principal)
    url = f"/api/v1/{resource}/"
    for pk, home in homes(world, resource).items():
        response = api.delete(f"{url}{pk}/")
        if not may_write(world, principal, resource):
            assert response.status_code == 403
        elif may_see(world, principal, resource, home):
            # 409 when other records still point at the row (PROTECT).
            assert response.status_code in (204, 409), response.content
        else:
            assert response.status_code == 404


@pytest.mark.parametrize("principal", PRINCIPALS[3:])
def test_list_filtered_by_another_scope(world_with_principals, principal):
    """Filtering by a grid outside the scope yields no rows, not an error."""
    world = world_with_principals
    api = client(world, principal)
    rows = homes(world, "households")
    for grid_name, grid in world.grids.items():
        response = api.get("/api/v1/households/", {"grid": grid.pk})
        assert response.status_code == 200
        expected = {
            pk
            for pk, home in rows.items()
            if home[2] == grid_name and may_see(world, principal, "households", home)
        }
        assert {row["id"] for row in response.json()["results"]} == expected


def _without_ids(body) -> str:
    return re.sub(r"\d+", "N", str(body))


@pytest.mark.parametrize("principal", PRINCIPALS[3:])
def test_create_in_each_grid(world_with_principals, principal):
    """A household in a grid outside the territory fails as in a missing grid."""
    world = world_with_principals
    api = client(world, principal)
    role, _bureau, station, grids = world.principals[principal]
    station_grids = {"S": {"A", "B"}, "T": {"C"}, "U": {"D"}}
    territory = station_grids.get(station, set()) if role == "chief" else grids
    nonexistent = api.post(
        "/api/v1/households/", {"address": "不存在路1号", "grid": NONEXISTENT_PK}
    )
    assert nonexistent.status_code == 400
    for grid_name, grid in world.grids.items():
        response = api.post(
            "/api/v1/households/", {"address": f"新{grid_name}路9号", "grid": grid.pk}
        )
        if grid_name in territory:
            assert response.status_code == 201, response.content
        else:
            assert response.status_code == 400
            assert _without_ids(response.json()) == _without_ids(nonexistent.json())


def test_chief_cannot_move_a_grid_to_another_station(world):
    """Re-parenting a grid to an area of another station is refused."""
    api = client(world, "chief_s")
    grid = world.grids["A"]
    response = api.patch(f"/api/v1/grids/{grid.pk}/", {"area": world.areas["C"].pk})
    assert response.status_code == 400
    assert "area" in response.json()
    grid.refresh_from_db()
    assert grid.area == world.areas["A"]


def test_officer_cannot_move_a_household_out_of_their_grid(world):
    """An officer cannot hand a household over to a grid they do not work in."""
    api = client(world, "officer_a")
    household = world.households["A"]
    response = api.patch(
        f"/api/v1/households/{household.pk}/", {"grid": world.grids["B"].pk}
    )
    assert response.status_code == 400
    household.refresh_from_db()
    assert household.grid == world.grids["A"]


def test_every_registered_resource_is_in_the_matrix():
    """A new API resource must be added to the access matrix."""
    registered = {prefix for prefix, _viewset, _basename in router.registry}
    assert registered == set(RESOURCES)
