"""The station and county dashboards in a real browser: map, charts, tables."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone, translation

from grids.models import Grid
from policing.periods import Month
from stations.models import Station
from visits.tests.factories import VisitFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_independent]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def log_in_with_form(page, live_server, username):
    """Log in through the site's own form and follow the landing redirect."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def wait_until_drawn(page, map_id):
    """Wait for dashboard.js to draw the map and every chart, then return the map."""
    page.wait_for_selector(f"#{map_id}[data-ready=true]")
    page.wait_for_function(
        "[...document.querySelectorAll('[data-chart]')]"
        ".every((chart) => chart.dataset.ready === 'true')"
    )
    return page.locator(f"#{map_id}")


def assert_charts_drawn(page, expected):
    charts = page.locator("[data-chart]")
    assert charts.count() == expected
    for index in range(expected):
        chart = charts.nth(index)
        assert chart.get_attribute("data-ready") == "true"
        assert chart.locator("svg").count() >= 1
        assert chart.locator("svg path, svg rect").count() > 0


def test_chief_lands_on_the_station_dashboard_and_opens_a_grid(
    page, live_server, world, offsite_requests, page_errors
):
    page.set_viewport_size({"width": 1280, "height": 900})
    station = world.stations["S"]
    log_in_with_form(page, live_server, "chief_s")
    page.wait_for_url(f"{live_server.url}/stations/{station.pk}/")

    grids = Grid.objects.filter(area__station=station)
    station_map = wait_until_drawn(page, "station-map")
    polygons = station_map.locator(".grid-polygon")
    assert polygons.count() == grids.count() == len(world.principals["chief_s"][3])
    assert station_map.get_attribute("data-grids") == str(grids.count())
    assert station_map.locator(".map-legend").is_visible()
    assert station_map.locator(".map-legend li").count() == 5
    assert_charts_drawn(page, 2)
    assert page_errors == []
    assert offsite_requests == []

    # The tooltip names the grid under the pointer; the click opens its page.
    # The markers go first (the layer control): a dispute marker sits on its
    # grid's centre, and the factory grids may be far apart, hence small.
    overlays = station_map.locator(".leaflet-control-layers-overlays input")
    for index in range(1, overlays.count()):
        overlays.nth(index).uncheck()
    polygon = polygons.first
    polygon.hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    grid = next(grid for grid in grids if f"({grid.code})" in tooltip.inner_text())
    polygon.click()
    page.wait_for_url(f"{live_server.url}/grids/{grid.pk}/")


def test_bureau_compares_stations_sorts_the_ranking_and_changes_month(
    page, live_server, world, offsite_requests, page_errors
):
    # officer_c, last by name, collects the most information: the best score.
    VisitFactory(
        person=world.persons["officer_c"],
        household=world.households["C"],
        visited_at=timezone.now() - datetime.timedelta(minutes=1),
        info_items=60,
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    bureau = world.bureaus["X"]
    log_in_with_form(page, live_server, "bureau_x")
    page.wait_for_url(f"{live_server.url}/county/")

    county_map = wait_until_drawn(page, "county-map")
    grids = Grid.objects.filter(area__station__bureau=bureau).count()
    assert county_map.locator(".grid-polygon").count() == grids
    assert grids == len(world.principals["bureau_x"][3])
    assert county_map.locator(".map-legend").is_visible()
    assert_charts_drawn(page, 1)
    station_links = page.locator("[data-list=stations] tbody td:first-child a")
    assert sorted(station_links.all_inner_texts()) == sorted(
        Station.objects.filter(bureau=bureau).values_list("name", flat=True)
    )

    ranking = page.locator("table.ranking")

    def column(index):
        return ranking.locator(f"tbody td:nth-child({index})").all_inner_texts()

    def scores():
        return [float(text) for text in column(10) if text != "\N{EN DASH}"]

    ranking.locator("a[data-sort-key=name]").click()
    page.wait_for_url("**/county/?sort=name")
    assert column(2) == sorted(column(2))
    assert column(2)[0] != "officer_c"
    assert len(set(scores())) > 1, "the ranking needs different scores to sort"

    ranking.locator("a[data-sort-key=score]").click()
    page.wait_for_url("**/county/?sort=-score")
    header = ranking.locator("th", has=page.locator("a[data-sort-key=score]"))
    assert header.get_attribute("aria-sort") == "descending"
    assert scores()[0] == max(scores())
    assert column(2)[0] == "officer_c"
    assert scores() == sorted(scores(), reverse=True)

    ranking.locator("a[data-sort-key=score]").click()
    page.wait_for_url("**/county/?sort=score")
    assert header.get_attribute("aria-sort") == "ascending"
    assert scores()[0] == min(scores())

    previous = str(Month.current().previous())
    page.select_option("select[name=month]", previous)
    # The chosen sort stays when the month changes.
    page.wait_for_url(f"**/county/?month={previous}&sort=score")
    assert previous in page.locator("h1").inner_text()
    assert page.locator("select[name=month]").input_value() == previous
    wait_until_drawn(page, "county-map")
    assert page_errors == []
    assert offsite_requests == []


def test_language_select_switches_the_dashboard_to_english(
    page, live_server, world, offsite_requests, page_errors
):
    log_in_with_form(page, live_server, "chief_s")
    wait_until_drawn(page, "station-map")
    map_heading = page.locator(".map-panel h2")
    legend_title = page.locator(".map-legend b")
    log_out = page.locator("form[action='/accounts/logout/'] button")
    before = (
        page.locator("html").get_attribute("lang"),
        map_heading.inner_text(),
        legend_title.inner_text(),
        log_out.inner_text(),
    )
    with translation.override("zh-hans"):
        assert before == (
            "zh-hans",
            translation.gettext("Map"),
            translation.gettext("Quota completion this week"),
            translation.gettext("Log out"),
        )
    assert before[3] != "Log out"

    url = page.url
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("html[lang=en]")
    assert page.url == url
    wait_until_drawn(page, "station-map")
    after = (
        page.locator("html").get_attribute("lang"),
        map_heading.inner_text(),
        legend_title.inner_text(),
        log_out.inner_text(),
    )
    assert after == ("en", "Map", "Quota completion this week", "Log out")
    assert before[1] != after[1]
    assert before[2] != after[2]
    assert page_errors == []
    assert offsite_requests == []


def test_a_chief_gets_404_for_another_station(page, live_server, world):
    log_in_with_form(page, live_server, "chief_s")
    response = page.goto(f"{live_server.url}/stations/{world.stations['T'].pk}/")
    assert response.status == 404
    assert page.locator("#station-map").count() == 0
    response = page.goto(f"{live_server.url}/stations/{world.stations['S'].pk}/")
    assert response.status == 200


@pytest.mark.parametrize(
    ("name", "username", "path", "width"),
    [
        ("station-1280", "chief_s", "/stations/", 1280),
        ("station-768", "chief_s", "/stations/", 768),
        ("county-1280", "bureau_x", "/county/", 1280),
    ],
)
def test_full_page_screenshot(
    page, live_server, world, page_errors, name, username, path, width
):
    page.set_viewport_size({"width": width, "height": 1000})
    log_in_with_form(page, live_server, username)
    page.goto(f"{live_server.url}{path}")
    wait_until_drawn(page, "county-map" if "county" in path else "station-map")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    target.unlink(missing_ok=True)
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 0
    # Nothing spills sideways out of the page at this width.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page_errors == []
