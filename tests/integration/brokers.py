"""Redis stand-ins for fault tests, and switching Celery to a real broker.

The test settings run tasks eagerly; these helpers point the Celery app at a
broker for the length of a ``with`` block and put the settings back after.
"""

import os
import socket
import threading
from contextlib import contextmanager

import redis

from policing import cache as fail_open_cache
from policing import outbox
from policing.celery import app

#: the real Redis the worker tests use (CI sets it; DB 13 locally)
REDIS_URL = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/13")


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@contextmanager
def refused():
    """Yield the URL of a local port nothing listens on (connection refused)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    yield f"redis://127.0.0.1:{port}/0"


@contextmanager
def blackhole():
    """Yield the URL of a server that accepts connections and never answers.

    That is what a hung Redis looks like to a client: the connection opens,
    and every read waits until the client's own timeout.
    """
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    server.settimeout(0.1)
    held, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        server.close()


def forget_connections():
    """Drop the connections and producers made for the previous broker URL.

    Not ``app.close()``: that also unregisters the app, and task modules
    imported afterwards would no longer register their tasks with it.
    """
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def celery_broker(url: str):
    """Send tasks to the broker at ``url`` instead of running them eagerly."""
    before = app.conf.broker_url, app.conf.task_always_eager
    app.conf.update(broker_url=url, task_always_eager=False)
    forget_connections()
    outbox.resume_sending()
    try:
        yield
    finally:
        app.conf.update(broker_url=before[0], task_always_eager=before[1])
        forget_connections()
        outbox.resume_sending()


@contextmanager
def redis_cache(settings, url: str):
    """Point the default cache at a Redis URL, as production settings do."""
    settings.CACHES = {
        "default": {
            "BACKEND": "policing.cache.FailOpenRedisCache",
            "LOCATION": url,
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }
    fail_open_cache.resume()
    try:
        yield
    finally:
        fail_open_cache.resume()
