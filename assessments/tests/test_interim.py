"""The running assessment the county page keeps for a month not stored yet."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from assessments import interim
from assessments.assessment import compute_month, store_month
from assessments.models import InterimAssessment
from assessments.tasks import refresh_interim_assessment, refresh_interim_assessments
from policing.periods import Month
from visits.tests.factories import VisitFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 18, 12, 0, tzinfo=SHANGHAI)
NOVEMBER = Month(2026, 11)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(scope="module")
def world_time():
    """The module's ``world`` is built at the instant its tests run at."""
    return NOW


def late_visit(world):
    """A visit that changes officer A's information indicator."""
    return VisitFactory(
        person=world.persons["officer_a"],
        household=world.households["A"],
        visited_at=NOW - datetime.timedelta(hours=2),
        info_items=40,
    )


def information_of(rows, person):
    return next(row.information for row in rows if row.person == person.pk)


def test_the_kept_rows_are_the_computed_ones(world):
    bureau = world.bureaus["X"]
    rows, computed_at = interim.interim_rows(bureau, NOVEMBER)
    assert rows == compute_month(bureau, NOVEMBER)
    assert rows, "the fixture's bureau has assessed staff"
    assert computed_at == NOW
    kept = InterimAssessment.objects.get(bureau=bureau, month=NOVEMBER.first_day)
    assert len(kept.rows) == len(rows)


def test_a_fresh_copy_is_read_not_recomputed(world, django_assert_num_queries):
    bureau = world.bureaus["X"]
    before, _at = interim.interim_rows(bureau, NOVEMBER)
    late_visit(world)
    with django_assert_num_queries(1):
        rows, computed_at = interim.interim_rows(bureau, NOVEMBER)
    assert rows == before
    assert computed_at == NOW


def test_an_old_copy_is_recomputed(world, frozen):
    bureau = world.bureaus["X"]
    officer = world.persons["officer_a"]
    before, _at = interim.interim_rows(bureau, NOVEMBER)
    late_visit(world)
    frozen.shift(interim.MAX_AGE + datetime.timedelta(seconds=1))
    rows, computed_at = interim.interim_rows(bureau, NOVEMBER)
    assert computed_at > NOW
    assert information_of(rows, officer) > information_of(before, officer)
    assert InterimAssessment.objects.filter(bureau=bureau).count() == 1


def test_each_bureau_and_month_has_its_own_copy(world):
    x_rows, _at = interim.interim_rows(world.bureaus["X"], NOVEMBER)
    y_rows, _at = interim.interim_rows(world.bureaus["Y"], NOVEMBER)
    interim.interim_rows(world.bureaus["X"], NOVEMBER.previous())
    assert {row.station for row in x_rows}.isdisjoint({row.station for row in y_rows})
    assert InterimAssessment.objects.count() == 3


def test_storing_the_month_drops_its_copy(world):
    bureau = world.bureaus["X"]
    october = NOVEMBER.previous()
    interim.interim_rows(bureau, october)
    interim.interim_rows(bureau, NOVEMBER)
    store_month(bureau, october)
    assert list(InterimAssessment.objects.values_list("month", flat=True)) == [
        NOVEMBER.first_day
    ]


def test_the_task_refreshes_and_leaves_stored_months_alone(world):
    bureau = world.bureaus["X"]
    officer = world.persons["officer_a"]
    before, _at = interim.interim_rows(bureau, NOVEMBER)
    late_visit(world)
    assert refresh_interim_assessment.delay(bureau.pk, str(NOVEMBER)).get() == len(
        before
    )
    rows, _at = interim.interim_rows(bureau, NOVEMBER)
    assert information_of(rows, officer) > information_of(before, officer)

    october = NOVEMBER.previous()
    store_month(bureau, october)
    assert refresh_interim_assessment.delay(bureau.pk, str(october)).get() == 0
    assert not InterimAssessment.objects.filter(month=october.first_day).exists()


def test_beat_refreshes_every_bureaus_current_month(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = refresh_interim_assessments.delay().get()
    assert queued == 2
    assert set(InterimAssessment.objects.values_list("bureau__code", "month")) == {
        (world.bureaus["X"].code, NOVEMBER.first_day),
        (world.bureaus["Y"].code, NOVEMBER.first_day),
    }


#
# The county page
#


def test_the_county_page_says_how_old_the_ranking_is(client, world, frozen):
    client.force_login(world.users["bureau_x"])
    html = client.get("/county/").content.decode()
    assert 'data-assessment-status="interim"' in html
    assert "as of 2026-11-18 12:00" in html
    assert 'action="/county/refresh/"' in html

    store_month(world.bureaus["X"], NOVEMBER.previous())
    html = client.get("/county/", {"month": "2026-10"}).content.decode()
    assert 'data-assessment-status="computed"' in html
    assert 'action="/county/refresh/"' not in html


def test_recompute_now_refreshes_the_copy(
    client, world, frozen, django_capture_on_commit_callbacks
):
    bureau = world.bureaus["X"]
    officer = world.persons["officer_a"]
    before, _at = interim.interim_rows(bureau, NOVEMBER)
    late_visit(world)
    client.force_login(world.users["bureau_x"])
    frozen.shift(datetime.timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        # A bureau user has no bureau field: another bureau's id is ignored.
        response = client.post(
            "/county/refresh/",
            {"month": "2026-11", "bureau": world.bureaus["Y"].pk},
        )
    assert response.status_code == 302
    assert response["Location"] == "/county/?month=2026-11"
    kept = InterimAssessment.objects.get(bureau=bureau, month=NOVEMBER.first_day)
    assert kept.computed_at == NOW + datetime.timedelta(minutes=5)
    rows, _at = interim.interim_rows(bureau, NOVEMBER)
    assert information_of(rows, officer) > information_of(before, officer)
    assert not InterimAssessment.objects.filter(bureau=world.bureaus["Y"]).exists()


def test_recompute_now_refuses_a_bad_month(client, world):
    client.force_login(world.users["bureau_x"])
    response = client.post("/county/refresh/", {"month": "2026-13"}, follow=True)
    assert response.redirect_chain == [("/county/", 302)]
    assert InterimAssessment.objects.count() == 1  # the page's own read
    assert any(
        "2026-13" in str(message) or "valid" in str(message) or "有效" in str(message)
        for message in response.context["messages"]
    )


def test_a_superuser_names_the_bureau(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.users["superuser"])
    missing = client.post("/county/refresh/", {"month": "2026-11"}, follow=True)
    assert missing.redirect_chain == [("/county/", 302)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/county/refresh/", {"month": "2026-11", "bureau": world.bureaus["Y"].pk}
        )
    assert response["Location"] == (
        f"/county/?month=2026-11&bureau={world.bureaus['Y'].pk}"
    )
    assert InterimAssessment.objects.filter(bureau=world.bureaus["Y"]).exists()
