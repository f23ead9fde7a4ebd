"""Request middleware shared by every app."""

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
