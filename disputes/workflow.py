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
    Agreement,
    Colour,
    Dispute,
    DisputeEvent,
    DisputeParty,
    DisputePolicy,
    EventKind,
    Level,
    MediationSession,
    ReturnVisit,
    Status,
)
from policing.numbering import next_number
from policing.parties import add_parties
from stations.models import Notification, Station
from stations.notifications import notify, station_chiefs

NOT_ALLOWED = _("This action is not allowed for a dispute that is {status}.")
UNKNOWN_COLOUR = _("Choose green, yellow, orange or red.")
SAME_COLOUR = _("The dispute already has this colour.")
DOWNGRADE_NEEDS_REASON = _("Give a reason for lowering the colour.")
ALREADY_AT_STATION = _("The dispute is already handled at the police station.")
REASON_REQUIRED = _("Give a reason.")
RETURN_VISIT_MISSING = _("Record a return visit before closing the dispute.")
HOUSEHOLD_OF_ANOTHER_GRID = _("This household is not in the given grid.")
VISIT_OF_ANOTHER_GRID = _("This visit was made in another grid.")
PARTIES_REQUIRED = _("Name at least one party.")
TERMS_REQUIRED = _("Write down the terms the parties agreed on.")
CONSENT_MISSING = _("Every party must consent to the agreement; missing: {names}.")
NOT_A_PARTY = _("Only parties to this dispute can consent to its agreement.")

LEVELS = Level.values

#: The actions each status allows: the pages offer these and no others, and
#: each function below refuses a dispute in any other status.
ACTIONS = {
    Status.REPORTED: ("accept", "regrade", "escalate"),
    Status.ACCEPTED: ("hold_session", "regrade", "escalate", "refer", "fail"),
    Status.MEDIATING: (
        "hold_session",
        "resolve",
        "regrade",
        "escalate",
        "refer",
        "fail",
    ),
    Status.RESOLVED: ("record_return_visit", "close"),
    Status.REFERRED: ("close",),
    Status.FAILED: ("close",),
    Status.CLOSED: (),
}


ACTION_NAMES = frozenset(name for names in ACTIONS.values() for name in names)

#: The status each event leaves a dispute in. Regrading, escalation and a
#: return visit leave the status as it was.
STATUS_AFTER = {
    EventKind.REPORTED: Status.REPORTED,
    EventKind.ACCEPTED: Status.ACCEPTED,
    EventKind.SESSION_HELD: Status.MEDIATING,
    EventKind.RESOLVED: Status.RESOLVED,
    EventKind.REFERRED: Status.REFERRED,
    EventKind.FAILED: Status.FAILED,
    EventKind.CLOSED: Status.CLOSED,
}


def apply_event(
    dispute: Dispute,
    kind: str,
    *,
    at: datetime.datetime | None = None,
    policy: DisputePolicy | None = None,
    to_value: str = "",
) -> list[str]:
    """Set on ``dispute`` what an event of ``kind`` at ``at`` changes.

    Return the names of the fields changed, for ``save(update_fields=…)``.
    Nothing is checked or saved: the functions below check the transition
    first, and the city generator, which writes disputes in bulk, applies
    the same events to unsaved rows. Acceptance, regrading and resolution
    need the bureau's ``policy`` (due times, levels), the dated steps
    ``at``; ``to_value`` is the new colour of a regrading. Escalation from
    the station changes nothing.
    """
    changed = []

    def set_field(name: str, value) -> None:
        if getattr(dispute, name) != value:
            setattr(dispute, name, value)
            changed.append(name)

    if kind in STATUS_AFTER:
        set_field("status", STATUS_AFTER[kind])
    if kind == EventKind.ACCEPTED:
        set_field("accepted_at", at)
        set_field(
            "mediation_due", at + datetime.timedelta(hours=policy.mediation_hours)
        )
    elif kind == EventKind.REGRADED:
        set_field("colour", to_value)
        # The level rises with the colour, never falls by itself.
        policy_level = policy.level_for(to_value)
        if LEVEL_RANK[policy_level] > LEVEL_RANK[dispute.level]:
            set_field("level", policy_level)
    elif kind == EventKind.ESCALATED:
        rank = LEVEL_RANK[dispute.level]
        if rank + 1 < len(LEVELS):
            set_field("level", LEVELS[rank + 1])
    elif kind == EventKind.RESOLVED:
        set_field("resolved_at", at)
        set_field(
            "return_visit_due", at + datetime.timedelta(days=policy.return_visit_days)
        )
    elif kind == EventKind.CLOSED:
        set_field("closed_at", at)
    return changed


