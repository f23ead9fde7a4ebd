"""Stages 6 and 7 of the city: a year of household visits, then of patrols."""

import datetime
import random

from demo.city.shared import (
    BATCH,
    City,
    Sampler,
    new_uuid,
    stochastic_round,
)
from grids.models import Resident
from policing.periods import local_midnight
from stations.models import Person
from visits.models import Patrol, Visit

#
# How field work is spread over the year
#

#: visits per weekday, Monday first: weekends are quiet
VISIT_DAY_FACTORS = (1.05, 1.05, 1.0, 1.0, 0.95, 0.35, 0.25)
PATROL_DAY_FACTORS = (1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.7)
#: local hour of a visit -> weight: office hours, a lunch break, some evenings
VISIT_HOURS = {
    8: 4,
    9: 10,
    10: 12,
    11: 9,
    12: 2,
    13: 3,
    14: 8,
    15: 10,
    16: 10,
    17: 7,
    18: 3,
    19: 4,
    20: 2,
}
# Seed (Qujing): a grid officer visits about 20 households a week; helpers
# visit far fewer. Relative weights per working day.
VISIT_WEIGHTS = {
    Person.Kind.OFFICER: 1.0,
    Person.Kind.AUXILIARY: 0.35,
    Person.Kind.GRID_WORKER: 0.3,
}
PATROL_WEIGHTS = {
    Person.Kind.OFFICER: 1.0,
    Person.Kind.AUXILIARY: 1.0,
    Person.Kind.GRID_WORKER: 0.3,
}
#: staff who patrol at night; grid workers patrol in daylight only
NIGHT_PATROLLERS = (Person.Kind.OFFICER, Person.Kind.AUXILIARY)
NIGHT_PATROL_SHARE = 0.2
#: patrol length in hours -> weight
PATROL_HOURS = {1: 2, 2: 4, 3: 3, 4: 1}
#: a working day missed to leave, training or sickness
ABSENCE = 0.08
VISIT_KINDS = {
    Visit.Kind.ROUTINE: 75,
    Visit.Kind.ANTI_FRAUD: 12,
    Visit.Kind.SERVICE: 8,
    Visit.Kind.DISPUTE_FOLLOW_UP: 3,
    Visit.Kind.CASE_RETURN_VISIT: 2,
}
INFO_ITEMS = {0: 3, 1: 4, 2: 2, 3: 1}
# Seed (Qujing) key-person regime: meet weekly, talk monthly, review
# quarterly; some contacts are missed, so the overdue lists are not empty.
KEY_PERSON_MEETING_KEPT = 0.8
KEY_PERSON_TALK_KEPT = 0.85
KEY_PERSON_REVIEW_KEPT = 0.9


#
# Stage 6: visits
#


def create_visits(city: City) -> dict[str, int]:
    """Write a year of household visits, day by day as they would accrue.

    Key persons are met weekly, talked to monthly and reviewed quarterly by
    their grid's responsible officer (seed: Qujing), most of the time. The
    rest of the yearly total are routine visits by whoever is posted to the
    grid that day, in proportion to their kind, diligence and the weekday,
    at daytime hours, each to a household of that grid.
    """
    rng = city.rng("visits")
    days = city.days
    ordinals = [day.toordinal() for day in days]
    midnights = [local_midnight(day) for day in days]
    contacts = plan_key_person_contacts(rng, city, days)
    planned_contacts = sum(len(c) for c in contacts)
    routine = max(0, city.size.visits - planned_contacts)
    factors = [VISIT_DAY_FACTORS[day.weekday()] for day in days]
    weight_days = weighted_person_days(city, ordinals, factors, VISIT_WEIGHTS)
    per_weight = routine / (weight_days * (1 - ABSENCE)) if weight_days else 0.0
    hours, kinds, items = (
        Sampler(VISIT_HOURS),
        Sampler(VISIT_KINDS),
        Sampler(INFO_ITEMS),
    )
    fields = (
        "person_id",
        "household_id",
        "grid_id",
        "resident_id",
        "visited_at",
        "kind",
        "info_items",
        "client_uuid",
        "created_at",
        "notes",
    )
    batch: list[tuple] = []
    written = 0

    def visit_at(day_index: int) -> datetime.datetime:
        seconds = hours.draw(rng) * 3600 + rng.randrange(3600)
        return midnights[day_index] + datetime.timedelta(seconds=seconds)

    for day_index, ordinal in enumerate(ordinals):
        for grid in city.grids:
            households = grid.households
            for span in grid.spans:
                if not span.covers(ordinal) or rng.random() < ABSENCE:
                    continue
                mean = (
                    per_weight
                    * VISIT_WEIGHTS[span.person.kind]
                    * span.person.diligence
                    * factors[day_index]
                )
                for _ in range(stochastic_round(rng, mean * (0.5 + rng.random()))):
                    at = visit_at(day_index)
                    batch.append(
                        (
                            span.person.id,
                            households[int(rng.random() * len(households))],
                            grid.id,
                            None,
                            at,
                            kinds.draw(rng),
                            items.draw(rng),
                            new_uuid(rng),
                            at,
                            "",
                        )
                    )
        for grid_index, resident_id, household_id, kind in contacts[day_index]:
            grid = city.grids[grid_index]
            officer = grid.responsible_on(ordinal)
            at = visit_at(day_index)
            batch.append(
                (
                    officer.id,
                    household_id,
                    grid.id,
                    resident_id,
                    at,
                    kind,
                    items.draw(rng),
                    new_uuid(rng),
                    at,
                    "",
                )
            )
        if len(batch) >= BATCH:
            city.writer.insert(Visit, fields, batch)
            written += len(batch)
            batch.clear()
    city.writer.insert(Visit, fields, batch)
    written += len(batch)
    return {"visits": written, "key-person contacts": planned_contacts}


