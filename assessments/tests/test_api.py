"""GET /api/v1/metrics/quotas/ (SPEC §4), on the shared ``world`` fixture."""

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from assessments import tasks
from policing.periods import NO_SUCH_WEEK, WEEK_FORMAT
from visits.tests.factories import PatrolFactory, VisitFactory, local

pytestmark = pytest.mark.django_db

URL = "/api/v1/metrics/quotas/"
ROW_KEYS = {
    "person",
    "person_name",
    "household_visits",
    "info_items",
    "patrol_hours",
    "grid_days",
    "targets",
    "completion",
    "met",
}


def get(client, **params):
    return client.get(URL, {"week": "2026-W47", **params})


def names(response) -> list[str]:
    return [row["person_name"] for row in response.json()["results"]]


def staff_of(world, station_name) -> list[str]:
    """Return the names of the persons the world puts in a station, sorted."""
    station = world.stations[station_name]
    return sorted(
        name for name, person in world.persons.items() if person.station == station
    )


def test_url_is_named():
    assert reverse("metrics-quotas") == URL


def test_response_has_exactly_the_contract_shape(world, client_for):
    officer = world.persons["officer_a"]
    household = world.households["A"]
    VisitFactory(
        person=officer,
        household=household,
        visited_at=local(2026, 11, 17, 10),
        info_items=3,
    )
    PatrolFactory(
        person=officer,
        grid=world.grids["A"],
        started_at=local(2026, 11, 18, 8),
        ended_at=local(2026, 11, 18, 20, 30),
    )
    response = get(client_for(world.users["officer_a"]))
    assert response.status_code == 200
    # 1 household, 3 items, 08:00-20:30 = 12.5 h, Tuesday + Wednesday = 2 days;
    # completion (1/20 + 3/20 + 12.5/28 + min(2/1, 1)) / 4
    #          = (0.05 + 0.15 + 0.446428... + 1) / 4 = 0.411607... -> 0.4116
    assert response.json() == {
        "week": "2026-W47",
        "results": [
            {
                "person": officer.pk,
                "person_name": "officer_a",
                "household_visits": 1,
                "info_items": 3,
                "patrol_hours": 12.5,
                "grid_days": 2,
                "targets": {
                    "household_visits": 20,
                    "info_items": 20,
                    "patrol_hours": 28.0,
                    "grid_days": 1,
                },
                "completion": 0.4116,
                "met": False,
            }
        ],
    }
    # A JSON number, not a string.
    assert b'"patrol_hours":12.5' in response.content


def test_every_row_has_the_contract_keys(world, client_for):
    response = get(client_for(world.users["chief_s"]))
    assert response.status_code == 200
    assert set(response.json()) == {"week", "results"}
    assert response.json()["results"]
    for row in response.json()["results"]:
        assert set(row) == ROW_KEYS
        assert isinstance(row["patrol_hours"], float)


#
# Bad input
#


def test_impossible_week_is_a_field_error(world, client_for):
    response = get(client_for(world.users["chief_s"]), week="2026-W60")
    assert response.status_code == 400
    assert response.json() == {"week": [str(NO_SUCH_WEEK).format(year=2026, week=60)]}


def test_malformed_week_is_a_field_error(world, client_for):
    response = get(client_for(world.users["chief_s"]), week="2026-47")
    assert response.status_code == 400
    assert response.json() == {"week": [str(WEEK_FORMAT)]}


def test_missing_week_is_a_field_error(world, client_for):
    response = client_for(world.users["chief_s"]).get(URL)
    assert response.status_code == 400
    assert list(response.json()) == ["week"]


def test_non_numeric_station_is_a_field_error(world, client_for):
    response = get(client_for(world.users["chief_s"]), station="S")
    assert response.status_code == 400
    assert list(response.json()) == ["station"]


#
# Scope
#


def test_anonymous_is_unauthorised(world, api_client):
    assert get(api_client).status_code == 401


