"""The admin follows the same access rule as the API (SPEC §6)."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_for(client):
    def login(user):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        client.force_login(user)
        return client

    return login


def test_chief_lists_only_own_station_grids(world, admin_client_for):
    """A chief's grid list holds the station's grids and no other."""
    html = admin_client_for(world.users["chief_s"]).get("/admin/grids/grid/").content
    html = html.decode()
    assert world.grids["A"].code in html
    assert world.grids["B"].code in html
    assert world.grids["C"].code not in html
    assert world.grids["D"].code not in html


def test_chief_cannot_open_another_station_grid(world, admin_client_for):
    """Another station's grid is treated as missing."""
    api = admin_client_for(world.users["chief_s"])
    response = api.get(f"/admin/grids/grid/{world.grids['C'].pk}/change/")
    assert response.status_code == 302
    assert response.url == "/admin/"


def test_choices_are_limited_to_the_scope(world, admin_client_for):
    """The area choices of a grid (an autocomplete) are the chief's own areas."""
    api = admin_client_for(world.users["chief_s"])
    response = api.get(
        "/admin/autocomplete/",
        {"app_label": "grids", "model_name": "grid", "field_name": "area"},
    )
    assert response.status_code == 200
    offered = {int(result["id"]) for result in response.json()["results"]}
    assert offered == {world.areas["A"].pk, world.areas["B"].pk}


def test_many_to_many_choices_are_limited_to_the_scope(world, admin_client_for):
    """A post can only be set to serve the chief's own areas."""
    api = admin_client_for(world.users["chief_s"])
    html = api.get(f"/admin/stations/post/{world.posts['S'].pk}/change/")
    # Only the options of the `serves` field: the page's other selects hold
    # other models' ids, which may equal an area's.
    (select,) = re.findall(
        r'<select name="serves".*?</select>', html.content.decode(), re.DOTALL
    )
    serves = set(map(int, re.findall(r'<option value="(\d+)"', select)))
    assert serves == {world.areas["A"].pk, world.areas["B"].pk}


def test_list_filters_do_not_leak_other_stations(world, admin_client_for):
    """The station filter offers only stations the user can see."""
    html = admin_client_for(world.users["chief_s"]).get("/admin/stations/post/")
    html = html.content.decode()
    assert world.stations["S"].name in html
    assert world.stations["U"].name not in html


def test_chief_cannot_post_a_grid_into_another_station(world, admin_client_for):
    """A forged area id of another station is rejected and nothing is stored."""
    from grids.models import Grid
    from grids.tests.factories import square

    api = admin_client_for(world.users["chief_s"])
    before = Grid.objects.count()
    response = api.post(
        "/admin/grids/grid/add/",
        {
            "name": "越权网格",
            "code": "FORGED-1",
            "area": world.areas["C"].pk,
            "boundary": '{"type": "Polygon", "coordinates": '
            + str(square(150.0, 10.0)["coordinates"])
            + "}",
            "population": 1,
            "complexity": 1,
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert Grid.objects.count() == before


def test_officer_reads_but_cannot_add_grids(world, admin_client_for):
    """Field staff may not create grids, whatever the admin flag says."""
    api = admin_client_for(world.users["officer_a"])
    assert api.get("/admin/grids/grid/").status_code == 200
    assert api.get("/admin/grids/grid/add/").status_code == 403


def test_officer_sees_only_own_grid_households(world, admin_client_for):
    """Households of other grids are not listed."""
    api = admin_client_for(world.users["officer_a"])
    html = api.get("/admin/grids/household/").content.decode()
    assert world.households["A"].address in html
    assert world.households["B"].address not in html


def test_chief_cannot_link_logins(world, admin_client_for):
    """The login of a person is read-only for everyone but superusers."""
    api = admin_client_for(world.users["chief_s"])
    person = world.persons["officer_a"]
    html = api.get(f"/admin/stations/person/{person.pk}/change/").content.decode()
    assert 'name="user"' not in html


def test_staff_cannot_manage_logins(world, admin_client_for):
    """Bureau staff have no access to the user accounts."""
    api = admin_client_for(world.users["bureau_x"])
    assert api.get("/admin/auth/user/").status_code == 403


def test_quota_policy_is_edited_by_bureau_staff_only(world, admin_client_for):
    """Bureau staff may set their bureau's weekly targets; a chief may not."""
    from assessments.models import QuotaPolicy

    bureau = admin_client_for(world.users["bureau_x"])
    response = bureau.post(
        "/admin/assessments/quotapolicy/add/",
        {
            "bureau": world.bureaus["X"].pk,
            "household_visits": 25,
            "info_items": 20,
            "patrol_hours": "30.00",
            "grid_days": 2,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert QuotaPolicy.objects.get(bureau=world.bureaus["X"]).household_visits == 25

    chief = admin_client_for(world.users["chief_s"])
    assert chief.get("/admin/assessments/quotapolicy/add/").status_code == 403


def test_chief_cannot_make_anyone_a_chief_in_the_admin(world, admin_client_for):
    """Issue 27, item 6: the flag is read-only to a chief; a posted one is
    ignored."""
    api = admin_client_for(world.users["chief_s"])
    person = world.persons["officer_a"]
    url = f"/admin/stations/person/{person.pk}/change/"
    assert 'name="is_chief"' not in api.get(url).content.decode()
    api.post(
        url,
        {
            "name": person.name,
            "kind": person.kind,
            "bureau": person.bureau_id,
            "station": person.station_id,
            "is_chief": "on",
            "badge_number": person.badge_number,
            "phone": person.phone,
            "assignments-TOTAL_FORMS": 0,
            "assignments-INITIAL_FORMS": 0,
        },
    )
    person.refresh_from_db()
    assert not person.is_chief


def test_bureau_staff_appoint_chiefs_in_the_admin(world, admin_client_for):
    api = admin_client_for(world.users["bureau_x"])
    person = world.persons["officer_a"]
    html = api.get(f"/admin/stations/person/{person.pk}/change/").content.decode()
    assert 'name="is_chief"' in html
