"""Transitions of a dispute (SPEC §2); the only code that changes a status.

reported → accepted → mediating → resolved | referred | failed → closed.
Each function locks the dispute, checks the transition, records a
:class:`~disputes.models.DisputeEvent` and sets the due times from the
bureau's :class:`~disputes.models.DisputePolicy`. ``at`` (default now) dates
a step that happened earlier, e.g. when paper ledgers are entered later.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes.models import (
    COLOUR_RANK,
    LEVEL_RANK,
    Dispute,
    DisputeEvent,
    DisputePolicy,
    EventKind,
    Level,
    ReturnVisit,
    Status,
)

NOT_ALLOWED = _("This action is not allowed for a dispute that is {status}.")
UNKNOWN_COLOUR = _("Choose green, yellow, orange or red.")
SAME_COLOUR = _("The dispute already has this colour.")
DOWNGRADE_NEEDS_REASON = _("Give a reason for lowering the colour.")
ALREADY_AT_STATION = _("The dispute is already handled at the police station.")
REASON_REQUIRED = _("Give a reason.")
RETURN_VISIT_MISSING = _("Record a return visit before closing the dispute.")
HOUSEHOLD_OF_ANOTHER_GRID = _("This household is not in the given grid.")

OPEN = (Status.REPORTED, Status.ACCEPTED, Status.MEDIATING)
LEVELS = Level.values


def _lock(dispute: Dispute) -> Dispute:
    # Two concurrent transitions must not both start from the same state.
    return Dispute.objects.select_for_update().get(pk=dispute.pk)


def _require(dispute: Dispute, *allowed: str) -> None:
    if dispute.status not in allowed:
        raise ValidationError(
            {"status": NOT_ALLOWED.format(status=dispute.get_status_display())},
            code="transition",
        )


def _policy(dispute_or_grid) -> DisputePolicy:
    grid = getattr(dispute_or_grid, "grid", dispute_or_grid)
    return DisputePolicy.for_bureau(grid.area.station.bureau_id)


def _event(dispute, kind, *, by, at=None, from_value="", to_value="", reason=""):
    return DisputeEvent.objects.create(
        dispute=dispute,
        kind=kind,
        by=by,
        at=at or timezone.now(),
        from_value=from_value,
        to_value=to_value,
        reason=reason,
    )


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    return reason


@transaction.atomic
def report(
    *,
    grid,
    household=None,
    category: str,
    summary: str,
    parties: str,
    colour: str,
    by,
    at: datetime.datetime | None = None,
) -> Dispute:
    """Record a dispute found in ``grid``, at the level its colour calls for.

    First contact is due ``first_contact_hours`` after the report.
    """
    if household is not None and household.grid_id != grid.pk:
        raise ValidationError({"household": HOUSEHOLD_OF_ANOTHER_GRID})
    policy = _policy(grid)
    reported_at = at or timezone.now()
    dispute = Dispute(
        grid=grid,
        household=household,
        category=category,
        summary=summary,
        parties=parties,
        colour=colour,
        level=policy.level_for(colour),
        status=Status.REPORTED,
        reported_at=reported_at,
        reported_by=by,
        first_contact_due=reported_at
        + datetime.timedelta(hours=policy.first_contact_hours),
    )
    dispute.full_clean()
    dispute.save()
    _event(dispute, EventKind.REPORTED, by=by, at=reported_at, to_value=colour)
    return dispute


@transaction.atomic
def accept(dispute: Dispute, *, by, at: datetime.datetime | None = None) -> Dispute:
    """Accept a reported dispute; mediation is due ``mediation_hours`` later."""
    dispute = _lock(dispute)
    _require(dispute, Status.REPORTED)
    now = at or timezone.now()
    dispute.status = Status.ACCEPTED
    dispute.accepted_at = now
    dispute.mediation_due = now + datetime.timedelta(
        hours=_policy(dispute).mediation_hours
    )
    dispute.save(update_fields=["status", "accepted_at", "mediation_due"])
    _event(dispute, EventKind.ACCEPTED, by=by, at=now)
    return dispute


@transaction.atomic
def hold_session(
    dispute: Dispute, *, by, notes: str = "", at: datetime.datetime | None = None
) -> Dispute:
    """Record a mediation session; the dispute is then being mediated."""
    dispute = _lock(dispute)
    _require(dispute, Status.ACCEPTED, Status.MEDIATING)
    if dispute.status != Status.MEDIATING:
        dispute.status = Status.MEDIATING
        dispute.save(update_fields=["status"])
    _event(dispute, EventKind.SESSION_HELD, by=by, at=at, reason=notes)
    return dispute


@transaction.atomic
def regrade(
    dispute: Dispute,
    *,
    colour: str,
    reason: str = "",
    by,
    at: datetime.datetime | None = None,
) -> Dispute:
    """Change an open dispute's colour; lowering it needs a reason.

    The level rises to the policy level of the new colour when that is
    higher; it never falls by itself.
    """
    dispute = _lock(dispute)
    _require(dispute, *OPEN)
    if colour not in COLOUR_RANK:
        raise ValidationError({"colour": UNKNOWN_COLOUR})
    if colour == dispute.colour:
        raise ValidationError({"colour": SAME_COLOUR})
    reason = (reason or "").strip()
    if COLOUR_RANK[colour] < COLOUR_RANK[dispute.colour] and not reason:
        raise ValidationError({"reason": DOWNGRADE_NEEDS_REASON})
    old_colour = dispute.colour
    dispute.colour = colour
    policy_level = _policy(dispute).level_for(colour)
    if LEVEL_RANK[policy_level] > LEVEL_RANK[dispute.level]:
        dispute.level = policy_level
    dispute.save(update_fields=["colour", "level"])
    _event(
        dispute,
        EventKind.REGRADED,
        by=by,
        at=at,
        from_value=old_colour,
        to_value=colour,
        reason=reason,
    )
    return dispute


@transaction.atomic
def escalate(
    dispute: Dispute, *, by, reason: str, at: datetime.datetime | None = None
) -> Dispute:
    """Hand an open dispute up one level (workstation → office → station)."""
    dispute = _lock(dispute)
    _require(dispute, *OPEN)
    reason = _require_reason(reason)
    rank = LEVEL_RANK[dispute.level]
    if rank + 1 >= len(LEVELS):
        raise ValidationError({"level": ALREADY_AT_STATION})
    old_level = dispute.level
    dispute.level = LEVELS[rank + 1]
    dispute.save(update_fields=["level"])
    _event(
        dispute,
        EventKind.ESCALATED,
        by=by,
        at=at,
        from_value=old_level,
        to_value=dispute.level,
        reason=reason,
    )
    return dispute


@transaction.atomic
def resolve(dispute: Dispute, *, by, at: datetime.datetime | None = None) -> Dispute:
    """Resolve a dispute in mediation; a return visit is due later."""
    dispute = _lock(dispute)
    _require(dispute, Status.MEDIATING)
    now = at or timezone.now()
    dispute.status = Status.RESOLVED
    dispute.resolved_at = now
    dispute.return_visit_due = now + datetime.timedelta(
        days=_policy(dispute).return_visit_days
    )
    dispute.save(update_fields=["status", "resolved_at", "return_visit_due"])
    _event(dispute, EventKind.RESOLVED, by=by, at=now)
    return dispute


def _end(dispute: Dispute, status: str, kind: str, *, by, reason: str, at) -> Dispute:
    dispute = _lock(dispute)
    _require(dispute, Status.ACCEPTED, Status.MEDIATING)
    reason = _require_reason(reason)
    dispute.status = status
    dispute.save(update_fields=["status"])
    _event(dispute, kind, by=by, at=at, reason=reason)
    return dispute


@transaction.atomic
def refer(
    dispute: Dispute, *, by, reason: str, at: datetime.datetime | None = None
) -> Dispute:
    """Refer an accepted dispute to another body (court, bureau ...)."""
    return _end(
        dispute, Status.REFERRED, EventKind.REFERRED, by=by, reason=reason, at=at
    )


@transaction.atomic
def fail(
    dispute: Dispute, *, by, reason: str, at: datetime.datetime | None = None
) -> Dispute:
    """Record that mediation of an accepted dispute failed."""
    return _end(dispute, Status.FAILED, EventKind.FAILED, by=by, reason=reason, at=at)


@transaction.atomic
def record_return_visit(
    dispute: Dispute,
    *,
    by,
    outcome: str,
    satisfaction: int,
    at: datetime.datetime | None = None,
) -> ReturnVisit:
    """Record a return visit to the parties of a resolved dispute."""
    dispute = _lock(dispute)
    _require(dispute, Status.RESOLVED)
    visit = ReturnVisit(
        dispute=dispute,
        by=by,
        visited_at=at or timezone.now(),
        outcome=outcome,
        satisfaction=satisfaction,
    )
    visit.full_clean()
    visit.save()
    _event(
        dispute,
        EventKind.RETURN_VISIT,
        by=by,
        at=visit.visited_at,
        to_value=str(satisfaction),
        reason=outcome,
    )
    return visit


@transaction.atomic
def close(dispute: Dispute, *, by, at: datetime.datetime | None = None) -> Dispute:
    """Close a referred or failed dispute, or a resolved one visited since."""
    dispute = _lock(dispute)
    _require(dispute, Status.RESOLVED, Status.REFERRED, Status.FAILED)
    if dispute.status == Status.RESOLVED and not dispute.return_visits.exists():
        raise ValidationError({"status": RETURN_VISIT_MISSING})
    now = at or timezone.now()
    dispute.status = Status.CLOSED
    dispute.closed_at = now
    dispute.save(update_fields=["status", "closed_at"])
    _event(dispute, EventKind.CLOSED, by=by, at=now)
    return dispute
