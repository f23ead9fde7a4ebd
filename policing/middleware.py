"""Request middleware shared by every app."""

import contextlib
import contextvars
import logging
import time
import uuid

import pghistory
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.db import connection
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_cache_control
from pghistory.middleware import HistoryMiddleware

#: The current request's id, for log records written anywhere while it runs.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_request_id", default="-"
)

#: Where the session records when its user logged in (see policing.sessions).
LOGIN_AT_SESSION_KEY = "policing_login_at"
RENEWED_AT_SESSION_KEY = "policing_renewed_at"


class RequestIdMiddleware:
    """Give every request an id, sent back as ``X-Request-ID`` and logged.

    An error page shows the id, so support can find the request's log lines
    from what the user reads to them. First in ``MIDDLEWARE``: every response,
    even one made by another middleware, carries the id.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Always our own: an id sent by the client could collide with another
        # request's on purpose and muddle an investigation.
        request.request_id = uuid.uuid4().hex
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Put the current request's id on every log record as ``request_id``."""

    def filter(self, record):
        # django.request logs 4xx answers after the middleware has finished,
        # but it hands over the request.
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or (
            current_request_id.get()
        )
        return True


class SessionLifetimeMiddleware:
    """Keep a browser session alive while used, and never beyond 12 hours.

    The idle limit (30 minutes) is Django's ``SESSION_COOKIE_AGE``, renewed
    whenever the session is saved. Saving it on every request would cost a
    write and a commit per page view; it is saved when its last renewal is
    ``SESSION_RENEWAL_INTERVAL`` seconds old, so a session ends 29 to 30
    minutes after its last use. An active session would otherwise live
    forever: 12 hours after its login it is ended. A session without a
    login time predates this rule and is ended too, since nothing bounds
    its age. Placed after the authentication middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        # Checked on the session, not request.user: no user query per request.
        if SESSION_KEY in session:
            if not session_within_absolute_limit(session):
                logout(request)
            else:
                now = int(time.time())
                renewed_at = session.get(RENEWED_AT_SESSION_KEY, 0)
                if now - renewed_at >= settings.SESSION_RENEWAL_INTERVAL:
                    session[RENEWED_AT_SESSION_KEY] = now  # saved, so renewed
        return self.get_response(request)


def session_within_absolute_limit(session) -> bool:
    login_at = session.get(LOGIN_AT_SESSION_KEY)
    if not isinstance(login_at, int | float):
        return False
    return time.time() - login_at < settings.SESSION_ABSOLUTE_AGE


class AuditContextMiddleware(HistoryMiddleware):
    """Attach the user and URL to every audit event written by the request.

    The audit trail is made of PostgreSQL triggers (django-pghistory), and the
    context travels in a PostgreSQL session variable. On SQLite there are no
    triggers, so the middleware steps aside instead of sending
    PostgreSQL-only SQL.
    """

    def __call__(self, request):
        if connection.vendor != "postgresql":
            return self.get_response(request)
        return super().__call__(request)


def audit_context(**metadata):
    """Attach ``metadata`` to the audit events written inside the block.

    For work outside a request (a Celery task acting for a user). Like the
    middleware, a no-op on SQLite, which has no audit triggers.
    """
    if connection.vendor != "postgresql":
        return contextlib.nullcontext()
    return pghistory.context(**metadata)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with a nonce in every policy.

    django-csp names a nonce only when a template asked for one; SECURITY.md
    G-CF2 wants ``script-src 'self' 'nonce-…'`` on every page, so the nonce
    is drawn up front (16 random bytes, nothing else).
    """

    def process_request(self, request):
        super().process_request(request)
        str(request.csp_nonce)


class NoStoreMiddleware:
    """Tell browsers and proxies to keep no copy of what the server renders.

    Pages and API answers carry names, addresses and case details, and a
    shared station computer or an intermediate cache must not hand them to
    the next user (SECURITY.md G-CF4). Placed after WhiteNoise, whose static
    files keep their long cache lifetime.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        return response


class CompressionMiddleware(GZipMiddleware):
    """Gzip what no attacker can put their own text into (issue 19, item 17).

    BREACH guesses a secret in a compressed response from its size, and
    needs text of the attacker's choosing in the same response, sent many
    times with the victim's login. So a response is compressed when the
    request is a GET without a query string (nothing of the attacker's is
    echoed back), or carries an API token (no browser sends that on its
    own). A search, a filter or a form posted back goes out as it is.

    The CSRF token in every page is masked afresh per response, so it is no
    fixed secret to guess, and Django pads every compressed body with random
    bytes (Heal-the-BREACH). Static files are compressed ahead of time by
    WhiteNoise, which answers before this runs.
    """

    def process_response(self, request, response):
        if request.method not in ("GET", "HEAD"):
            return response
        if request.META.get("QUERY_STRING") and not request.headers.get(
            "Authorization"
        ):
            return response
        return super().process_response(request, response)
