"""Stage 9 of the city: a year of cases, as far as their course has come.

Statuses and times are what :func:`cases.workflow.apply_event` gives each
step.
"""

import datetime
import random

from django.utils import timezone

from cases import workflow
from cases.models import (
    Case,
    CaseEvent,
    CaseParty,
    CaseReturnVisit,
    PartyRole,
    Rating,
)
from cases.models import EventKind as CaseEventKind
from cases.models import Kind as CaseKind
from cases.models import Status as CaseStatus
from demo import cases as case_texts
from demo.city.shared import (
    SMALL_BATCH,
    City,
    GridPlan,
    Step,
    bulk_insert,
    draw_report,
    hours_later,
    household_heads,
    random_point,
)
from demo.common import name as draw_name
from demo.common import phone as draw_phone

CASE_DROPPED_SHARE = 0.08
#: share of cases eventually solved (破案率 / 查处率)
CASE_SOLVED_SHARE = {CaseKind.CRIMINAL: 0.55, CaseKind.ADMINISTRATIVE: 0.85}


def create_cases(city: City) -> dict[str, int]:
    """Write a year of cases taken as far as the time up to now allows.

    As with disputes, each case's course is drawn whole (acceptance, maybe
    dropping, investigation, progress, solving, a return visit to the victim
    and maybe a rating, closing) and only the steps before "now" happen.
    The officer in charge is the grid's responsible officer on the day of
    the report; cases are numbered per kind, station and year.
    """
    rng = city.rng("cases")
    plans = []
    for _ in range(city.size.cases):
        grid, reported_at = draw_report(rng, city, hours=(0, 24))
        plans.append(plan_case(rng, city, grid, reported_at))
    plans.sort(key=lambda plan: (plan["reported_at"], plan["grid"].index))
    heads = household_heads(plan["household"] for plan in plans)
    return write_cases(city, plans, heads)


def plan_case(rng: random.Random, city: City, grid: GridPlan, reported_at) -> dict:
    categories = list(case_texts.CATEGORIES)
    category = rng.choices(
        categories, weights=[case_texts.CATEGORIES[c][1] for c in categories]
    )[0]
    kind, _weight, templates = case_texts.CATEGORIES[category]
    a, b = draw_name(rng), draw_name(rng)
    template = rng.choice(templates)
    summary = template.format(a=a, b=b, n=rng.randrange(300, 30000, 100))
    steps = [Step(reported_at, CaseEventKind.REPORTED)]
    accepted = hours_later(rng, reported_at, 0.2, 3)
    steps.append(
        Step(
            accepted,
            CaseEventKind.ACCEPTED,
            {"text": rng.choice(case_texts.ACCEPT_TEXTS)},
        )
    )
    if rng.random() < CASE_DROPPED_SHARE:
        steps.append(
            Step(
                hours_later(rng, accepted, 24, 168),
                CaseEventKind.DROPPED,
                {"text": rng.choice(case_texts.DROP_REASONS)},
            )
        )
    else:
        investigating = hours_later(rng, accepted, 1, 12)
        steps.append(
            Step(
                investigating,
                CaseEventKind.INVESTIGATING,
                {"text": rng.choice(case_texts.INVESTIGATE_TEXTS)},
            )
        )
        text, public = rng.choice(case_texts.PROGRESS_TEXTS)
        steps.append(
            Step(
                hours_later(rng, investigating, 24, 120),
                CaseEventKind.PROGRESS,
                {"text": text, "public": public},
            )
        )
        if rng.random() < CASE_SOLVED_SHARE[kind]:
            longest = 240 if kind == CaseKind.ADMINISTRATIVE else 1440
            solved = hours_later(rng, investigating, 130, 130 + longest)
            steps.append(
                Step(
                    solved,
                    CaseEventKind.SOLVED,
                    {"text": rng.choice(case_texts.SOLVE_TEXTS[kind])},
                )
            )
            visited = hours_later(rng, solved, 24, 72)
            rating = None
            if rng.random() < 0.5:
                rating = (
                    rng.choice((3, 4, 5, 5, 5)),
                    rng.choice(case_texts.RATING_COMMENTS),
                    hours_later(rng, visited, 1, 48),
                )
            steps.append(
                Step(
                    visited,
                    CaseEventKind.RETURN_VISIT,
                    {
                        "outcome": rng.choice(case_texts.RETURN_VISIT_OUTCOMES),
                        "rating": rating,
                    },
                )
            )
            steps.append(
                Step(hours_later(rng, visited, 120, 720), CaseEventKind.CLOSED)
            )
    occurred_at = reported_at - datetime.timedelta(hours=rng.uniform(0.5, 48))
    return {
        "grid": grid,
        "household": grid.households[rng.randrange(len(grid.households))]
        if rng.random() < 0.5
        else None,
        "kind": kind,
        "category": category,
        "summary": summary,
        "victim": (a, draw_phone(rng)),
        "suspect": (b, draw_phone(rng) if rng.random() < 0.5 else "")
        if "{b}" in template
        else None,
        "location": random_point(rng, grid.polygon),
        "occurred_at": occurred_at,
        "reported_at": reported_at,
        "steps": [s for s in steps if s.at < city.now],
    }


