"""Demo field work: six full weeks and this one of visits, patrols, inspections.

Called by ``manage.py load_demo`` after the county exists. Every member of
staff the weekly quota tracks (SPEC §3) works towards the bureau's targets
with an effort of their own, so the dashboards show every colour: grid
teams differ (some keep well ahead, most work about to target, a few fall
behind), people differ within a team, a few are far behind whatever their
team does, and weeks differ a little. Staff posted only to a post (a kiosk
officer, a mediator) work in the grids it serves.

A week is planned whole and written up to yesterday: the current week shows
the progress made so far, and today's page starts empty for the person using
the demo. Rows are keyed by a ``client_uuid`` derived from the person, the
day and a counter, and written with ``bulk_create(ignore_conflicts=True)``,
so running the loader again on the same day adds nothing.
"""

import datetime
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from django.utils import timezone

from assessments.models import QuotaPolicy
from grids.models import Household, Resident
from policing.periods import IsoWeek
from stations.models import Assignment
from visits.models import Inspection, Patrol, Service, Venue, Visit

#: full weeks of work before the current one
WEEKS = 6
NAMESPACE = uuid.UUID("5b3c1a52-7a8e-4a52-9f4e-2a6a3b9f0c11")
VENUE_NAMES = {
    Venue.Kind.KTV: ["金嗓子KTV", "欢唱KTV", "星光KTV"],
    Venue.Kind.INTERNET_CAFE: ["极速网吧", "网鱼网咖", "星际网吧"],
    Venue.Kind.HOTEL: ["如家酒店", "锦江之星", "青山宾馆"],
    Venue.Kind.RESTAURANT: ["老街饭馆", "滇味餐厅", "过桥米线馆"],
    Venue.Kind.SHOP: ["百货商店", "五金店"],
    Venue.Kind.SCHOOL: ["中心小学", "第一中学"],
}

#: Grid teams as (share of the grids, lowest and highest effort as a share of
#: the weekly targets): well ahead, about on target, behind, and far behind
#: (a team short of staff or lent to a campaign).
TEAMS = ((0.2, 1.12, 1.4), (0.55, 0.9, 1.08), (0.17, 0.55, 0.8), (0.08, 0.1, 0.3))
#: how much a person's effort varies around their team's, and a week's
#: around the person's
PERSON_SPREAD = 0.1
WEEK_SPREAD = 0.08
#: share of people far behind whatever their team does, and their effort
BEHIND_SHARE = 0.06
BEHIND_EFFORT = (0.1, 0.4)
#: chance of working on Saturday and on Sunday, and of missing a working day
WEEKEND_WORK = (0.3, 0.1)
ABSENCE = 0.05
#: share of a week's visits that go back to a household already visited
REVISITS = 0.15
#: days a responsible officer ends with an evening patrol, and its length in
#: minutes at most (it starts by 20:00 and ends before midnight)
NIGHT_PATROLS = 0.3
EVENING_PATROL = 4 * 60


