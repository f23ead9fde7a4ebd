"""Writes of field work: idempotent recording and stopping a patrol."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Grid
from policing.scope import Role, staff_role
from visits.models import CLOCK_SKEW, IN_THE_FUTURE, Patrol

ALREADY_STOPPED = _("This patrol has already ended.")
NOT_YOUR_PATROL = _("Only the patrol's own person or a station chief may stop it.")


class ClientUuidReused(Exception):
    """A client id was stored before, by the same person, for other data."""


def works_in(person, grid: Grid, *, on: datetime.date) -> bool:
    """Return whether ``person`` works in ``grid`` on the local date ``on``.

    A station chief works in every grid of the station; other staff work in
    the grids they are assigned to that day, directly or through a post.
    """
    if person.is_chief:
        return Grid.objects.filter(
            pk=grid.pk, area__station_id=person.station_id
        ).exists()
    return Grid.objects.assigned_to(person, on=on).filter(pk=grid.pk).exists()


# No savepoint of its own: the insert has one, and any other error ends the
# request's transaction anyway.
@transaction.atomic(savepoint=False)
def record(model: type[models.Model], *, person, **fields) -> tuple[models.Model, bool]:
    """Store ``person``'s field work of ``model`` unless it is stored already.

    ``client_uuid`` is an idempotency key per person (SPEC §4): a replay with
    the same key and the same fields returns the stored row and ``False``;
    the same key with other fields raises :class:`ClientUuidReused`. Fields
    left out take the model's defaults, exactly as they would on create, so
    a replay that leaves out a field the first request gave is other data.
    The insert comes first, in a savepoint, since most records are new: a
    replay, or the loser of a race between concurrent replays, trips the
    unique (person, client_uuid) constraint and reads the stored row instead.
    """
    client_uuid = fields.get("client_uuid")
    if client_uuid is None:
        return model.objects.create(person=person, **fields), True
    try:
        with transaction.atomic():
            return model.objects.create(person=person, **fields), True
    except IntegrityError:
        stored = model.objects.filter(person=person, client_uuid=client_uuid).first()
        if stored is None:
            raise
    if not _same_fields(model(person=person, **fields), stored):
        raise ClientUuidReused
    return stored, False


def _same_fields(candidate: models.Model, stored: models.Model) -> bool:
    """Return whether ``candidate`` holds what ``stored`` holds, ids aside."""
    return all(
        field.value_from_object(candidate) == field.value_from_object(stored)
        for field in type(stored)._meta.concrete_fields
        if field.editable and not field.primary_key and field.name != "client_uuid"
    )


@transaction.atomic
def stop_patrol(patrol: Patrol, *, by, at: datetime.datetime | None = None) -> Patrol:
    """End the running ``patrol`` at ``at`` (default now) on behalf of ``by``.

    ``by`` is the staff record of whoever stops it, or ``None`` for an
    administrator's login without one. Field staff may stop their own patrols
    only; chiefs, bureau staff and administrators any patrol they may edit.
    A phone that lost its signal sends the moment the officer tapped stop
    (``at``), and may send it again: a replay of the same end is answered
    with the patrol as it is. Raise ``ValidationError`` on ``ended_at`` if
    the patrol has ended otherwise, or would end in the future or before it
    started.
    """
    if by is not None and staff_role(by) is Role.FIELD and patrol.person_id != by.pk:
        raise PermissionDenied(NOT_YOUR_PATROL)
    # Lock the row: two concurrent stops must not both succeed.
    patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
    if patrol.ended_at is not None:
        if at is not None and patrol.ended_at == at:
            return patrol  # a phone's replay of a stop that got through
        raise ValidationError({"ended_at": ALREADY_STOPPED})
    if at is not None and at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"ended_at": IN_THE_FUTURE})
    patrol.ended_at = at or timezone.now()
    patrol.clean()
    patrol.save(update_fields=["ended_at"])
    return patrol
