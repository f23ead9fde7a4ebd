"""With DEBUG off, errors tell the user nothing of the failure but a request id.

SECURITY.md G-CF5. The test views raise an exception whose text holds SQL, a
settings name and a file path; none of it may reach the response, while the
log line the request id points to keeps the details.

These tests run without database access (pytest-django refuses every
query), as during a database outage: the 500 page must render all the same.
"""

import io
import logging
import logging.config
import re
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction
from django.test import Client, override_settings
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from policing.urls import handler403, handler404, handler500  # noqa: F401
from policing.urls import urlpatterns as project_urlpatterns

LEAKY_MESSAGE = (
    'relation "secret_table" does not exist\n'
    "LINE 1: SELECT national_id FROM secret_table WHERE id = 1\n"
    f'  File "{settings.BASE_DIR}/policing/settings.py", line 42, SECRET_KEY'
)
#: Words that would show the response leaks the failure.
LEAKS = [
    "Traceback",
    'File "',
    "SELECT",
    "secret_table",
    "SECRET_KEY",
    "DATABASES",
    "settings.py",
    ".py",
    str(settings.BASE_DIR),
    "OperationalError",
]


@transaction.non_atomic_requests
def failing_page(request):
    raise OperationalError(LEAKY_MESSAGE)


@transaction.non_atomic_requests
def forbidden_page(request):
    raise PermissionDenied("internal reason: " + LEAKY_MESSAGE)


class FailingApiView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request):
        raise OperationalError(LEAKY_MESSAGE)


# The project's URLs and handlers, plus views that fail (pytest.mark.urls).
urlpatterns = [
    path("test-failure/", failing_page),
    path("test-forbidden/", forbidden_page),
    path("api/test-failure/", FailingApiView.as_view()),
    *project_urlpatterns,
]

pytestmark = [
    pytest.mark.urls(__name__),
    pytest.mark.usefixtures("debug_off"),
]


@pytest.fixture
def debug_off():
    with override_settings(DEBUG=False):
        yield


@pytest.fixture
def client():
    # Answer as production does instead of re-raising into the test.
    return Client(raise_request_exception=False)


@contextmanager
def console_log():
    """What the configured console handler writes, as ops would read it."""
    # A Celery worker started by an earlier test replaces the root logger's
    # handlers with its own: put the project's configuration back first.
    logging.config.dictConfig(settings.LOGGING)
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def assert_no_leak(body: str):
    assert [leak for leak in LEAKS if leak in body] == []


def test_page_error_shows_a_request_id_and_nothing_of_the_failure(client):
    with console_log() as log:
        response = client.get("/test-failure/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 500
    body = response.content.decode()
    assert_no_leak(body)
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert f"<code data-request-id>{request_id}</code>" in body
    assert '<html lang="zh-hans">' in body
    # Support finds the details from the id the user reads out.
    logged = log.getvalue()
    error_line = next(line for line in logged.splitlines() if "ERROR" in line)
    assert f"[{request_id}]" in error_line
    assert "secret_table" in logged


def test_api_error_answers_json_with_the_request_id(client):
    """An exception a DRF view does not handle is JSON too, not an HTML page."""
    with console_log() as log:
        response = client.get("/api/test-failure/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert_no_leak(response.content.decode())
    assert response.json() == {
        "detail": "A server error occurred.",
        "request_id": response["X-Request-ID"],
    }
    assert f"[{response['X-Request-ID']}]" in log.getvalue()


def test_every_request_gets_its_own_id(client):
    ids = {client.get("/test-failure/")["X-Request-ID"] for _ in range(3)}
    ids.add(client.get("/no-such-page/")["X-Request-ID"])
    assert len(ids) == 4


def test_missing_page_is_a_friendly_404(client):
    with console_log() as log:
        response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert f"[{response['X-Request-ID']}] django.request" in log.getvalue()
    body = response.content.decode()
    assert "Page not found" in body
    assert 'href="/"' in body
    assert "URLconf" not in body  # Django's technical 404
    assert_no_leak(body)


def test_missing_api_url_answers_json_404(client):
    response = client.get("/api/v1/no-such-resource/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_forbidden_page_is_a_friendly_403_without_the_reason(client):
    response = client.get("/test-forbidden/")

    assert response.status_code == 403
    body = response.content.decode()
    assert "Access denied" in body
    assert "internal reason" not in body
    assert_no_leak(body)
