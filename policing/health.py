"""``GET /health/``: database, broker and worker, each reported on its own.

SECURITY.md G-IN9. The overall status is "ok"; "degraded" when the broker or
the worker is down (HTTP 200: requests still work, and the work that needed
a task is caught up by the periodic sweeps once the broker is back); "down"
when the database is (HTTP 503: nothing works). Every probe has a short
timeout, so a hanging Redis makes the answer slow by at most about 1.5 s,
never an error.

Written by hand rather than with django-health-check: that library answers
500 for any failed check, with no "degraded" state, has no network gate, and
its Celery check would use the application's own broker timeouts.

Only loopback and the networks in ``HEALTH_CHECK_ALLOWED_NETWORKS`` (the
monitoring network) see it; everyone else gets the 404 of a page that does
not exist.
"""

import ipaddress
import logging
import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.db import connection, transaction
from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from policing.celery import app as celery_app

logger = logging.getLogger(__name__)

#: Seconds to wait for the broker to connect and answer.
BROKER_TIMEOUT = 1.0
#: Seconds to wait for any worker to answer a ping.
WORKER_TIMEOUT = 0.5

OK, DEGRADED, DOWN = "ok", "degraded", "down"


@transaction.non_atomic_requests  # a dead database must not fail the request
@never_cache
@require_GET
def health(request):
    if not may_see_health(request):
        raise Http404
    report = health_report()
    status = 503 if report["status"] == DOWN else 200
    return JsonResponse(report, status=status)


def may_see_health(request) -> bool:
    """Loopback or an allowed network, judged on every address the request
    names: behind a reverse proxy on the same host the peer is loopback, and
    only the forwarded client address tells an outsider apart."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    addresses = [
        get_client_ip_address(request) or "",
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_X_REAL_IP", ""),
        *forwarded.split(","),
    ]
    addresses = [address.strip() for address in addresses if address.strip()]
    return bool(addresses) and all(map(is_monitoring_address, addresses))


def is_monitoring_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if ip.is_loopback:
        return True
    for network in settings.HEALTH_CHECK_ALLOWED_NETWORKS:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            logger.warning("Ignoring HEALTH_CHECK_ALLOWED_NETWORKS entry %r", network)
    return False


def health_report() -> dict:
    checks = {"database": timed(check_database)}
    checks.update(check_broker_and_worker(settings.CELERY_BROKER_URL))
    if checks["database"]["status"] != OK:
        status = DOWN
    elif all(check["status"] == OK for check in checks.values()):
        status = OK
    else:
        status = DEGRADED
    return {"status": status, "checks": checks}


def timed(probe, *args) -> dict:
    started = time.monotonic()
    result = probe(*args)
    result["duration_ms"] = round((time.monotonic() - started) * 1000)
    return result


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver's failure means "down"
        return failed("database", exc)
    return {"status": OK}


def check_broker_and_worker(broker_url: str) -> dict:
    if not broker_url:
        # The demo: no broker, tasks run inside the web process.
        return {
            "broker": {"status": OK, "detail": "not configured: tasks run in-process"},
            "worker": {"status": OK, "detail": "in-process"},
        }
    started = time.monotonic()
    # A connection of its own with short timeouts and no retries: the
    # application's own broker settings allow several seconds.
    with Connection(
        broker_url,
        connect_timeout=BROKER_TIMEOUT,
        transport_options={
            "socket_timeout": BROKER_TIMEOUT,
            "socket_connect_timeout": BROKER_TIMEOUT,
            "max_retries": 0,
            # Redis: closing waits out the reply queue's pending BRPOP.
            "polling_interval": 0.1,
        },
    ) as broker:
        try:
            broker.ensure_connection(max_retries=0)
        except Exception as exc:  # the transports raise different errors
            return {
                "broker": failed("broker", exc, started),
                "worker": {"status": DOWN, "detail": "not checked: no broker"},
            }
        broker_result = {
            "status": OK,
            "duration_ms": round((time.monotonic() - started) * 1000),
        }
        return {"broker": broker_result, "worker": timed(check_worker, broker)}


def check_worker(broker) -> dict:
    try:
        replies = worker_mailbox(broker)._broadcast(
            "ping", reply=True, timeout=WORKER_TIMEOUT
        )
    except Exception as exc:  # the broker may drop between the two probes
        return failed("worker", exc)
    if not replies:
        return {"status": DOWN, "detail": "no worker answered"}
    return {"status": OK, "workers": len(replies)}


def worker_mailbox(broker):
    """Celery's control mailbox (what ``app.control.ping`` uses), all on ``broker``.

    Celery's own sends the ping through the application's producer pool,
    with its slower broker settings, and the reply would be awaited here.
    """
    mailbox = celery_app.control.mailbox(broker)
    mailbox._producer_pool = None
    return mailbox


def failed(component: str, exc: Exception, started: float | None = None) -> dict:
    # The details (addresses, messages) go to the log, not to the response.
    logger.warning("Health check: %s is down", component, exc_info=exc)
    result = {"status": DOWN, "error": type(exc).__name__}
    if started is not None:
        result["duration_ms"] = round((time.monotonic() - started) * 1000)
    return result
