"""A real Celery worker, fed through Redis, runs the project's tasks."""

import os
import time
from decimal import Decimal

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult

from assessments.models import AssessmentRow, MonthlyAssessment
from assessments.tasks import compute_monthly_assessment
from grids.tasks import relocate_households
from grids.tests.factories import (
    AreaFactory,
    GridFactory,
    HouseholdFactory,
    point,
    square,
)
from policing.celery import app
from stations.tests.factories import AssignmentFactory, PersonFactory
from visits.tests.factories import PatrolFactory, local

BROKER_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


def _redis_available() -> bool:
    try:
        return redis.Redis.from_url(BROKER_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not _redis_available() and os.environ.get("CI") != "true",
        reason="Redis is not running (CI always runs this test)",
    ),
]


@pytest.fixture
def worker():
    app.conf.update(broker_url=BROKER_URL, task_always_eager=False)
    _forget_connections()
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ):
            yield
    finally:
        app.conf.update(broker_url="", task_always_eager=True)
        _forget_connections()


def _forget_connections():
    """Drop the producers an earlier test made for the previous broker URL.

    Even an eager ``delay()`` acquires a producer, for the default broker
    (amqp://localhost, which answers on some machines): without this, the
    task would go there instead of to the Redis the worker listens on.
    """
    app.close()
    app.amqp._producer_pool = None


def test_worker_relocates_households_after_a_boundary_change(worker):
    """Growing grid A over a neighbour's household moves it, through the worker."""
    area = AreaFactory()
    grid_a = GridFactory(area=area, boundary=square(110.0, 30.0))
    grid_b = GridFactory(area=area, boundary=square(110.01, 30.0))
    household = HouseholdFactory(grid=grid_b, location=point(110.012, 30.005))

    grid_a.boundary = square(110.0, 30.0, size=0.015)  # now covers the household
    grid_a.save()
    grid_b.boundary = {
        "type": "Polygon",
        "coordinates": [
            [
                [110.015, 30.0],
                [110.02, 30.0],
                [110.02, 30.01],
                [110.015, 30.01],
                [110.015, 30.0],
            ]
        ],
    }
    grid_b.save()
    result = relocate_households.delay([grid_a.pk, grid_b.pk])
    assert not isinstance(result, EagerResult)  # it went through the broker

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        household.refresh_from_db()
        if household.grid_id == grid_a.pk:
            break
        time.sleep(0.2)
    assert household.grid_id == grid_a.pk


def test_worker_stores_a_monthly_assessment(worker):
    """The worker computes and stores a bureau's month, sent through Redis."""
    grid = GridFactory()
    station = grid.area.station
    officer = PersonFactory(station=station)
    AssignmentFactory(person=officer, grid=grid)
    # 31 h of patrol against 28 * 31 / 7 = 124 h: visibility 25.00
    PatrolFactory(
        person=officer,
        grid=grid,
        started_at=local(2026, 10, 10),
        ended_at=local(2026, 10, 11, 7),
    )

    result = compute_monthly_assessment.delay(station.bureau_id, "2026-10")
    assert not isinstance(result, EagerResult)  # it went through the broker

    rows = AssessmentRow.objects.filter(assessment__bureau=station.bureau_id)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not rows.exists():
        time.sleep(0.2)
    (row,) = rows
    assert (row.person_id, row.station_id) == (officer.pk, station.pk)
    assert row.visibility == Decimal("25.00")
    assert (row.rank_in_station, row.rank_in_bureau) == (1, 1)
    assert MonthlyAssessment.objects.get().status == "computed"
