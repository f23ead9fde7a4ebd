"""Read-side computations of field work: the key-person contact regime."""

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from grids.models import Resident
from policing.periods import IsoWeek, local_midnight
from visits.models import Visit

#: contact kind -> how often it is due (seed, Qujing: "周见面、月谈话、季考核")
MEETING, TALK, REVIEW = (
    Visit.Kind.KEY_PERSON_MEETING,
    Visit.Kind.KEY_PERSON_TALK,
    Visit.Kind.KEY_PERSON_REVIEW,
)


@dataclass(frozen=True)
class DueContact:
    resident_id: int
    resident_name: str
    category: str
    household_id: int
    address: str
    kind: str  # a Visit.Kind value
    last_contact: datetime.datetime | None

    @property
    def kind_label(self) -> str:
        return Visit.Kind(self.kind).label


def period_starts(today: datetime.date) -> dict[str, datetime.datetime]:
    """Return when the current week, month and quarter began, local time."""
    quarter_month = 3 * ((today.month - 1) // 3) + 1
    return {
        MEETING: IsoWeek.containing(today).start,
        TALK: local_midnight(today.replace(day=1)),
        REVIEW: local_midnight(today.replace(month=quarter_month, day=1)),
    }


def key_person_contacts_due(
    *, residents: QuerySet[Resident], today: datetime.date | None = None
) -> list[DueContact]:
    """Return the key-person contacts not yet made in the current period.

    Seed (Qujing): a key person is met weekly, talked to monthly and reviewed
    quarterly. A contact is due when no visit of that kind with the resident
    happened since the current ISO week, calendar month or calendar quarter
    began; a resident never contacted is due for all three. One query.
    """
    today = today or timezone.localdate()
    starts = period_starts(today)
    # One subquery per kind reads a single index entry per key person
    # (visits by resident, kind and time) where a join would read all of
    # their visits.
    rows = (
        residents.filter(is_key_person=True)
        .annotate(
            **{
                f"last_{kind}": Subquery(
                    Visit.objects.filter(resident=OuterRef("pk"), kind=kind)
                    .order_by("-visited_at")
                    .values("visited_at")[:1]
                )
                for kind in starts
            }
        )
        .values(
            "pk",
            "name",
            "key_person_category",
            "household_id",
            "household__address",
            *(f"last_{kind}" for kind in starts),
        )
        .order_by("household__address", "name")
    )
    due = []
    for row in rows:
        for kind, start in starts.items():
            last = row[f"last_{kind}"]
            if last is None or last < start:
                due.append(
                    DueContact(
                        resident_id=row["pk"],
                        resident_name=row["name"],
                        category=row["key_person_category"],
                        household_id=row["household_id"],
                        address=row["household__address"],
                        kind=kind,
                        last_contact=last,
                    )
                )
    return due
