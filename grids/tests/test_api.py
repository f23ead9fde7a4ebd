"""The territory API: field-level 400s, nothing partial, masked IDs, tokens."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone, translation
from knox.models import AuthToken
from rest_framework.test import APIClient
from stdnum.cn import ric

from grids.models import (
    ID_NUMBER_REGISTERED,
    NO_GRID_AT_POINT,
    Area,
    Grid,
    Household,
    Resident,
)
from grids.serializers import NOT_IN_YOUR_GRIDS
from grids.tests.factories import CELL, ResidentFactory, point, valid_id_number
from stations.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "/api/v1/households/"
RESIDENTS = "/api/v1/residents/"
LOOKUP = "/api/v1/residents/lookup/"
AREAS = "/api/v1/areas/"
GRIDS = "/api/v1/grids/"
TOKEN = "/api/v1/auth/token/"

BOW_TIE = {
    "type": "Polygon",
    "coordinates": [
        [[100, 30], [100.01, 30.01], [100.01, 30], [100, 30.01], [100, 30]]
    ],
}
NOWHERE = point(150.0, 60.0)
# Not one of the factories' numbers (they are born on 1 January 1990).
KNOWN_NUMBER = valid_id_number(901, region="110105", birth="19851224")
CJK = re.compile(r"[\u4e00-\u9fff]")


def inside(grid: Grid) -> dict:
    """Return a point in the middle of a factory grid (a lattice square)."""
    lon, lat = grid.boundary["coordinates"][0][0]
    return point(lon + CELL / 2, lat + CELL / 2)


def wrong_check_digit(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


#
# Households: the grid comes from the location
#


def test_household_gets_the_grid_of_its_location(world, client_for):
    """Address and a location in officer A's grid create a household in grid A."""
    client = client_for(world.users["officer_a"])
    location = inside(world.grids["A"])
    response = client.post(HOUSEHOLDS, {"address": "A路2号", "location": location})
    assert response.status_code == 201, response.json()
    assert response.json()["grid"] == world.grids["A"].pk
    household = Household.objects.get(pk=response.json()["id"])
    assert household.grid == world.grids["A"]
    assert household.location == location


def test_household_in_a_colleagues_grid_is_rejected(world, client_for):
    """A location in grid B (same station, not officer A's) is a ``location`` error."""
    client = client_for(world.users["officer_a"])
    count = Household.objects.count()
    response = client.post(
        HOUSEHOLDS, {"address": "B路2号", "location": inside(world.grids["B"])}
    )
    assert response.status_code == 400
    assert response.json()["location"] == [str(NOT_IN_YOUR_GRIDS)]
    assert Household.objects.count() == count


def test_household_in_an_explicit_foreign_grid_is_rejected(world, client_for):
    """Naming grid B explicitly is a ``grid`` error for officer A."""
    client = client_for(world.users["officer_a"])
    count = Household.objects.count()
    response = client.post(
        HOUSEHOLDS,
        {
            "address": "B路3号",
            "grid": world.grids["B"].pk,
            "location": inside(world.grids["B"]),
        },
    )
    assert response.status_code == 400
    assert "grid" in response.json()
    assert Household.objects.count() == count


def test_household_in_no_grid_is_rejected(world, client_for):
    """A location outside every grid is a ``location`` error and stores nothing."""
    client = client_for(world.users["officer_a"])
    count = Household.objects.count()
    response = client.post(HOUSEHOLDS, {"address": "无名路1号", "location": NOWHERE})
    assert response.status_code == 400
    assert response.json()["location"] == [str(NO_GRID_AT_POINT)]
    assert Household.objects.count() == count


def test_household_with_invalid_location_is_rejected(world, client_for):
    """A location that is not a GeoJSON point is a ``location`` error."""
    client = client_for(world.users["officer_a"])
    count = Household.objects.count()
    response = client.post(
        HOUSEHOLDS,
        {"address": "A路3号", "location": {"type": "Point", "coordinates": [200, 0]}},
    )
    assert response.status_code == 400
    assert "location" in response.json()
    assert Household.objects.count() == count


def test_household_location_error_names_the_range(world, client_for):
    """The ``location`` error of an out-of-range point names the WGS84 range."""
    client = client_for(world.users["officer_a"])
    response = client.post(
        HOUSEHOLDS, {"address": "A路3号", "location": point(200, 30)}
    )
    assert response.status_code == 400
    assert "outside WGS84 range" in response.json()["location"][0]


