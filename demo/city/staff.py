"""Stage 3 of the city: staff, and their dated assignments over the year."""

import datetime
import random

from demo.city.shared import (
    City,
    GridPlan,
    PersonPlan,
    PostPlan,
    Span,
    bulk_insert,
)
from demo.common import name as draw_name
from demo.common import phone as draw_phone
from stations.models import Assignment, Person, Post


def create_staff(city: City) -> dict[str, int]:
    """Staff every grid and post, with a year of moves, and write it.

    Per grid: a responsible officer and one or two auxiliaries or grid
    workers (about 1.5); per station a chief, a kiosk officer and a
    mediator; and some bureau staff. Postings began before the year. During
    the year about 5% of officers swap grids with another of their station,
    and about 6% of helpers leave and are replaced: the old assignment ends
    the day before the new one starts, so every grid keeps exactly one
    responsible officer every day. A grid officer's posts follow their grid.
    """
    rng = city.rng("staff")
    days = city.days
    year_first, year_last = days[0].toordinal(), days[-1].toordinal()
    badges: set[str] = set()

    def person(kind: str, station: int | None, *, is_chief: bool = False):
        male = rng.random() < (0.8 if kind == Person.Kind.OFFICER else 0.55)
        plan = PersonPlan(
            kind=kind,
            station=station,
            name=draw_name(rng, female=not male),
            phone=draw_phone(rng),
            badge=draw_badge(rng, badges)
            if kind in (Person.Kind.OFFICER, Person.Kind.AUXILIARY)
            else "",
            is_chief=is_chief,
            diligence=rng.uniform(0.6, 1.3),
        )
        city.persons.append(plan)
        return plan

    post_spans: list[tuple[PostPlan, Span]] = []
    for station in range(city.size.stations):
        person(Person.Kind.OFFICER, station, is_chief=True)
        kiosk = next(
            p for p in city.posts if p.station == station and p.kind == Post.Kind.KIOSK
        )
        started = year_first - rng.randint(30, 1500)
        kiosk_officer = person(Person.Kind.OFFICER, station)
        post_spans.append(
            (kiosk, Span(kiosk_officer, Assignment.Role.RESPONSIBLE, started, None))
        )
        mediator = person(Person.Kind.MEDIATOR, station)
        city.mediators[station] = mediator
        first_office = next(
            p
            for p in city.posts
            if p.station == station and p.kind == Post.Kind.COMMUNITY_OFFICE
        )
        post_spans.append(
            (first_office, Span(mediator, Assignment.Role.ASSISTANT, started, None))
        )
    for grid in city.grids:
        started = year_first - rng.randint(30, 1500)
        officer = person(Person.Kind.OFFICER, grid.station)
        grid.spans.append(Span(officer, Assignment.Role.RESPONSIBLE, started, None))
        for _ in range(rng.choice((1, 2))):
            kind = (
                Person.Kind.AUXILIARY if rng.random() < 0.4 else Person.Kind.GRID_WORKER
            )
            helper = person(kind, grid.station)
            grid.spans.append(Span(helper, Assignment.Role.ASSISTANT, started, None))
    for _ in range(city.size.bureau_staff):
        person(Person.Kind.OFFICER, None)

    def move_day() -> int:
        # Not in the first or last fortnight, so both sides show in a month.
        return rng.randint(year_first + 14, year_last - 14)

    for station in range(city.size.stations):
        grids = [g for g in city.grids if g.station == station]
        rng.shuffle(grids)
        swaps = max(1, round(len(grids) * 0.05 / 2))
        for left, right in zip(
            grids[0 : 2 * swaps : 2], grids[1 : 2 * swaps : 2], strict=True
        ):
            swap_officers(left, right, move_day())
        helpers = [
            (grid, span)
            for grid in sorted(grids, key=lambda g: g.index)
            for span in grid.spans
            if span.role == Assignment.Role.ASSISTANT
        ]
        for grid, span in rng.sample(helpers, max(1, round(len(helpers) * 0.06))):
            day = move_day()
            span.last = day - 1
            newcomer = person(span.person.kind, station)
            grid.spans.append(Span(newcomer, Assignment.Role.ASSISTANT, day, None))
    for post in city.posts:
        for grid_index in post.staffed_from:
            for span in city.grids[grid_index].spans:
                if span.role == Assignment.Role.RESPONSIBLE:
                    # The officer of the host area's first grid runs the post.
                    lead = grid_index == post.staffed_from[0]
                    role = (
                        Assignment.Role.RESPONSIBLE
                        if lead
                        else Assignment.Role.ASSISTANT
                    )
                    post_spans.append(
                        (post, Span(span.person, role, span.first, span.last))
                    )
    return write_staff(city, post_spans)


def draw_badge(rng: random.Random, used: set[str]) -> str:
    while (badge := str(rng.randint(100000, 999999))) in used:
        pass
    used.add(badge)
    return badge


def swap_officers(left: GridPlan, right: GridPlan, day: int) -> None:
    """Swap the responsible officers of two grids from ``day`` on."""
    old_left = left.responsible_on(day)
    old_right = right.responsible_on(day)
    for grid, leaving, arriving in (
        (left, old_left, old_right),
        (right, old_right, old_left),
    ):
        for span in grid.spans:
            if span.person is leaving and span.last is None:
                span.last = day - 1
        grid.spans.append(Span(arriving, Assignment.Role.RESPONSIBLE, day, None))


def write_staff(city: City, post_spans: list[tuple[PostPlan, Span]]) -> dict[str, int]:
    bureau = city.bureau
    persons = bulk_insert(
        [
            Person(
                name=plan.name,
                kind=plan.kind,
                bureau=bureau,
                station=None if plan.station is None else city.stations[plan.station],
                is_chief=plan.is_chief,
                badge_number=plan.badge,
                phone=plan.phone,
            )
            for plan in city.persons
        ]
    )
    for plan, person in zip(city.persons, persons, strict=True):
        plan.id = person.pk

    def day(ordinal: int | None) -> datetime.date | None:
        return None if ordinal is None else datetime.date.fromordinal(ordinal)

    assignments = [
        Assignment(
            person_id=span.person.id,
            grid_id=grid.id,
            role=span.role,
            start=day(span.first),
            end=day(span.last),
        )
        for grid in city.grids
        for span in grid.spans
    ]
    assignments += [
        Assignment(
            person_id=span.person.id,
            post_id=post.id,
            role=span.role,
            start=day(span.first),
            end=day(span.last),
        )
        for post, span in post_spans
    ]
    bulk_insert(assignments)
    return {"persons": len(persons), "assignments": len(assignments)}
