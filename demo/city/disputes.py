"""Stage 8 of the city: a year of disputes, as far as their course has come.

Statuses, due times and levels are what :func:`disputes.workflow.apply_event`
gives each step, as for a dispute taken through the workflow one step at a
time.
"""

import datetime
import random

from django.utils import timezone

from demo import disputes as dispute_texts
from demo.city.shared import (
    City,
    GridPlan,
    PersonPlan,
    Step,
    bulk_insert,
    draw_report,
    hours_later,
    household_heads,
    weighted,
)
from demo.common import name as draw_name
from demo.common import phone as draw_phone
from disputes import workflow
from disputes.models import (
    Agreement,
    Colour,
    Dispute,
    DisputeEvent,
    DisputeParty,
    DisputePolicy,
    EventKind,
    MediationSession,
    ReturnVisit,
    Status,
)

DISPUTE_COLOURS = {
    Colour.GREEN: 45,
    Colour.YELLOW: 32,
    Colour.ORANGE: 15,
    Colour.RED: 8,
}
DISPUTE_ENDINGS = {Status.RESOLVED: 86, Status.REFERRED: 6, Status.FAILED: 8}
SATISFACTION = {5: 60, 4: 30, 3: 7, 2: 2, 1: 1}
#: share of steps taken after their time limit (first contact, mediation,
#: return visit), so some disputes are overdue
LATE_STEP_SHARE = 0.08


def create_disputes(city: City) -> dict[str, int]:
    """Write a year of disputes taken as far as the time up to now allows.

    Each dispute's whole course is drawn first (acceptance, regrading and
    escalation, sessions, the outcome, the return visit, closing), and only
    the steps before "now" happen: a dispute reported last night is still
    reported. Due times follow the bureau's :class:`DisputePolicy` exactly
    as :mod:`disputes.workflow` sets them, and a few steps come late, so
    overdue flags are meaningful.
    """
    rng = city.rng("disputes")
    policy = DisputePolicy.for_bureau(city.bureau.pk)
    plans = []
    for _ in range(city.size.disputes):
        grid, reported_at = draw_report(rng, city, hours=(8, 22))
        plans.append(plan_dispute(rng, city, policy, grid, reported_at))
    plans.sort(key=lambda plan: (plan["reported_at"], plan["grid"].index))
    heads = household_heads(plan["household"] for plan in plans)
    return write_disputes(city, policy, plans, heads)


def within_or_late(rng: random.Random, limit_hours: float) -> tuple[float, float]:
    """Return a delay range: inside the time limit, or now and then past it."""
    if rng.random() < LATE_STEP_SHARE:
        return limit_hours + 1, limit_hours * 3
    return 0.5, limit_hours * 0.9


