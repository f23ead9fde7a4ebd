"""Who a user is in the organisation, resolved once per request (SPEC §6).

The staff record lives in a domain app above this package; it is reached
through ``settings.POLICING_STAFF_MODEL``, the way ``django.contrib.auth``
reaches ``AUTH_USER_MODEL``, so the access rule imports no app.
"""

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    SUPERUSER = "superuser"
    BUREAU = "bureau"  # county bureau staff: the whole bureau
    CHIEF = "chief"  # station chief: the whole station
    FIELD = "field"  # officers, auxiliaries, grid workers: their grids
    NONE = "none"  # no login, deactivated login, or no staff record


@dataclass(frozen=True)
class Scope:
    role: Role
    person_id: int | None = None
    bureau_id: int | None = None
    station_id: int | None = None
    grid_ids: frozenset[int] = field(default_factory=frozenset)
    #: the local date ``grid_ids`` are the person's grids on
    grids_on: datetime.date | None = None
    #: the kind of staff (officer, auxiliary ...), for data only officers see
    person_kind: str = ""


NO_SCOPE = Scope(role=Role.NONE)

_CACHE_ATTRIBUTE = "_policing_scope"


def scope_of(user) -> Scope:
    """Return the scope of ``user``, computed once per user object.

    The user object lives for one request, so a changed assignment or a
    deactivated login takes effect on the next request.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return NO_SCOPE
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = _resolve(user)
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


CHIEFS_BY_BUREAU = _("Only bureau staff make a person a station chief or unmake one.")


def appoints_chiefs(scope: Scope) -> bool:
    """Whether the scope may make a person a station chief, or unmake one.

    A chief's login sees the whole station and may reveal national IDs, so
    only bureau staff and superusers appoint chiefs; a chief may not make
    anyone else one (issue 27, item 6).
    """
    return scope.role in (Role.BUREAU, Role.SUPERUSER)


def forget_scope(user) -> None:
    """Drop the cached scope, e.g. after changing the user's assignments."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def get_staff_model():
    """Return the model of staff records (``settings.POLICING_STAFF_MODEL``)."""
    return apps.get_model(settings.POLICING_STAFF_MODEL, require_ready=False)


def staff_role(person) -> Role:
    """Return the role a staff record gives: bureau staff, chief or field staff."""
    if person.station_id is None:
        return Role.BUREAU
    return Role.CHIEF if person.is_chief else Role.FIELD


def _resolve(user) -> Scope:
    if not user.is_active:
        return NO_SCOPE
    if user.is_superuser:
        return Scope(role=Role.SUPERUSER)
    person = (
        get_staff_model()
        .objects.filter(user=user)
        .only("pk", "bureau_id", "station_id", "is_chief", "kind")
        .first()
    )
    if person is None:
        return NO_SCOPE
    role = staff_role(person)
    if role is Role.BUREAU:
        return Scope(role=Role.BUREAU, person_id=person.pk, bureau_id=person.bureau_id)
    if role is Role.CHIEF:
        return Scope(
            role=Role.CHIEF,
            person_id=person.pk,
            bureau_id=person.bureau_id,
            station_id=person.station_id,
        )
    today = timezone.localdate()
    return Scope(
        role=Role.FIELD,
        person_id=person.pk,
        person_kind=person.kind,
        bureau_id=person.bureau_id,
        station_id=person.station_id,
        grid_ids=person.grid_ids_on(today),
        grids_on=today,
    )
