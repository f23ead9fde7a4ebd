"""Transitions of a case (SPEC §2); the only code that changes its status.

reported → accepted → investigating → solved → closed, or dropped before it
is solved. Each function locks the case, checks the step against
:data:`ACTIONS`, and records a :class:`~cases.models.CaseEvent`; status steps
are public (the party sees them on /track/), notes are public only when the
officer says so. ``at`` (default now) dates a step entered afterwards.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import tracking
from cases.models import (
    TRACKING_ROLES,
    Case,
    CaseEvent,
    CaseParty,
    CaseReturnVisit,
    EventKind,
    Status,
)
from policing.numbering import next_number
from policing.parties import add_parties
from stations.models import Person, Station

NOT_ALLOWED = _("This action is not allowed for a case that is {status}.")
REASON_REQUIRED = _("Give a reason.")
TEXT_REQUIRED = _("Write what happened.")
PARTIES_REQUIRED = _("Name at least one party.")
TRACKING_NEEDS_PHONE = _(
    "A reporter or victim needs a phone number to follow the case."
)
OFFICER_OF_ANOTHER_STATION = _("Choose a police officer of the grid's station.")
NOT_A_PARTY = _("This person is not a party to the case.")

#: The actions each status allows; pages offer these and no others.
ACTIONS = {
    Status.REPORTED: ("accept", "drop", "add_progress", "issue_query_code"),
    Status.ACCEPTED: (
        "start_investigation",
        "drop",
        "add_progress",
        "record_return_visit",
        "issue_query_code",
    ),
    Status.INVESTIGATING: (
        "solve",
        "drop",
        "add_progress",
        "record_return_visit",
        "issue_query_code",
    ),
    Status.SOLVED: (
        "close",
        "add_progress",
        "record_return_visit",
        "issue_query_code",
    ),
    Status.CLOSED: ("record_return_visit", "issue_query_code"),
    Status.DROPPED: ("record_return_visit", "issue_query_code"),
}
ACTION_NAMES = frozenset(name for names in ACTIONS.values() for name in names)

#: The status each event leaves a case in; notes, return visits and query
#: codes leave it as it was.
STATUS_AFTER = {
    EventKind.REPORTED: Status.REPORTED,
    EventKind.ACCEPTED: Status.ACCEPTED,
    EventKind.INVESTIGATING: Status.INVESTIGATING,
    EventKind.SOLVED: Status.SOLVED,
    EventKind.CLOSED: Status.CLOSED,
    EventKind.DROPPED: Status.DROPPED,
}
#: The field that dates each event that has one
DATED_BY = {
    EventKind.ACCEPTED: "accepted_at",
    EventKind.SOLVED: "solved_at",
    EventKind.CLOSED: "closed_at",
}


def apply_event(
    case: Case, kind: str, *, at: datetime.datetime | None = None
) -> list[str]:
    """Set on ``case`` the status and time an event of ``kind`` at ``at`` gives.

    Return the names of the fields changed, for ``save(update_fields=…)``.
    Nothing is checked or saved: the functions below check the transition
    first, and the city generator, which writes cases in bulk, applies the
    same events to unsaved rows.
    """
    changed = []
    if kind in STATUS_AFTER:
        case.status = STATUS_AFTER[kind]
        changed.append("status")
    if kind in DATED_BY:
        setattr(case, DATED_BY[kind], at)
        changed.append(DATED_BY[kind])
    return changed


def allowed_actions(case: Case) -> tuple[str, ...]:
    return ACTIONS[case.status]


def not_allowed(case: Case) -> ValidationError:
    return ValidationError(
        {"status": NOT_ALLOWED.format(status=case.get_status_display())},
        code="transition",
    )


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _require(case: Case, action: str) -> None:
    if action not in ACTIONS[case.status]:
        raise not_allowed(case)


def _text(value: str, message=TEXT_REQUIRED, field="text") -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _event(case, kind, *, by, at=None, public=True, text=""):
    return CaseEvent.objects.create(
        case=case, kind=kind, by=by, at=at or timezone.now(), public=public, text=text
    )


def check_officer(officer: Person, grid) -> None:
    if officer.station_id != grid.area.station_id or officer.kind != "officer":
        raise ValidationError({"officer": OFFICER_OF_ANOTHER_STATION})


def _number(case: Case) -> str:
    """Number cases per kind, station and year: ``XS-2026-S0003-00012``.

    The station's row is locked so that two cases opened at once never get
    the same number.
    """
    station_id = case.grid.area.station_id
    Station.objects.select_for_update().filter(pk=station_id).exists()
    prefix = "XS" if case.kind == Case.Kind.CRIMINAL else "ZA"
    year = timezone.localtime(case.reported_at).year
    head = f"{prefix}-{year}-S{station_id:04d}-"
    return next_number(Case.objects.filter(number__startswith=head), head, width=5)


@transaction.atomic
def open_case(
    *,
    grid,
    kind: str,
    category: str,
    summary: str,
    parties: list[dict],
    by: Person,
    officer: Person | None = None,
    location=None,
    occurred_at: datetime.datetime | None = None,
    at: datetime.datetime | None = None,
) -> Case:
    """Record a case reported in ``grid``; ``officer`` defaults to ``by``.

    ``parties`` are dicts with a ``role``, a ``resident`` or a ``name``, and
    a ``phone`` (required for reporters and victims, who follow the case).
    """
    officer = officer or by
    check_officer(officer, grid)
    if not parties:
        raise ValidationError({"parties": PARTIES_REQUIRED})
    case = Case(
        kind=kind,
        category=category,
        summary=summary,
        grid=grid,
        location=location,
        occurred_at=occurred_at,
        reported_at=at or timezone.now(),
        status=Status.REPORTED,
        officer=officer,
        reported_by=by,
    )
    case.number = _number(case)
    case.full_clean()
    case.save()
    _add_parties(case, parties)
    _event(case, EventKind.REPORTED, by=by, at=case.reported_at)
    return case


def _add_parties(case: Case, parties: list[dict]) -> None:
    def new_party(data: dict) -> CaseParty:
        return CaseParty(case=case, role=data.get("role") or CaseParty.Role.REPORTER)

    add_parties(parties, new_party, check=_check_tracking_phone)


def _check_tracking_phone(party: CaseParty) -> None:
    """A reporter or victim follows the case with the phone's last digits."""
    if party.role in TRACKING_ROLES and not party.phone:
        raise ValidationError({"phone": TRACKING_NEEDS_PHONE})


