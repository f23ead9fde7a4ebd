"""Demo field work: six weeks of visits, patrols, inspections and services.

Called by ``manage.py load_demo`` after the county exists. Rows are keyed by
a ``client_uuid`` derived from the person, the day and a counter, and written
with ``bulk_create(ignore_conflicts=True)``, so running the loader again on
the same day adds nothing. Work is generated up to yesterday: today's page
starts empty for the person using the demo.
"""

import datetime
import random
import uuid
from collections import defaultdict

from django.utils import timezone

from grids.models import Household, Resident
from stations.models import Assignment
from visits.models import Inspection, Patrol, Service, Venue, Visit

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


def load_field_work(*, seed: int, today: datetime.date | None = None) -> dict[str, int]:
    """Write the demo field work; return the number of rows of each kind."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    first_day = today - datetime.timedelta(weeks=WEEKS)
    days = [first_day + datetime.timedelta(n) for n in range((today - first_day).days)]

    grid_staff = defaultdict(list)  # grid id -> [(person, role)]
    for assignment in Assignment.objects.current(on=today).filter(grid__isnull=False):
        grid_staff[assignment.grid_id].append((assignment.person_id, assignment.role))
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

    venues = _load_venues(rng, sorted(grid_staff))
    rows = defaultdict(list)
    for grid_id in sorted(grid_staff):
        for person_id, role in sorted(grid_staff[grid_id]):
            responsible = role == Assignment.Role.RESPONSIBLE
            for day in days:
                if day.weekday() >= 5 and rng.random() < 0.7:
                    continue  # most weekends off
                _plan_day(
                    rows,
                    rng,
                    day=day,
                    person_id=person_id,
                    grid_id=grid_id,
                    responsible=responsible,
                    households=households[grid_id],
                    venues=venues.get(grid_id, []),
                )
        _plan_key_person_contacts(
            rows, rng, days, grid_staff[grid_id], key_persons[grid_id], grid_id
        )

    counts = {}
    for model in (Visit, Patrol, Inspection, Service):
        model.objects.bulk_create(rows[model], batch_size=1000, ignore_conflicts=True)
        counts[model.__name__] = model.objects.count()
    counts["Venue"] = Venue.objects.count()
    return counts


def _at(
    rng: random.Random, day: datetime.date, start_hour: int, end_hour: int
) -> datetime.datetime:
    minutes = rng.randrange(start_hour * 60, end_hour * 60)
    naive = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60))
    return timezone.make_aware(naive)


def _key(person_id: int, day: datetime.date, what: str, n: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{person_id}/{day.isoformat()}/{what}/{n}")


def _plan_day(rows, rng, *, day, person_id, grid_id, responsible, households, venues):
    """Plan one working day: visits, maybe a patrol, an inspection, a service."""
    if not households:
        return
    # Seed (Qujing): a grid officer visits about 20 households a week and
    # patrols 28 hours; grid workers visit fewer and patrol in the daytime.
    visits = rng.randint(3, 6) if responsible else rng.randint(0, 2)
    for n in range(visits):
        rows[Visit].append(
            Visit(
                person_id=person_id,
                household_id=rng.choice(households),
                grid_id=grid_id,
                visited_at=_at(rng, day, 9, 18),
                kind=rng.choices(
                    [Visit.Kind.ROUTINE, Visit.Kind.ANTI_FRAUD, Visit.Kind.SERVICE],
                    weights=[8, 2, 1],
                )[0],
                info_items=rng.choices([0, 1, 2, 3], weights=[3, 4, 2, 1])[0],
                client_uuid=_key(person_id, day, "visit", n),
            )
        )
    if rng.random() < (0.8 if responsible else 0.4):
        night = responsible and rng.random() < 0.3
        started = _at(rng, day, 20, 22) if night else _at(rng, day, 8, 15)
        hours = rng.choice([2, 3, 4, 5, 6]) if responsible else rng.choice([1, 2])
        rows[Patrol].append(
            Patrol(
                person_id=person_id,
                grid_id=grid_id,
                started_at=started,
                ended_at=started
                + datetime.timedelta(hours=hours, minutes=rng.randrange(60)),
                client_uuid=_key(person_id, day, "patrol", 0),
            )
        )
    if venues and responsible and rng.random() < 0.15:
        found = rng.choices([0, 1, 2, 3], weights=[5, 3, 1, 1])[0]
        rows[Inspection].append(
            Inspection(
                person_id=person_id,
                venue_id=rng.choice(venues),
                inspected_at=_at(rng, day, 9, 17),
                kind=rng.choice(Inspection.Kind.values),
                hazards_found=found,
                hazards_removed=rng.randint(0, found),
                client_uuid=_key(person_id, day, "inspection", 0),
            )
        )
    if rng.random() < 0.3:
        rows[Service].append(
            Service(
                person_id=person_id,
                grid_id=grid_id,
                household_id=rng.choice(households),
                served_at=_at(rng, day, 9, 17),
                kind=rng.choice(Service.Kind.values),
                quantity=rng.choice([1, 1, 1, 2, 3]),
                client_uuid=_key(person_id, day, "service", 0),
            )
        )


def _plan_key_person_contacts(rows, rng, days, staff, key_persons, grid_id):
    """Meet most key persons weekly, talk monthly, review quarterly; miss some."""
    officer = next((pk for pk, role in sorted(staff) if role == "responsible"), None)
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