def test_household_with_huge_coordinate_is_rejected(world, client_for):
    """A coordinate too large for a float is a 400, never a 500."""
    client = client_for(world.users["officer_a"])
    count = Household.objects.count()
    huge = "1" + "0" * 400
    body = (
        '{"address": "A路5号", '
        f'"location": {{"type": "Point", "coordinates": [{huge}, 30]}}}}'
    )
    response = client.post(HOUSEHOLDS, body, content_type="application/json")
    assert response.status_code == 400
    assert "location" in response.json()
    assert Household.objects.count() == count


def test_negative_member_count_is_rejected(world, client_for):
    """A negative member count is a ``member_count`` error and stores nothing."""
    client = client_for(world.users["officer_a"])
    count = Household.objects.count()
    response = client.post(
        HOUSEHOLDS,
        {"address": "A路4号", "location": inside(world.grids["A"]), "member_count": -1},
    )
    assert response.status_code == 400
    assert "member_count" in response.json()
    assert Household.objects.count() == count


#
# Grids: boundaries
#


@pytest.mark.parametrize(
    "boundary",
    [
        "not GeoJSON",
        {"type": "Polygon"},
        {"type": "Point", "coordinates": [100, 30]},
        {"type": "Polygon", "coordinates": [[[100, 30], [100.01, 30], [100, 30]]]},
        BOW_TIE,
    ],
    ids=["string", "no-coordinates", "point", "short-ring", "bow-tie"],
)
def test_bad_grid_boundary_is_rejected(world, client_for, boundary):
    """A bad or self-intersecting boundary is a ``boundary`` error; nothing changes."""
    grid = world.grids["A"]
    before = grid.boundary
    client = client_for(world.users["chief_s"])
    response = client.patch(f"{GRIDS}{grid.pk}/", {"boundary": boundary})
    assert response.status_code == 400
    assert "boundary" in response.json()
    grid.refresh_from_db()
    assert grid.boundary == before


def test_self_intersection_is_named(world, client_for):
    """The boundary error of a bow-tie says it self-intersects."""
    client = client_for(world.users["chief_s"])
    response = client.patch(f"{GRIDS}{world.grids['A'].pk}/", {"boundary": BOW_TIE})
    assert "Self-intersection" in response.json()["boundary"][0]


def test_mixed_dimension_boundary_is_rejected(world, client_for):
    """A ring mixing 2-D and 3-D positions is a ``boundary`` error, never a 500."""
    grid = world.grids["A"]
    before = grid.boundary
    ring = [[100, 30], [100.01, 30, 5], [100.01, 30.01], [100, 30]]
    response = client_for(world.users["chief_s"]).patch(
        f"{GRIDS}{grid.pk}/", {"boundary": {"type": "Polygon", "coordinates": [ring]}}
    )
    assert response.status_code == 400
    assert "boundary" in response.json()
    grid.refresh_from_db()
    assert grid.boundary == before


#
# Residents: national ID numbers
#


def test_resident_with_bad_checksum_is_rejected(world, client_for):
    """A national ID with a wrong check digit is an ``id_number`` error."""
    client = client_for(world.users["officer_a"])
    count = Resident.objects.count()
    response = client.post(
        RESIDENTS,
        {
            "name": "张三",
            "id_number": wrong_check_digit(KNOWN_NUMBER),
            "household": world.households["A"].pk,
        },
    )
    assert response.status_code == 400
    assert "check digit" in response.json()["id_number"][0]
    assert Resident.objects.count() == count


def test_resident_with_valid_id_is_created_and_masked(world, client_for):
    """A valid ID creates the resident; the response shows it masked only."""
    client = client_for(world.users["officer_a"])
    response = client.post(
        RESIDENTS,
        {
            "name": "张三",
            "id_number": KNOWN_NUMBER,
            "household": world.households["A"].pk,
        },
    )
    assert response.status_code == 201, response.json()
    assert re.fullmatch(r"\d{6}\*{8}\d{3}[\dX]", response.json()["id_number"])
    assert (
        response.json()["id_number"] == KNOWN_NUMBER[:6] + "*" * 8 + KNOWN_NUMBER[14:]
    )
    body = response.content.decode()
    assert KNOWN_NUMBER not in body
    assert KNOWN_NUMBER[6:14] not in body
    resident = Resident.objects.get(pk=response.json()["id"])
    assert resident.household == world.households["A"]


