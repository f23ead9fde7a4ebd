"""Showing a resident's full national ID: "break the glass" (SECURITY.md G-AD6).

Everywhere else the number is masked. Here a station chief or bureau staff
(or a superuser), within their scope, gives a reason and sees the number
once; each reveal is recorded in :class:`grids.models.IdReveal`, and at most
``REVEALS_PER_DAY`` are allowed per login in any 24 hours. This module holds
the only call of ``national_id.decrypt`` that leads to a screen.
"""

import datetime
import ipaddress

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids import national_id
from grids.models import IdReveal, Resident
from policing.scope import Role, scope_of

REVEALS_PER_DAY = 20
REASON_MIN_LENGTH = 4
REASON_MAX_LENGTH = 500
REVEALERS = frozenset({Role.SUPERUSER, Role.BUREAU, Role.CHIEF})

REASON_TOO_SHORT = _(
    "Give the reason for seeing the full number (at least 4 characters)."
)
REASON_TOO_LONG = _("Keep the reason under 500 characters.")
NOT_A_REVEALER = _("Only a station chief or bureau staff may see a full national ID.")
LIMIT_REACHED = _(
    "You have seen %(limit)d full national IDs in the last 24 hours; try again later."
)
WINDOW = datetime.timedelta(days=1)


class RevealLimitReached(Exception):
    """The login has used up its reveals for the last 24 hours."""

    def __init__(self, retry_after: datetime.timedelta):
        super().__init__(LIMIT_REACHED % {"limit": REVEALS_PER_DAY})
        self.retry_after = retry_after


def may_reveal(user) -> bool:
    """Return whether ``user``'s role may ever see a full national ID."""
    return scope_of(user).role in REVEALERS


def revealable(user):
    """Return the residents whose number ``user`` may reveal: those in scope."""
    if not may_reveal(user):
        return Resident.objects.none()
    return Resident.objects.in_scope_of(user)


def client_address(request) -> str:
    """Return ``REMOTE_ADDR`` if it is an address (a client header is never trusted)."""
    address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def clean_reason(reason) -> str:
    """Return the stripped reason, or raise ValidationError on ``reason``."""
    text = " ".join(str(reason or "").split())
    if len(text) < REASON_MIN_LENGTH:
        raise ValidationError({"reason": REASON_TOO_SHORT})
    if len(text) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": REASON_TOO_LONG})
    return text


def reveal_number(
    resident: Resident, *, user, reason: str, request_id: str = "", client: str = ""
) -> str:
    """Record the reveal and return the clear number.

    The caller has checked the role and the scope (through
    :func:`revealable`). Counting and recording happen under a lock on the
    login's row, so concurrent requests cannot overrun the daily limit.
    """
    reason = clean_reason(reason)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        now = timezone.now()
        recent = IdReveal.objects.filter(revealed_by=user, revealed_at__gt=now - WINDOW)
        if recent.count() >= REVEALS_PER_DAY:
            oldest = recent.order_by("revealed_at").first().revealed_at
            raise RevealLimitReached(retry_after=oldest + WINDOW - now)
        IdReveal.objects.create(
            resident=resident,
            revealed_by=user,
            reason=reason,
            request_id=request_id,
            client=client,
            revealed_at=now,
        )
    return national_id.decrypt(resident.id_number_encrypted)