def test_login_without_staff_record_is_forbidden(world, client_for):
    assert get(client_for(world.users["no_staff"])).status_code == 403


def test_officer_sees_only_own_row(world, client_for):
    assert names(get(client_for(world.users["officer_a"]))) == ["officer_a"]


def test_officer_with_own_station_still_sees_only_own_row(world, client_for):
    response = get(client_for(world.users["officer_a"]), station=world.stations["S"].pk)
    assert names(response) == ["officer_a"]


def test_officer_asking_for_a_colleague_gets_404(world, client_for):
    client = client_for(world.users["officer_a"])
    response = get(client, person=world.persons["officer_b"].pk)
    assert response.status_code == 404
    assert response.json() == get(client, person=999_999).json()


def test_chief_sees_the_station(world, client_for):
    response = get(client_for(world.users["chief_s"]))
    assert names(response) == staff_of(world, "S")


def test_chief_filters_by_own_station_and_person(world, client_for):
    client = client_for(world.users["chief_s"])
    assert names(get(client, station=world.stations["S"].pk)) == staff_of(world, "S")
    response = get(client, person=world.persons["officer_b"].pk)
    assert names(response) == ["officer_b"]


def test_other_station_answers_like_a_nonexistent_one(world, client_for):
    client = client_for(world.users["chief_s"])
    other = get(client, station=world.stations["T"].pk)
    missing = get(client, station=999_999)
    assert other.status_code == missing.status_code == 404
    assert other.content == missing.content


def test_person_of_another_station_answers_like_a_nonexistent_one(world, client_for):
    client = client_for(world.users["chief_s"])
    other = get(client, person=world.persons["officer_c"].pk)
    missing = get(client, person=999_999)
    assert other.status_code == missing.status_code == 404
    assert other.content == missing.content


def test_out_of_range_id_is_not_found(world, client_for):
    client = client_for(world.users["bureau_x"])
    assert get(client, station=10**30).status_code == 404
    assert get(client, person=10**30).status_code == 404


def test_bureau_staff_see_the_bureau_and_pick_a_station(world, client_for):
    client = client_for(world.users["bureau_x"])
    bureau_staff = ["bureau_x"]
    expected = sorted(staff_of(world, "S") + staff_of(world, "T") + bureau_staff)
    assert names(get(client)) == expected
    assert names(get(client, station=world.stations["T"].pk)) == staff_of(world, "T")
    assert get(client, station=world.stations["U"].pk).status_code == 404


#
# Celery task
#


def test_task_counts_the_rows_of_a_station(world):
    station = world.stations["S"]
    result = tasks.weekly_quotas.apply(args=("2026-W47", station.pk))
    assert result.get() == len(staff_of(world, "S"))


def test_task_covers_every_person_without_a_station(world):
    assert tasks.weekly_quotas("2026-W47") == len(world.persons)


def test_endpoint_reflects_a_write_at_once(world, client_for):
    """SPEC §4: metrics reflect every committed write at the time of the request."""
    client = client_for(world.users["officer_a"])
    assert get(client).json()["results"][0]["household_visits"] == 0
    VisitFactory(
        person=world.persons["officer_a"],
        household=world.households["A"],
        visited_at=local(2026, 11, 20, 9),
    )
    assert get(client).json()["results"][0]["household_visits"] == 1


def test_schema_documents_the_parameters_and_response():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][URL]["get"]
    parameters = {p["name"]: p.get("required", False) for p in operation["parameters"]}
    assert parameters == {"week": True, "station": False, "person": False}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/QuotaReport"
    }
    row = schema["components"]["schemas"]["QuotaRow"]
    assert set(row["properties"]) == ROW_KEYS


def test_quota_week_beyond_the_last_year_is_a_field_error(world, client_for):
    response = client_for(world.users["chief_s"]).get(
        "/api/v1/metrics/quotas/", {"week": "9999-W52"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["week"]
