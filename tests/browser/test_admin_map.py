"""The admin's map widget in a real browser: draw, save, read back."""

import pytest

from grids.models import Household
from grids.tests.factories import GridFactory, square

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_independent]


@pytest.fixture
def staff_chief(world):
    user = world.users["chief_s"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_grid_boundary_is_drawn_with_a_chinese_toolbar(
    page, live_server, world, staff_chief, log_in, offsite_requests, page_errors
):
    """The stored polygon shows on the map, offline, with Chinese tooltips."""
    log_in(staff_chief)
    page.goto(f"{live_server.url}/admin/grids/grid/{world.grids['A'].pk}/change/")

    page.wait_for_selector("#id_boundary-map path.leaflet-interactive")
    assert page.get_attribute("a.leaflet-draw-draw-polygon", "title") == "绘制多边形"
    assert page_errors == []
    assert offsite_requests == []


def test_household_placed_on_the_map_lands_in_its_grid(
    page, live_server, world, staff_chief, log_in, offsite_requests, page_errors
):
    """A marker dropped on the map is saved as the location and picks the grid."""
    # A grid around the map's default centre, in the chief's station.
    grid = GridFactory(area=world.areas["A"], boundary=square(103.7, 25.4, size=0.2))
    log_in(staff_chief)
    page.goto(f"{live_server.url}/admin/grids/household/add/")
    page.fill("#id_address", "地图路8号")
    page.click("a.leaflet-draw-draw-marker")
    box = page.locator("#id_location-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/grids/household/")

    household = Household.objects.get(address="地图路8号")
    assert household.location["type"] == "Point"
    assert household.grid == grid
    assert page_errors == []
    assert offsite_requests == []
