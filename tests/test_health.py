"""``/health/`` reports database, broker and worker separately (SECURITY.md G-IN9).

A dead or hanging broker makes it say "degraded" within 2 s, never a 500;
a dead database makes it say "down" with 503. Only loopback and the
monitoring networks may read it.
"""

import os
import socket
import threading
import time
from unittest import mock

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import resolve

from policing.celery import app as celery_app
from policing.health import check_broker_and_worker

#: Redis database 12 is this test's own (CI's Redis; other tests use others).
REDIS_URL = os.environ.get("HEALTH_TEST_BROKER_URL", "redis://127.0.0.1:6379/12")

pytestmark = pytest.mark.django_db


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture(scope="module", autouse=True)
def warm_imports():
    """Load the URLs and the broker's transport before anything is timed:
    the limit is for the probes, not for a process's first imports."""
    resolve("/health/")
    url = REDIS_URL if redis_available() else "redis://127.0.0.1:1/12"
    check_broker_and_worker(url)


@pytest.fixture
def closed_port():
    """A local port nothing listens on: connections are refused at once.

    The port stays bound, without listening, for the whole test: released,
    a server of another test process could take it and answer slowly.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        yield probe.getsockname()[1]


@pytest.fixture
def black_hole_port():
    """A server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []

    def accept_forever():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:  # closed by the fixture
                return

    threading.Thread(target=accept_forever, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for conn in accepted:
        conn.close()


def get_health(client, **extra):
    started = time.monotonic()
    response = client.get("/health/", **extra)
    return response, time.monotonic() - started


def test_demo_without_broker_is_ok(client):
    """No broker configured: tasks run in-process, which counts as up."""
    with override_settings(CELERY_BROKER_URL=""):
        response, _ = get_health(client)

    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok"
    assert set(report["checks"]) == {"database", "broker", "worker"}
    assert report["checks"]["database"]["status"] == "ok"
    assert report["checks"]["worker"]["detail"] == "in-process"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("broker", ["closed", "black_hole"])
def test_dead_broker_is_degraded_within_two_seconds(client, request, broker):
    port = request.getfixturevalue(f"{broker}_port")
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/12"):
        response, elapsed = get_health(client)

    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert report["checks"]["database"]["status"] == "ok"
    assert report["checks"]["broker"]["status"] == "down"
    assert report["checks"]["worker"]["status"] == "down"
    assert elapsed < 2, report
    # The broker's address stays in the log.
    assert str(port) not in response.content.decode()


needs_redis = pytest.mark.skipif(
    not redis_available() and os.environ.get("CI") != "true",
    reason="Redis is not running (CI always runs this test)",
)


@pytest.fixture
def worker():
    """A real Celery worker (solo pool) listening on the test Redis."""
    celery_app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    forget_connections()
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False):
            yield
    finally:
        celery_app.conf.update(broker_url="", task_always_eager=True)
        forget_connections()


def forget_connections():
    """Drop connections and producers made for an earlier broker URL.

    Not ``close()``: that also unregisters the app, and an earlier test's
    eager tasks left it with a pool for the default broker.
    """
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@needs_redis
def test_broker_up_without_worker_is_degraded(client):
    with override_settings(CELERY_BROKER_URL=REDIS_URL):
        response, _ = get_health(client)

    report = response.json()
    assert response.status_code == 200
    assert report["checks"]["broker"]["status"] == "ok"
    assert report["checks"]["worker"] == {
        "status": "down",
        "detail": "no worker answered",
        "duration_ms": mock.ANY,
    }
    assert report["status"] == "degraded"


@needs_redis
# The worker closes the database connections it finds, so no test transaction.
@pytest.mark.django_db(transaction=True)
def test_broker_and_a_running_worker_are_ok(client, worker):
    with override_settings(CELERY_BROKER_URL=REDIS_URL):
        # A worker just started may not listen to its control queue yet.
        for _attempt in range(10):
            response, _ = get_health(client)
            if response.json()["checks"]["worker"]["status"] == "ok":
                break

    report = response.json()
    assert report["checks"]["worker"]["status"] == "ok", report
    assert report["checks"]["worker"]["workers"] == 1
    assert report["status"] == "ok"


def test_dead_database_is_down_with_503(client):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server")

    with (
        override_settings(CELERY_BROKER_URL=""),
        mock.patch.object(connection, "cursor", refuse),
    ):
        response, _ = get_health(client)

    assert response.status_code == 503
    report = response.json()
    assert report["status"] == "down"
    assert report["checks"]["database"] == {
        "status": "down",
        "error": "OperationalError",
        "duration_ms": mock.ANY,
    }
    assert "could not connect" not in response.content.decode()


@pytest.mark.parametrize(
    ("address", "forwarded_for", "networks", "visible"),
    [
        ("127.0.0.1", None, [], True),
        ("::1", None, [], True),
        ("10.20.0.7", None, [], False),
        ("10.20.0.7", None, ["10.20.0.0/24"], True),
        ("10.20.1.7", None, ["10.20.0.0/24"], False),
        # Through a reverse proxy on the same host: the client decides.
        ("127.0.0.1", "203.0.113.9", [], False),
        ("127.0.0.1", "10.20.0.7", ["10.20.0.0/24"], True),
        ("127.0.0.1", "10.20.0.7, 203.0.113.9", ["10.20.0.0/24"], False),
    ],
)
def test_only_loopback_and_monitoring_networks_see_it(
    client, address, forwarded_for, networks, visible
):
    extra = {"REMOTE_ADDR": address}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    with override_settings(
        CELERY_BROKER_URL="", HEALTH_CHECK_ALLOWED_NETWORKS=networks
    ):
        response, _ = get_health(client, **extra)

    assert response.status_code == (200 if visible else 404)