def weighted_person_days(
    city: City, ordinals: list[int], factors: list[float], weights: dict[str, float]
) -> float:
    """Sum weight * diligence * day factor over every posted person-day."""
    prefix = [0.0]
    for factor in factors:
        prefix.append(prefix[-1] + factor)
    first_ordinal = ordinals[0]
    total = 0.0
    for grid in city.grids:
        for span in grid.spans:
            weight = weights.get(span.person.kind, 0.0)
            start = max(span.first - first_ordinal, 0)
            last = len(ordinals) - 1 if span.last is None else span.last - first_ordinal
            end = min(last, len(ordinals) - 1) + 1
            if weight and end > start:
                total += weight * span.person.diligence * (prefix[end] - prefix[start])
    return total


def plan_key_person_contacts(
    rng: random.Random, city: City, days: list[datetime.date]
) -> list[list[tuple[int, int, int, str]]]:
    """Return, per day, the key-person contacts as (grid, resident, household, kind).

    Each key person has a weekday for meetings and a day of the month for
    talks; quarterly reviews fall on that day in January, April, July and
    October.
    """
    grid_of = {plan.id: plan.index for plan in city.grids}
    key_persons = (
        Resident.objects.filter(
            household__grid__area__station__bureau=city.bureau, is_key_person=True
        )
        .order_by("pk")
        .values_list("pk", "household_id", "household__grid_id")
    )
    contacts: list[list[tuple[int, int, int, str]]] = [[] for _ in days]
    for resident_id, household_id, grid_id in key_persons:
        weekday, day_of_month = rng.randrange(5), rng.randint(1, 28)
        for day_index, day in enumerate(days):
            kind = None
            if day.weekday() == weekday and rng.random() < KEY_PERSON_MEETING_KEPT:
                kind = Visit.Kind.KEY_PERSON_MEETING
            elif day.day == day_of_month:
                if day.month % 3 == 1 and rng.random() < KEY_PERSON_REVIEW_KEPT:
                    kind = Visit.Kind.KEY_PERSON_REVIEW
                elif rng.random() < KEY_PERSON_TALK_KEPT:
                    kind = Visit.Kind.KEY_PERSON_TALK
            if kind:
                contacts[day_index].append(
                    (grid_of[grid_id], resident_id, household_id, kind)
                )
    return contacts


#
# Stage 7: patrols
#


def create_patrols(city: City) -> dict[str, int]:
    """Write a year of patrols: mostly daytime, about 20% at night.

    A night patrol overlaps 20:00-06:00 (seed: Qujing); only officers and
    auxiliaries take them. A day patrol ends before 20:00.
    """
    rng = city.rng("patrols")
    days = city.days
    ordinals = [day.toordinal() for day in days]
    midnights = [local_midnight(day) for day in days]
    factors = [PATROL_DAY_FACTORS[day.weekday()] for day in days]
    weight_days = weighted_person_days(city, ordinals, factors, PATROL_WEIGHTS)
    night_weights = {kind: PATROL_WEIGHTS[kind] for kind in NIGHT_PATROLLERS}
    night_weight_days = weighted_person_days(city, ordinals, factors, night_weights)
    per_weight = city.size.patrols / (weight_days * (1 - ABSENCE)) if weight_days else 0
    night_chance = (
        min(1.0, NIGHT_PATROL_SHARE * weight_days / night_weight_days)
        if night_weight_days
        else 0.0
    )
    lengths = Sampler(PATROL_HOURS)
    fields = (
        "person_id",
        "grid_id",
        "started_at",
        "ended_at",
        "client_uuid",
        "created_at",
        "notes",
    )
    batch: list[tuple] = []
    written = nights = 0
    for day_index, ordinal in enumerate(ordinals):
        for grid in city.grids:
            for span in grid.spans:
                if not span.covers(ordinal) or rng.random() < ABSENCE:
                    continue
                kind = span.person.kind
                mean = (
                    per_weight
                    * PATROL_WEIGHTS.get(kind, 0.0)
                    * span.person.diligence
                    * factors[day_index]
                )
                for _ in range(stochastic_round(rng, mean)):
                    minutes = lengths.draw(rng) * 60 + rng.randrange(-20, 40)
                    night = kind in NIGHT_PATROLLERS and rng.random() < night_chance
                    if night:
                        nights += 1
                        # Most night patrols start in the evening, some
                        # after midnight.
                        start = (
                            rng.randrange(20 * 60, 24 * 60)
                            if rng.random() < 0.7
                            else rng.randrange(0, 4 * 60)
                        )
                    else:
                        start = rng.randrange(7 * 60, 20 * 60 - minutes)
                    started = midnights[day_index] + datetime.timedelta(
                        minutes=start, seconds=rng.randrange(60)
                    )
                    # Nothing ends after the generated "now".
                    ended = min(started + datetime.timedelta(minutes=minutes), city.now)
                    batch.append(
                        (
                            span.person.id,
                            grid.id,
                            started,
                            ended,
                            new_uuid(rng),
                            started,
                            "",
                        )
                    )
        if len(batch) >= BATCH:
            city.writer.insert(Patrol, fields, batch)
            written += len(batch)
            batch.clear()
    city.writer.insert(Patrol, fields, batch)
    written += len(batch)
    return {"patrols": written, "night patrols": nights}
