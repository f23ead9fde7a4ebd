"""Deployment checks of the project's own (SECURITY.md G-AU7)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core import checks
from django.db import DatabaseError
from django.db.models import Q

#: The password of every login ``load_demo`` creates (demo only, printed on
#: every run).
DEMO_PASSWORD = "demo-password-2026"
#: The logins ``load_demo`` creates, all with :data:`DEMO_PASSWORD`.
DEMO_USERNAMES = ("officer", "chief", "bureau", "admin")
#: Passwords a default ``admin`` account is commonly left with.
KNOWN_ADMIN_PASSWORDS = ("admin", "password", "admin123", "123456", "changeme")
#: Each candidate costs one Argon2 hash per password tried: keep the check
#: quick with many superusers.
MAX_SUPERUSERS_CHECKED = 20


@checks.register(checks.Tags.security, deploy=True)
def check_no_default_accounts(app_configs=None, **kwargs):
    """policing.E001: no active login may keep a demo or well-known password."""
    if settings.DEBUG:
        return []
    try:
        exposed = accounts_with_known_passwords()
    except DatabaseError:
        # Before ``migrate`` (CI checks a fresh clone) there is nothing to check.
        return [
            checks.Info(
                "Default accounts were not checked: the database is not ready.",
                id="policing.I001",
            )
        ]
    return [
        checks.Error(
            f"The active login {username!r} still has a demo or well-known password.",
            hint="Set a new password or deactivate the login before going live.",
            id="policing.E001",
        )
        for username in exposed
    ]


def accounts_with_known_passwords() -> list[str]:
    User = get_user_model()
    active = User.objects.filter(is_active=True)
    superusers = list(
        active.filter(is_superuser=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:MAX_SUPERUSERS_CHECKED]
    )
    candidates = active.filter(Q(username__in=DEMO_USERNAMES) | Q(pk__in=superusers))
    exposed = []
    for user in candidates.order_by("username"):
        tried = [DEMO_PASSWORD]
        if user.username == "admin":
            tried += KNOWN_ADMIN_PASSWORDS
        if any(check_password(password, user.password) for password in tried):
            exposed.append(user.username)
    return exposed