@transaction.atomic
def accept(case: Case, *, by, text: str = "", at=None) -> Case:
    """Accept (受理) a reported case."""
    case = _lock(case)
    _require(case, "accept")
    now = at or timezone.now()
    case.save(update_fields=apply_event(case, EventKind.ACCEPTED, at=now))
    _event(case, EventKind.ACCEPTED, by=by, at=now, text=(text or "").strip())
    return case


@transaction.atomic
def start_investigation(case: Case, *, by, text: str = "", at=None) -> Case:
    """Start investigating an accepted case."""
    case = _lock(case)
    _require(case, "start_investigation")
    case.save(update_fields=apply_event(case, EventKind.INVESTIGATING))
    _event(case, EventKind.INVESTIGATING, by=by, at=at, text=(text or "").strip())
    return case


@transaction.atomic
def solve(case: Case, *, by, text: str, at=None) -> Case:
    """Record that the case is solved (破案/查处), with what the party may read."""
    case = _lock(case)
    _require(case, "solve")
    text = _text(text)
    now = at or timezone.now()
    case.save(update_fields=apply_event(case, EventKind.SOLVED, at=now))
    _event(case, EventKind.SOLVED, by=by, at=now, text=text)
    return case


@transaction.atomic
def close(case: Case, *, by, text: str = "", at=None) -> Case:
    """Close (结案) a solved case."""
    case = _lock(case)
    _require(case, "close")
    now = at or timezone.now()
    case.save(update_fields=apply_event(case, EventKind.CLOSED, at=now))
    _event(case, EventKind.CLOSED, by=by, at=now, text=(text or "").strip())
    return case


@transaction.atomic
def drop(case: Case, *, by, reason: str, at=None) -> Case:
    """Drop a case not solved (不予立案/撤销案件); the reason is public."""
    case = _lock(case)
    _require(case, "drop")
    reason = _text(reason, REASON_REQUIRED, "reason")
    case.save(update_fields=apply_event(case, EventKind.DROPPED))
    _event(case, EventKind.DROPPED, by=by, at=at, text=reason)
    return case


@transaction.atomic
def add_progress(case: Case, *, by, text: str, public: bool = False, at=None):
    """Note progress; ``public`` notes are shown to the parties on /track/."""
    case = _lock(case)
    _require(case, "add_progress")
    return _event(
        case, EventKind.PROGRESS, by=by, at=at, public=bool(public), text=_text(text)
    )


@transaction.atomic
def record_return_visit(case: Case, *, by, party, outcome: str, at=None):
    """Record a return visit to one of the case's parties (internal)."""
    case = _lock(case)
    _require(case, "record_return_visit")
    if party.case_id != case.pk:
        raise ValidationError({"party": NOT_A_PARTY})
    visit = CaseReturnVisit(
        case=case,
        party=party,
        by=by,
        visited_at=at or timezone.now(),
        outcome=_text(outcome, field="outcome"),
    )
    visit.full_clean()
    visit.save()
    _event(
        case,
        EventKind.RETURN_VISIT,
        by=by,
        at=visit.visited_at,
        public=False,
        text=f"{party.name}: {visit.outcome}",
    )
    return visit


@transaction.atomic
def issue_query_code(case: Case, *, by, code: str | None = None) -> str:
    """Give the case a new query code and return it, for the receipt only.

    The old code stops working and a lock-out is lifted. ``code`` fixes the
    code (the demo's, documented in the README); otherwise it is random.
    """
    case = _lock(case)
    _require(case, "issue_query_code")
    code = tracking.normalize(code) if code else tracking.new_code()
    case.query_code_hash = tracking.code_hash(code)
    case.tracking_locked_until = None
    case.save(update_fields=["query_code_hash", "tracking_locked_until"])
    _event(case, EventKind.CODE_ISSUED, by=by, public=False)
    return code