def plan_dispute(rng, city, policy, grid: GridPlan, reported_at) -> dict:
    """Draw one dispute's texts and its full course of steps."""
    category = weighted(rng, dispute_texts.CATEGORY_WEIGHTS)
    template, low, high, step, second = rng.choice(dispute_texts.SUMMARIES[category])
    a = draw_name(rng, female=category != "family" and rng.random() < 0.3)
    b = draw_name(
        rng,
        female=second.startswith("f") or (not second and rng.random() < 0.3),
        surname=a[0] if second.endswith("kin") else "",
    )
    n = rng.randrange(low, high + 1, step)
    colour = weighted(rng, DISPUTE_COLOURS)
    household = (
        grid.households[rng.randrange(len(grid.households))]
        if rng.random() < 0.6
        else None
    )
    steps = [Step(reported_at, EventKind.REPORTED, {"to": colour})]
    accepted = hours_later(
        rng, reported_at, *within_or_late(rng, policy.first_contact_hours)
    )
    steps.append(Step(accepted, EventKind.ACCEPTED))
    first_session = hours_later(
        rng, accepted, *within_or_late(rng, policy.mediation_hours)
    )
    # Regrading and escalation happen between acceptance and the session.
    if colour != Colour.RED and rng.random() < 0.1:
        upgraded = Colour.values[Colour.values.index(colour) + 1]
        steps.append(
            Step(
                accepted + (first_session - accepted) * 0.3,
                EventKind.REGRADED,
                {"to": upgraded, "reason": rng.choice(dispute_texts.UPGRADE_REASONS)},
            )
        )
    if rng.random() < 0.08:
        steps.append(
            Step(
                accepted + (first_session - accepted) * 0.6,
                EventKind.ESCALATED,
                {"reason": rng.choice(dispute_texts.ESCALATE_REASONS)},
            )
        )
    ending = weighted(rng, DISPUTE_ENDINGS)
    # A referral may come before any session; every other ending after some.
    if ending != Status.REFERRED or rng.random() < 0.5:
        last = first_session
        steps.append(session_step(rng, first_session, a, b))
        for _ in range(rng.choices((0, 1, 2), weights=(5, 3, 2))[0]):
            last = hours_later(rng, last, 12, 96)
            steps.append(session_step(rng, last, a, b))
    ended = hours_later(rng, steps[-1].at, 2, 72)
    if ending == Status.RESOLVED:
        terms = rng.choice(dispute_texts.AGREEMENT_TERMS).format(a=a, b=b, n=n)
        steps.append(
            Step(
                ended,
                EventKind.RESOLVED,
                {"terms": terms, "place": rng.choice(dispute_texts.PLACES)},
            )
        )
        visited = hours_later(
            rng, ended, *within_or_late(rng, 24 * policy.return_visit_days)
        )
        steps.append(
            Step(
                visited,
                EventKind.RETURN_VISIT,
                {
                    "outcome": rng.choice(dispute_texts.VISIT_OUTCOMES),
                    "satisfaction": weighted(rng, SATISFACTION),
                },
            )
        )
        steps.append(Step(hours_later(rng, visited, 2, 72), EventKind.CLOSED))
    else:
        reasons = (
            dispute_texts.REFER_REASONS
            if ending == Status.REFERRED
            else dispute_texts.FAIL_REASONS
        )
        kind = EventKind.REFERRED if ending == Status.REFERRED else EventKind.FAILED
        steps.append(Step(ended, kind, {"reason": rng.choice(reasons)}))
        steps.append(Step(hours_later(rng, ended, 24, 120), EventKind.CLOSED))
    return {
        "grid": grid,
        "household": household,
        "category": category,
        "summary": template.format(a=a, b=b, n=n),
        "parties": [(a, draw_phone(rng)), (b, draw_phone(rng))],
        "colour": colour,
        "reported_at": reported_at,
        # Only what happened before "now" is written.
        "steps": [s for s in steps if s.at < city.now],
        "mediator": rng.random() < 0.3,
    }


def session_step(rng: random.Random, at: datetime.datetime, a: str, b: str) -> Step:
    return Step(
        at,
        EventKind.SESSION_HELD,
        {
            "notes": rng.choice(dispute_texts.SESSION_NOTES),
            "place": rng.choice(dispute_texts.PLACES),
            "participants": f"{a}、{b}",
        },
    )