def test_resident_list_never_shows_clear_numbers(world, client_for):
    """Listing residents shows only masks."""
    ResidentFactory(household=world.households["A"], id_number=KNOWN_NUMBER)
    response = client_for(world.users["officer_a"]).get(RESIDENTS)
    assert response.status_code == 200
    assert response.json()["count"] >= 1
    assert KNOWN_NUMBER not in response.content.decode()


def test_resident_born_in_the_future_is_rejected(world, client_for):
    """An ID with a birth date after today is an ``id_number`` error."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    body = f"110105{tomorrow:%Y%m%d}005"
    number = body + ric.calc_check_digit(body + "0")
    count = Resident.objects.count()
    response = client_for(world.users["officer_a"]).post(
        RESIDENTS,
        {"name": "张三", "id_number": number, "household": world.households["A"].pk},
    )
    assert response.status_code == 400
    assert "birth date" in response.json()["id_number"][0]
    assert Resident.objects.count() == count


def test_lookup_finds_the_resident_in_scope(world, client_for):
    """Looking up a full ID number finds the resident in the requester's grids."""
    resident = ResidentFactory(household=world.households["A"], id_number=KNOWN_NUMBER)
    response = client_for(world.users["officer_a"]).post(
        LOOKUP, {"id_number": KNOWN_NUMBER}
    )
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [resident.pk]
    assert KNOWN_NUMBER not in response.content.decode()


def test_lookup_out_of_scope_gives_an_empty_list(world, client_for):
    """Officer B looking up grid A's resident gets an empty list."""
    ResidentFactory(household=world.households["A"], id_number=KNOWN_NUMBER)
    response = client_for(world.users["officer_b"]).post(
        LOOKUP, {"id_number": KNOWN_NUMBER}
    )
    assert response.status_code == 200
    assert response.json() == []


def test_lookup_with_bad_number_is_rejected(world, client_for):
    """A malformed number in a lookup is an ``id_number`` error."""
    response = client_for(world.users["officer_a"]).post(
        LOOKUP, {"id_number": wrong_check_digit(KNOWN_NUMBER)}
    )
    assert response.status_code == 400
    assert "id_number" in response.json()


#
# Areas: enumerations
#


def test_unknown_area_kind_is_rejected(world, client_for):
    """An unknown ``kind`` is a ``kind`` error and stores nothing."""
    client = client_for(world.users["chief_s"])
    count = Area.objects.count()
    response = client.post(
        AREAS, {"name": "新社区", "kind": "town", "station": world.stations["S"].pk}
    )
    assert response.status_code == 400
    assert "kind" in response.json()
    assert Area.objects.count() == count


#
# Language
#