def load_field_work(*, seed: int, today: datetime.date | None = None) -> dict[str, int]:
    """Write the demo field work; return the number of rows of each kind."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    this_week = IsoWeek.containing(today)
    mondays = [
        this_week.monday - datetime.timedelta(weeks=n) for n in range(WEEKS, -1, -1)
    ]
    days = [
        mondays[0] + datetime.timedelta(n) for n in range((today - mondays[0]).days)
    ]

    workers = _workers(today)
    households = defaultdict(list)
    for pk, grid_id in Household.objects.values_list("pk", "grid_id").order_by("pk"):
        households[grid_id].append(pk)
    key_persons = defaultdict(list)  # grid id -> [(resident, household)]
    for pk, household_id, grid_id in (
        Resident.objects.filter(is_key_person=True)
        .values_list("pk", "household_id", "household__grid_id")
        .order_by("pk")
    ):
        key_persons[grid_id].append((pk, household_id))
    grid_ids = sorted({grid for worker in workers.values() for grid in worker.grids})
    targets = QuotaPolicy.targets_by_bureau(
        {worker.bureau for worker in workers.values()}
    )

    venues = _load_venues(rng, grid_ids)
    team_effort = _team_efforts(rng, grid_ids)
    rows = defaultdict(list)
    for person_id in sorted(workers):
        worker = workers[person_id]
        effort = team_effort[worker.grids[0]] * _around(rng, PERSON_SPREAD)
        if rng.random() < BEHIND_SHARE:
            effort = rng.uniform(*BEHIND_EFFORT)
        for monday in mondays:
            _plan_week(
                rows,
                rng,
                person_id=person_id,
                worker=worker,
                monday=monday,
                today=today,
                effort=effort * _around(rng, WEEK_SPREAD),
                targets=targets[worker.bureau],
                households=households,
                venues=venues,
            )
    for grid_id in grid_ids:
        officer = next(
            (
                pk
                for pk, worker in sorted(workers.items())
                if worker.responsible and grid_id in worker.grids
            ),
            None,
        )
        _plan_key_person_contacts(
            rows, rng, days, officer, key_persons[grid_id], grid_id
        )

    counts = {}
    for model in (Visit, Patrol, Inspection, Service):
        # Rows of an earlier run are left out before inserting: building the
        # INSERT of tens of thousands of rows costs more than reading keys.
        known = set(model.objects.values_list("client_uuid", flat=True))
        new = [row for row in rows[model] if row.client_uuid not in known]
        model.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        counts[model.__name__] = model.objects.count()
    counts["Venue"] = Venue.objects.count()
    return counts


@dataclass
class Worker:
    """A tracked member of staff: their bureau and the grids they work in."""

    bureau: int
    grids: list[int] = field(default_factory=list)
    #: responsible for a grid: inspects venues, meets key persons, patrols
    #: in the evening too
    responsible: bool = False


def _workers(today: datetime.date) -> dict[int, Worker]:
    """Return the staff the quota tracks today, with the grids they work in.

    Grid staff work in their grids; staff posted only to a post work in the
    grids of the areas it serves. Chiefs lead and are not tracked.
    """
    current = Assignment.objects.current(on=today).filter(
        person__station__isnull=False, person__is_chief=False
    )
    workers: dict[int, Worker] = {}
    for person_id, bureau_id, grid_id, role in (
        current.filter(grid__isnull=False)
        .values_list("person_id", "person__bureau_id", "grid_id", "role")
        .order_by("person_id", "grid_id")
    ):
        worker = workers.setdefault(person_id, Worker(bureau_id))
        worker.grids.append(grid_id)
        worker.responsible |= role == Assignment.Role.RESPONSIBLE
    post_grids = (
        current.filter(post__isnull=False, post__serves__grids__isnull=False)
        .exclude(person_id__in=list(workers))
        .values_list("person_id", "person__bureau_id", "post__serves__grids")
        .order_by("person_id", "post__serves__grids")
        .distinct()
    )
    for person_id, bureau_id, grid_id in post_grids:
        workers.setdefault(person_id, Worker(bureau_id)).grids.append(grid_id)
    return workers


def _team_efforts(rng: random.Random, grid_ids: list[int]) -> dict[int, float]:
    """Give each grid's team an effort, every kind of team its share of grids.

    Shares are dealt in a shuffled order rather than drawn, so that every kind
    of team is there whatever the seed, once the county has a dozen grids.
    """
    shuffled = rng.sample(grid_ids, len(grid_ids))
    bounds = list(accumulate(share for share, _low, _high in TEAMS))
    efforts = {}
    for index, grid_id in enumerate(shuffled):
        position = (index + 0.5) / len(shuffled)
        kind = next(k for k, bound in enumerate(bounds) if position < bound)
        _share, low, high = TEAMS[min(kind, len(TEAMS) - 1)]
        efforts[grid_id] = rng.uniform(low, high)
    return efforts


def _around(rng: random.Random, spread: float) -> float:
    return rng.uniform(1 - spread, 1 + spread)


def _at(
    rng: random.Random, day: datetime.date, start_hour: int, end_hour: int
) -> datetime.datetime:
    minutes = rng.randrange(start_hour * 60, end_hour * 60)
    return datetime.datetime.combine(
        day,
        datetime.time(minutes // 60, minutes % 60),
        tzinfo=timezone.get_current_timezone(),
    )


def _key(person_id: int, day: datetime.date, what: str, n: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{person_id}/{day.isoformat()}/{what}/{n}")


def _plan_week(
    rows, rng, *, person_id, worker, monday, today, effort, targets, households, venues
):
    """Plan one person's week at ``effort`` times the targets; keep the past.

    The week's distinct households, information items and patrol hours are
    drawn first and spread over its working days, so that a week cut short
    by today has the share of the work its days held. Every draw is made
    whatever today is, so a run later in the week plans the same week.
    """
    days = [monday + datetime.timedelta(n) for n in range(5)]
    for offset, chance in enumerate(WEEKEND_WORK, 5):
        if rng.random() < chance:
            days.append(monday + datetime.timedelta(offset))
    days = [day for day in days if rng.random() >= ABSENCE] or days[:1]
    pool = [(grid, pk) for grid in worker.grids for pk in households[grid]]
    if not pool:
        return
    wanted = min(len(pool), round(targets["household_visits"] * effort))
    stops = rng.sample(pool, wanted)
    stops += [rng.choice(stops) for _ in range(round(wanted * REVISITS * rng.random()))]
    info = [0] * len(stops)
    for _ in range(round(targets["info_items"] * effort * _around(rng, 0.05))):
        info[rng.randrange(len(stops))] += 1
    for n, ((grid_id, household_id), items) in enumerate(zip(stops, info, strict=True)):
        day = days[n % len(days)]
        visit = Visit(
            person_id=person_id,
            household_id=household_id,
            grid_id=grid_id,
            visited_at=_at(rng, day, 9, 18),
            kind=rng.choices(
                [Visit.Kind.ROUTINE, Visit.Kind.ANTI_FRAUD, Visit.Kind.SERVICE],
                weights=[8, 2, 1],
            )[0],
            info_items=items,
            client_uuid=_key(person_id, day, "visit", n),
        )
        if day < today:
            rows[Visit].append(visit)
    _plan_patrols(rows, rng, person_id, worker, days, today, effort, targets)
    for day in days:
        grid_id = rng.choice(worker.grids)
        inspect = worker.responsible and venues.get(grid_id) and rng.random() < 0.15
        if inspect and day < today:
            found = rng.choices([0, 1, 2, 3], weights=[5, 3, 1, 1])[0]
            rows[Inspection].append(
                Inspection(
                    person_id=person_id,
                    venue_id=rng.choice(venues[grid_id]),
                    inspected_at=_at(rng, day, 9, 17),
                    kind=rng.choice(Inspection.Kind.values),
                    hazards_found=found,
                    hazards_removed=rng.randint(0, found),
                    client_uuid=_key(person_id, day, "inspection", 0),
                )
            )
        if rng.random() < 0.3 and households[grid_id] and day < today:
            rows[Service].append(
                Service(
                    person_id=person_id,
                    grid_id=grid_id,
                    household_id=rng.choice(households[grid_id]),
                    served_at=_at(rng, day, 9, 17),
                    kind=rng.choice(Service.Kind.values),
                    quantity=rng.choice([1, 1, 1, 2, 3]),
                    client_uuid=_key(person_id, day, "service", 0),
                )
            )


def _plan_patrols(rows, rng, person_id, worker, days, today, effort, targets):
    """Spread the week's patrol hours over its working days.

    A long day is split into a morning and an afternoon patrol; responsible
    officers end some days with an evening patrol past 20:00 (seed: Qujing
    night patrols), other staff patrol in daylight. Every patrol ends before
    midnight, so yesterday's work is over by the time the demo is loaded.
    """
    hours = float(targets["patrol_hours"] * Decimal(str(effort))) * _around(rng, 0.05)
    shares = [rng.uniform(0.8, 1.2) for _ in days]
    for day, share in zip(days, shares, strict=True):
        minutes = round(hours * 60 * share / sum(shares))
        if worker.responsible and rng.random() < NIGHT_PATROLS:
            evening = min(minutes, EVENING_PATROL)
            parts = [(_at(rng, day, 19, 20), evening)]
            if minutes > evening:
                parts.insert(0, (_at(rng, day, 8, 10), minutes - evening))
        elif minutes > 5 * 60:
            half = minutes // 2
            parts = [
                (_at(rng, day, 8, 9), half),
                (_at(rng, day, 14, 15), minutes - half),
            ]
        else:
            parts = [(_at(rng, day, 8, 13), minutes)]
        grid_id = rng.choice(worker.grids)
        for n, (started, length) in enumerate(parts):
            if day >= today:
                continue
            rows[Patrol].append(
                Patrol(
                    person_id=person_id,
                    grid_id=grid_id,
                    started_at=started,
                    ended_at=started + datetime.timedelta(minutes=length),
                    client_uuid=_key(person_id, day, "patrol", n),
                )
            )


def _plan_key_person_contacts(rows, rng, days, officer, key_persons, grid_id):
    """Meet most key persons weekly, talk monthly, review quarterly; miss some."""
    if officer is None:
        return
    for index, (resident_id, household_id) in enumerate(key_persons):
        for day in days:
            contact = None
            if day.weekday() == 1 and rng.random() < 0.75:
                contact = Visit.Kind.KEY_PERSON_MEETING
            elif day.day == 10 and rng.random() < 0.8:
                contact = Visit.Kind.KEY_PERSON_TALK
            elif day.day == 20 and day.month % 3 == 1 and rng.random() < 0.8:
                contact = Visit.Kind.KEY_PERSON_REVIEW
            if contact:
                rows[Visit].append(
                    Visit(
                        person_id=officer,
                        household_id=household_id,
                        resident_id=resident_id,
                        grid_id=grid_id,
                        visited_at=_at(rng, day, 9, 17),
                        kind=contact,
                        info_items=rng.choice([0, 1, 1, 2]),
                        client_uuid=_key(officer, day, f"key/{index}", 0),
                    )
                )


def _load_venues(rng: random.Random, grid_ids: list[int]) -> dict[int, list[int]]:
    """Give every grid two or three supervised venues; return their ids."""
    venues = defaultdict(list)
    for grid_id in grid_ids:
        for n in range(rng.randint(2, 3)):
            kind = rng.choice(sorted(VENUE_NAMES))
            name = f"{rng.choice(VENUE_NAMES[kind])}({grid_id}-{n + 1})"
            venue, _created = Venue.objects.get_or_create(
                grid_id=grid_id, name=name, defaults={"kind": kind}
            )
            venues[grid_id].append(venue.pk)
    return venues