def allowed_actions(dispute: Dispute) -> tuple[str, ...]:
    """Return the workflow functions that may be applied to ``dispute`` now.

    Beyond the status: escalation stops at the station, and a resolved
    dispute closes only after a return visit.
    """
    actions = ACTIONS[dispute.status]
    if dispute.level == Level.STATION:
        actions = tuple(a for a in actions if a != "escalate")
    if dispute.status == Status.RESOLVED and not dispute.return_visits.exists():
        actions = tuple(a for a in actions if a != "close")
    return actions


def _lock(dispute: Dispute) -> Dispute:
    # Two concurrent transitions must not both start from the same state.
    return Dispute.objects.select_for_update().get(pk=dispute.pk)


def not_allowed(dispute: Dispute) -> ValidationError:
    return ValidationError(
        {"status": NOT_ALLOWED.format(status=dispute.get_status_display())},
        code="transition",
    )


def _require(dispute: Dispute, action: str) -> None:
    if action not in ACTIONS[dispute.status]:
        raise not_allowed(dispute)


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
    visit=None,
    category: str,
    summary: str,
    parties: list[dict],
    colour: str,
    by,
    at: datetime.datetime | None = None,
) -> Dispute:
    """Record a dispute found in ``grid``, at the level its colour calls for.

    ``parties`` are dicts with a ``resident`` or a ``name``, and an optional
    ``phone``; a resident's name and phone are taken when not given. First
    contact is due ``first_contact_hours`` after the report; a red dispute
    notifies the station's chiefs.
    """
    if household is not None and household.grid_id != grid.pk:
        raise ValidationError({"household": HOUSEHOLD_OF_ANOTHER_GRID})
    if visit is not None and visit.grid_id != grid.pk:
        raise ValidationError({"visit": VISIT_OF_ANOTHER_GRID})
    if not parties:
        raise ValidationError({"parties": PARTIES_REQUIRED})
    policy = _policy(grid)
    reported_at = at or timezone.now()
    dispute = Dispute(
        grid=grid,
        household=household,
        visit=visit,
        category=category,
        summary=summary,
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
    _add_parties(dispute, parties)
    _event(dispute, EventKind.REPORTED, by=by, at=reported_at, to_value=colour)
    if colour == Colour.RED:
        _notify_red(dispute, at=reported_at)
    return dispute


def _add_parties(dispute: Dispute, parties: list[dict]) -> None:
    add_parties(parties, lambda data: DisputeParty(dispute=dispute))


def _notify_red(dispute: Dispute, *, at: datetime.datetime) -> None:
    notify(
        station_chiefs(dispute.grid.area.station_id),
        kind=Notification.Kind.RED_DISPUTE,
        key=f"dispute:{dispute.pk}:red",
        subject=_subject(dispute),
        url=dispute.get_absolute_url(),
        at=at,
    )


def _subject(dispute: Dispute) -> str:
    """Name the dispute in words that need no translation: grid and summary."""
    return f"{dispute.grid.name} · {dispute.summary[:80]}"


def notify_overdue(now: datetime.datetime | None = None) -> int:
    """Notify station chiefs of every overdue dispute, once per late step.

    Run by the beat schedule; returns how many notifications were new.
    """
    created = 0
    overdue = Dispute.objects.overdue(now).select_related("grid__area")
    for dispute in overdue:
        created += len(
            notify(
                station_chiefs(dispute.grid.area.station_id),
                kind=Notification.Kind.OVERDUE_DISPUTE,
                key=f"dispute:{dispute.pk}:overdue:{dispute.status}",
                subject=_subject(dispute),
                url=dispute.get_absolute_url(),
                at=missed_deadline(dispute),
            )
        )
    return created


def missed_deadline(dispute: Dispute) -> datetime.datetime | None:
    """The deadline of the dispute's current step (``Dispute.objects.overdue``)."""
    return {
        Status.REPORTED: dispute.first_contact_due,
        Status.ACCEPTED: dispute.mediation_due,
        Status.RESOLVED: dispute.return_visit_due,
    }.get(dispute.status)


@transaction.atomic
def accept(dispute: Dispute, *, by, at: datetime.datetime | None = None) -> Dispute:
    """Accept a reported dispute; mediation is due ``mediation_hours`` later."""
    dispute = _lock(dispute)
    _require(dispute, "accept")
    now = at or timezone.now()
    changed = apply_event(dispute, EventKind.ACCEPTED, at=now, policy=_policy(dispute))
    dispute.save(update_fields=changed)
    _event(dispute, EventKind.ACCEPTED, by=by, at=now)
    return dispute


@transaction.atomic
def hold_session(
    dispute: Dispute,
    *,
    by,
    mediators=(),
    participants: str = "",
    place: str = "",
    notes: str = "",
    at: datetime.datetime | None = None,
) -> MediationSession:
    """Record a mediation session; the dispute is then being mediated.

    The person recording is a mediator unless ``mediators`` names others.
    """
    dispute = _lock(dispute)
    _require(dispute, "hold_session")
    session = MediationSession(
        dispute=dispute,
        held_at=at or timezone.now(),
        place=place,
        participants=participants,
        notes=notes,
    )
    session.full_clean()
    session.save()
    session.mediators.set(mediators or [by])
    changed = apply_event(dispute, EventKind.SESSION_HELD)
    if changed:
        dispute.save(update_fields=changed)
    _event(dispute, EventKind.SESSION_HELD, by=by, at=session.held_at, reason=notes)
    return session


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
    _require(dispute, "regrade")
    if colour not in COLOUR_RANK:
        raise ValidationError({"colour": UNKNOWN_COLOUR})
    if colour == dispute.colour:
        raise ValidationError({"colour": SAME_COLOUR})
    reason = (reason or "").strip()
    if COLOUR_RANK[colour] < COLOUR_RANK[dispute.colour] and not reason:
        raise ValidationError({"reason": DOWNGRADE_NEEDS_REASON})
    old_colour = dispute.colour
    apply_event(dispute, EventKind.REGRADED, policy=_policy(dispute), to_value=colour)
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
    if colour == Colour.RED:
        _notify_red(dispute, at=at or timezone.now())
    return dispute


@transaction.atomic
def escalate(
    dispute: Dispute, *, by, reason: str, at: datetime.datetime | None = None
) -> Dispute:
    """Hand an open dispute up one level (workstation → office → station)."""
    dispute = _lock(dispute)
    _require(dispute, "escalate")
    reason = _require_reason(reason)
    rank = LEVEL_RANK[dispute.level]
    if rank + 1 >= len(LEVELS):
        raise ValidationError({"level": ALREADY_AT_STATION})
    old_level = dispute.level
    apply_event(dispute, EventKind.ESCALATED)
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
def resolve(
    dispute: Dispute,
    *,
    by,
    terms: str,
    consenting_parties=None,
    mediators=(),
    place: str = "",
    at: datetime.datetime | None = None,
) -> Agreement:
    """Resolve a dispute in mediation with the agreement its parties signed.

    Every party must consent (``consenting_parties``, default all). The
    person recording is a mediator unless ``mediators`` names others. A
    return visit becomes due ``return_visit_days`` later.
    """
    dispute = _lock(dispute)
    _require(dispute, "resolve")
    terms = (terms or "").strip()
    if not terms:
        raise ValidationError({"terms": TERMS_REQUIRED})
    parties = list(dispute.parties.all())
    if consenting_parties is None:
        consenting_parties = parties
    consenting_ids = {party.pk for party in consenting_parties}
    if not consenting_ids <= {party.pk for party in parties}:
        raise ValidationError({"consenting_parties": NOT_A_PARTY})
    missing = [party.name for party in parties if party.pk not in consenting_ids]
    if missing:
        raise ValidationError(
            {"consenting_parties": CONSENT_MISSING.format(names="、".join(missing))}
        )
    now = at or timezone.now()
    agreement = Agreement.objects.create(
        dispute=dispute,
        number=_agreement_number(dispute, now),
        terms=terms,
        signed_at=now,
        place=place,
    )
    agreement.mediators.set(mediators or [by])
    agreement.consenting_parties.set(parties)
    changed = apply_event(dispute, EventKind.RESOLVED, at=now, policy=_policy(dispute))
    dispute.save(update_fields=changed)
    _event(dispute, EventKind.RESOLVED, by=by, at=now)
    return agreement


def _agreement_number(dispute: Dispute, signed_at: datetime.datetime) -> str:
    """Number agreements per station and year: ``2026-S0003-0012``.

    The station's row is locked so that two agreements signed at once never
    get the same number.
    """
    station_id = dispute.grid.area.station_id
    Station.objects.select_for_update().filter(pk=station_id).exists()
    year = timezone.localtime(signed_at).year
    prefix = f"{year}-S{station_id:04d}-"
    issued = Agreement.objects.filter(number__startswith=prefix)
    return next_number(issued, prefix, width=4)


def _end(dispute: Dispute, status: str, kind: str, *, by, reason: str, at) -> Dispute:
    dispute = _lock(dispute)
    _require(dispute, {Status.REFERRED: "refer", Status.FAILED: "fail"}[status])
    reason = _require_reason(reason)
    apply_event(dispute, kind)
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
    _require(dispute, "record_return_visit")
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
    _require(dispute, "close")
    if dispute.status == Status.RESOLVED and not dispute.return_visits.exists():
        raise ValidationError({"status": RETURN_VISIT_MISSING})
    now = at or timezone.now()
    changed = apply_event(dispute, EventKind.CLOSED, at=now)
    dispute.save(update_fields=changed)
    _event(dispute, EventKind.CLOSED, by=by, at=now)
    return dispute