def test_errors_are_in_chinese_on_request(world, client_for):
    """With Accept-Language: zh-hans, the error message is the Chinese one."""
    mo = (
        Path(django_settings.BASE_DIR)
        / "locale"
        / "zh_Hans"
        / "LC_MESSAGES"
        / "django.mo"
    )
    if not mo.exists():
        pytest.skip("the zh_Hans catalogue has not been compiled")
    client = client_for(world.users["officer_a"])
    response = client.post(
        HOUSEHOLDS,
        {"address": "无名路1号", "location": NOWHERE},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    message = response.json()["location"][0]
    with translation.override("zh-hans"):
        expected = str(NO_GRID_AT_POINT)
    assert message == expected
    assert CJK.search(message)


#
# Tokens
#


def obtain_token(username: str, password: str = PASSWORD):
    return APIClient().post(TOKEN, {"username": username, "password": password})


def token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_token_for_right_password(world):
    """Right credentials give a token that authenticates API requests."""
    response = obtain_token("officer_a")
    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    grids = token_client(response.json()["token"]).get(GRIDS)
    assert grids.status_code == 200
    assert {row["id"] for row in grids.json()["results"]} >= {world.grids["A"].pk}


def test_no_token_for_wrong_password(world):
    """A wrong password gives 400 and no token."""
    count = AuthToken.objects.count()
    response = obtain_token("officer_a", "wrong-password")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert AuthToken.objects.count() == count


def test_bad_token_is_refused(world):
    """A made-up token does not authenticate."""
    assert token_client("0" * 64).get(GRIDS).status_code in (401, 403)


def test_token_is_stored_as_digest_only(world):
    """The stored token row does not contain the token string."""
    token = obtain_token("officer_a").json()["token"]
    table = connection.ops.quote_name(AuthToken._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        rows = cursor.fetchall()
    assert len(rows) == 1
    for column in rows[0]:
        assert token not in str(column)


def test_deactivated_users_token_stops_working(world):
    """A token stops working on the request after its user is deactivated."""
    user = world.users["officer_a"]
    client = token_client(obtain_token("officer_a").json()["token"])
    assert client.get(GRIDS).status_code == 200
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(GRIDS).status_code in (401, 403)


def test_moving_a_household_point_moves_it_to_the_covering_grid(world, client_for):
    """A PATCH of the location alone re-derives the grid from the new point."""
    chief = client_for(world.users["chief_s"])
    household = world.households["A"]
    grid_b = world.grids["B"]
    ring = grid_b.boundary["coordinates"][0]
    inside_b = {
        "type": "Point",
        "coordinates": [(ring[0][0] + ring[2][0]) / 2, (ring[0][1] + ring[2][1]) / 2],
    }
    response = chief.patch(
        f"/api/v1/households/{household.pk}/", {"location": inside_b}
    )
    assert response.status_code == 200, response.content
    household.refresh_from_db()
    assert household.grid == grid_b


def test_officer_cannot_move_a_household_point_out_of_their_grids(world, client_for):
    """A new point outside the officer's grids is a location error; nothing changes."""
    officer = client_for(world.users["officer_a"])
    household = world.households["A"]
    before = household.location
    ring = world.grids["B"].boundary["coordinates"][0]
    inside_b = {
        "type": "Point",
        "coordinates": [(ring[0][0] + ring[2][0]) / 2, (ring[0][1] + ring[2][1]) / 2],
    }
    response = officer.patch(
        f"/api/v1/households/{household.pk}/", {"location": inside_b}
    )
    assert response.status_code == 400
    assert "location" in response.json()
    household.refresh_from_db()
    assert household.location == before
    assert household.grid == world.grids["A"]


#
# One resident record per person and bureau (issue 27, item 9)
#

TWICE = valid_id_number(777, region="530321", birth="19800101")


@pytest.mark.parametrize(
    ("writer", "household"),
    [("officer_b", "B"), ("chief_s", "B"), ("chief_t", "C"), ("bureau_x", "C")],
)
def test_a_national_id_registered_in_the_bureau_is_refused(
    world, client_for, writer, household
):
    """The same message whether or not the writer may see the first record:
    it says the number is registered, never whose or where."""
    ResidentFactory(household=world.households["A"], id_number=TWICE)
    before = Resident.objects.count()
    response = client_for(world.users[writer]).post(
        RESIDENTS,
        {
            "name": "李四",
            "id_number": TWICE,
            "household": world.households[household].pk,
        },
    )
    assert response.status_code == 400
    assert response.json() == {"id_number": [str(ID_NUMBER_REGISTERED)]}
    assert Resident.objects.count() == before


def test_the_same_national_id_in_another_bureau_is_another_record(world, client_for):
    ResidentFactory(household=world.households["A"], id_number=TWICE)
    response = client_for(world.users["bureau_y"]).post(
        RESIDENTS,
        {"name": "李四", "id_number": TWICE, "household": world.households["D"].pk},
    )
    assert response.status_code == 201


def test_a_resident_who_moves_keeps_the_record(world, client_for):
    resident = ResidentFactory(household=world.households["A"], id_number=TWICE)
    response = client_for(world.users["chief_s"]).patch(
        f"{RESIDENTS}{resident.pk}/",
        {"household": world.households["B"].pk, "id_number": TWICE},
    )
    assert response.status_code == 200


#
# The household search says whom it found (issue 19, item 6)
#


def test_a_household_found_by_a_residents_name_names_the_resident(world, client_for):
    household = world.households["A"]
    ResidentFactory(household=household, name="王秀英")
    first_by_name = ResidentFactory(household=household, name="王秀兰")
    client = client_for(world.users["officer_a"])

    found = client.get("/api/v1/households/", {"q": "王秀"}).json()["results"]
    assert [row["id"] for row in found] == [household.pk]  # once, two matches
    assert found[0]["matched_resident"] == {"id": first_by_name.pk, "name": "王秀兰"}

    by_address = client.get("/api/v1/households/", {"q": household.address[:3]})
    assert by_address.json()["results"][0]["matched_resident"] is None
    unsearched = client.get("/api/v1/households/").json()["results"]
    assert {row["matched_resident"] for row in unsearched} == {None}
