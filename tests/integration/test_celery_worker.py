"""A real Celery worker, fed through Redis, runs the project's tasks."""

import os
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult

from grids.tasks import relocate_households
from grids.tests.factories import (
    AreaFactory,
    GridFactory,
    HouseholdFactory,
    point,
    square,
)
from policing.celery import app

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
