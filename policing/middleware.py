"""Request middleware shared by every app."""

import contextlib

import pghistory
from django.db import connection
from pghistory.middleware import HistoryMiddleware


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