def write_cases(city: City, plans: list[dict], heads) -> dict[str, int]:
    """Write the cases and their parties, events, return visits and ratings."""
    numbers: dict[str, int] = {}
    cases = []
    for plan in plans:
        grid: GridPlan = plan["grid"]
        officer = grid.responsible_on(plan["reported_at"].date().toordinal())
        plan["officer"] = officer
        prefix = "XS" if plan["kind"] == CaseKind.CRIMINAL else "ZA"
        year = timezone.localtime(plan["reported_at"]).year
        head = f"{prefix}-{year}-S{city.stations[grid.station].pk:04d}-"
        numbers[head] = numbers.get(head, 0) + 1
        case = Case(
            number=f"{head}{numbers[head]:05d}",
            kind=plan["kind"],
            category=plan["category"],
            summary=plan["summary"],
            grid_id=grid.id,
            location=plan["location"],
            occurred_at=plan["occurred_at"],
            reported_at=plan["reported_at"],
            status=CaseStatus.REPORTED,
            officer_id=officer.id,
            reported_by_id=officer.id,
        )
        for step in plan["steps"]:
            workflow.apply_event(case, step.kind, at=step.at)
        cases.append(case)
    bulk_insert(cases)

    parties, victims = [], []
    for plan, case in zip(plans, cases, strict=True):
        name, phone = plan["victim"]
        victim = CaseParty(case=case, role=PartyRole.VICTIM, name=name, phone=phone)
        head = heads.get(plan["household"])
        if head is not None and head[2]:
            victim.resident_id, victim.name, victim.phone = head
        victim.phone_tail = victim.phone[-4:]
        parties.append(victim)
        victims.append(victim)
        if plan["suspect"]:
            name, phone = plan["suspect"]
            parties.append(
                CaseParty(
                    case=case,
                    role=PartyRole.SUSPECT,
                    name=name,
                    phone=phone,
                    phone_tail=phone[-4:],
                )
            )
    bulk_insert(parties)

    events, visits, ratings = [], [], []
    for plan, case, victim in zip(plans, cases, victims, strict=True):
        officer_id = plan["officer"].id
        for step in plan["steps"]:
            event = CaseEvent(
                case=case,
                kind=step.kind,
                by_id=officer_id,
                at=step.at,
                public=True,
                text=step.detail.get("text", ""),
            )
            if step.kind == CaseEventKind.PROGRESS:
                event.public = step.detail["public"]
            elif step.kind == CaseEventKind.RETURN_VISIT:
                outcome = step.detail["outcome"]
                event.public, event.text = False, f"{victim.name}: {outcome}"
                visits.append(
                    CaseReturnVisit(
                        case=case,
                        party=victim,
                        by_id=officer_id,
                        visited_at=step.at,
                        outcome=outcome,
                    )
                )
                rating = step.detail["rating"]
                if rating and rating[2] < city.now:
                    ratings.append(
                        Rating(
                            case=case,
                            party=victim,
                            officer_id=officer_id,
                            score=rating[0],
                            comment=rating[1],
                            created_at=rating[2],
                        )
                    )
            events.append(event)
    bulk_insert(events)
    bulk_insert(visits)
    # created_at is auto_now_add: bulk_create stamps it with the wall clock,
    # so the rating's own time is put back afterwards.
    rated_at = [rating.created_at for rating in ratings]
    bulk_insert(ratings)
    for rating, at in zip(ratings, rated_at, strict=True):
        rating.created_at = at
    Rating.objects.bulk_update(ratings, ["created_at"], batch_size=SMALL_BATCH)
    return {
        "cases": len(cases),
        "case parties": len(parties),
        "case events": len(events),
        "case return visits": len(visits),
        "ratings": len(ratings),
    }
