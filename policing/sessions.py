"""Session and token lifetimes (SECURITY.md G-AU5, G-AU6, G-AC6).

Connected in ``PolicingConfig.ready``. The idle limit is Django's session
expiry; the absolute limit is enforced by
``policing.middleware.SessionLifetimeMiddleware`` from the login time stored
here.
"""

import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from knox.models import AuthToken

from policing.middleware import LOGIN_AT_SESSION_KEY, RENEWED_AT_SESSION_KEY

#: Session engines whose sessions are rows of django_session, which
#: ``revoke_sessions`` can find. With another engine a deactivated user's
#: sessions are still refused (Django checks ``is_active`` on every request),
#: just not deleted.
DATABASE_SESSION_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


@receiver(user_logged_in, dispatch_uid="policing_stamp_login_time")
def stamp_login_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT_SESSION_KEY] = now
        request.session[RENEWED_AT_SESSION_KEY] = now


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="policing_was_active")
def remember_whether_active(sender, instance, update_fields=None, **kwargs):
    instance.__dict__.pop("_was_active", None)
    # Only saves that may change is_active pay for the extra query; the
    # last_login update on every login does not.
    if instance.pk is None or (
        update_fields is not None and "is_active" not in update_fields
    ):
        return
    instance._was_active = (
        sender.objects.filter(pk=instance.pk)
        .values_list("is_active", flat=True)
        .first()
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="policing_revoke")
def revoke_credentials_on_deactivation(sender, instance, **kwargs):
    if instance.__dict__.pop("_was_active", False) and not instance.is_active:
        revoke_credentials(instance)


@receiver(
    post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="policing_new_password"
)
def revoke_tokens_on_new_password(sender, instance, **kwargs):
    """A new password ends the API tokens issued under the old one.

    ``_password`` holds the raw password from ``set_password()`` until the
    save completes; a hash upgraded at login clears it first, so it revokes
    nothing. Browser sessions need no help: Django ends them through the
    session's password hash, and keeps the one that changed the password.
    """
    if getattr(instance, "_password", None) is not None:
        AuthToken.objects.filter(user=instance).delete()


def revoke_credentials(user) -> None:
    """Delete every API token and browser session of ``user``."""
    AuthToken.objects.filter(user=user).delete()
    revoke_sessions(user)


def revoke_sessions(user) -> None:
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        return
    user_id = str(user.pk)
    # Session data is encoded, so the user's sessions are found by decoding
    # the live ones; idle sessions end after 30 minutes, so these are few.
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == user_id:
            # Through the store, which also drops a cached_db session's copy.
            store_class(session_key=session.session_key).delete()