def write_disputes(city: City, policy, plans: list[dict], heads) -> dict[str, int]:
    """Write the disputes and their parties, events, sessions and agreements."""
    disputes = []
    for plan in plans:
        grid: GridPlan = plan["grid"]
        reporter = grid.responsible_on(plan["reported_at"].date().toordinal())
        plan["officer"] = reporter
        dispute = Dispute(
            grid_id=grid.id,
            household_id=plan["household"],
            category=plan["category"],
            summary=plan["summary"],
            colour=plan["colour"],
            level=policy.level_for(plan["colour"]),
            status=Status.REPORTED,
            reported_at=plan["reported_at"],
            reported_by_id=reporter.id,
            first_contact_due=plan["reported_at"]
            + datetime.timedelta(hours=policy.first_contact_hours),
        )
        for step in plan["steps"]:
            colour, level = dispute.colour, dispute.level
            workflow.apply_event(
                dispute,
                step.kind,
                at=step.at,
                policy=policy,
                to_value=step.detail.get("to", ""),
            )
            # The events name what a regrading or an escalation changed.
            if step.kind == EventKind.REGRADED:
                step.detail["from"] = colour
            elif step.kind == EventKind.ESCALATED:
                step.detail |= {"from": level, "to": dispute.level}
        disputes.append(dispute)
    bulk_insert(disputes)

    parties, events, sessions, return_visits = [], [], [], []
    session_mediators, agreements = [], []
    for plan, dispute in zip(plans, disputes, strict=True):
        officer = plan["officer"]
        (a, a_phone), (b, b_phone) = plan["parties"]
        head = heads.get(plan["household"])
        first = DisputeParty(dispute=dispute, name=a, phone=a_phone)
        if head is not None:
            first.resident_id, first.name, first.phone = (
                head[0],
                head[1],
                head[2] or a_phone,
            )
        plan["party_objects"] = [
            first,
            DisputeParty(dispute=dispute, name=b, phone=b_phone),
        ]
        parties += plan["party_objects"]
        for step in plan["steps"]:
            event = DisputeEvent(
                dispute=dispute, kind=step.kind, by_id=officer.id, at=step.at
            )
            if step.kind == EventKind.REPORTED:
                event.to_value = step.detail["to"]
            elif step.kind in (EventKind.REGRADED, EventKind.ESCALATED):
                if step.detail["from"] == step.detail["to"]:
                    continue  # escalated at the station: as high as it goes
                event.from_value = step.detail["from"]
                event.to_value = step.detail["to"]
                event.reason = step.detail["reason"]
            elif step.kind == EventKind.SESSION_HELD:
                event.reason = step.detail["notes"]
                session = MediationSession(
                    dispute=dispute,
                    held_at=step.at,
                    place=step.detail["place"],
                    participants=step.detail["participants"],
                    notes=step.detail["notes"],
                )
                sessions.append(session)
                session_mediators.append((session, mediators_of(city, plan)))
            elif step.kind in (EventKind.REFERRED, EventKind.FAILED):
                event.reason = step.detail["reason"]
            elif step.kind == EventKind.RESOLVED:
                agreements.append((plan, step))
            elif step.kind == EventKind.RETURN_VISIT:
                event.to_value = str(step.detail["satisfaction"])
                event.reason = step.detail["outcome"]
                return_visits.append(
                    ReturnVisit(
                        dispute=dispute,
                        by_id=officer.id,
                        visited_at=step.at,
                        outcome=step.detail["outcome"],
                        satisfaction=step.detail["satisfaction"],
                    )
                )
            events.append(event)
    bulk_insert(parties)
    bulk_insert(events)
    bulk_insert(sessions)
    bulk_insert(return_visits)
    bulk_insert(
        [
            MediationSession.mediators.through(
                mediationsession_id=session.pk, person_id=person.id
            )
            for session, people in session_mediators
            for person in people
        ]
    )
    written_agreements = write_agreements(city, agreements, disputes, plans)
    return {
        "disputes": len(disputes),
        "dispute parties": len(parties),
        "dispute events": len(events),
        "mediation sessions": len(sessions),
        "agreements": written_agreements,
        "return visits": len(return_visits),
    }


def mediators_of(city: City, plan: dict) -> list[PersonPlan]:
    """The officer, sometimes with the station's mediator (调解员)."""
    mediators = [plan["officer"]]
    if plan["mediator"]:
        mediators.append(city.mediators[plan["grid"].station])
    return mediators


def write_agreements(city: City, resolutions, disputes, plans) -> int:
    """Write the agreements, numbered per station and year in signing order."""
    by_plan = {id(plan): dispute for plan, dispute in zip(plans, disputes, strict=True)}
    numbers: dict[str, int] = {}
    agreements, signers = [], []
    for plan, step in sorted(resolutions, key=lambda item: item[1].at):
        dispute = by_plan[id(plan)]
        year = timezone.localtime(step.at).year
        prefix = f"{year}-S{city.stations[plan['grid'].station].pk:04d}-"
        numbers[prefix] = numbers.get(prefix, 0) + 1
        agreement = Agreement(
            dispute=dispute,
            number=f"{prefix}{numbers[prefix]:04d}",
            terms=step.detail["terms"],
            signed_at=step.at,
            place=step.detail["place"],
        )
        agreements.append(agreement)
        signers.append((agreement, plan))
    bulk_insert(agreements)
    bulk_insert(
        [
            Agreement.mediators.through(agreement_id=agreement.pk, person_id=person.id)
            for agreement, plan in signers
            for person in mediators_of(city, plan)
        ]
    )
    bulk_insert(
        [
            Agreement.consenting_parties.through(
                agreement_id=agreement.pk, disputeparty_id=party.pk
            )
            for agreement, plan in signers
            for party in plan["party_objects"]
        ]
    )
    return len(agreements)
