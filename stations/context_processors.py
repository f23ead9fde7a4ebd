"""Template context for every page."""

from policing.scope import Role, scope_of
from stations.models import Notification


def notifications(request):
    """The unread count for the top bar's bell, counted only when shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": lambda: (
            Notification.objects.for_user(user).unread().count()
        ),
        # The scope is cached per request, so these cost no query.
        "sees_bureau_pages": lambda: (
            scope_of(user).role in (Role.BUREAU, Role.SUPERUSER)
        ),
        "sees_station_pages": lambda: scope_of(user).role is Role.CHIEF,
        "sees_ledgers": lambda: scope_of(user).role in (Role.CHIEF, Role.BUREAU),
        "sees_field_pages": lambda: (
            scope_of(user).person_id is not None and scope_of(user).role is Role.FIELD
        ),
        # The phone's tab bar links to the grid page when there is one grid.
        "field_grid_ids": lambda: sorted(scope_of(user).grid_ids),
    }
