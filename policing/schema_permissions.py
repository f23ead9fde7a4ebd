"""Who may read the OpenAPI schema and its docs page (SECURITY.md G-CF7).

In production the schema would hand an attacker the map of every endpoint
and field, so it needs a login; in DEBUG it stays public for development.
drf-spectacular reads ``SERVE_PERMISSIONS`` once, when its views are
imported, so the permission reads DEBUG per request. A module of its own:
drf-spectacular imports it while its views module is still loading.
"""

from django.conf import settings
from rest_framework import permissions


class AuthenticatedUnlessDebug(permissions.BasePermission):
    def has_permission(self, request, view):
        return settings.DEBUG or bool(request.user and request.user.is_authenticated)
