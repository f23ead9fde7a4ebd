"""Coverage of the territory by posts and officers (SPEC §3, "Coverage").

Every figure is a correlated ``COUNT`` subquery per station, so
:func:`coverage` and :func:`coverage_by_station` each run one query whatever
the number of stations, areas, grids, posts, persons or assignments.
``docs/metrics.md`` ("Coverage") states the same definitions with a worked
example.
"""

import datetime
from dataclasses import dataclass, fields

from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grids.models import Area, Grid
from policing.metrics import Rate
from policing.querysets import per_row
from stations.models import Assignment, Person, Post, Station


@dataclass(frozen=True)
class Coverage:
    """The five coverage rates of SPEC §3 for a station or a set of them."""

    community_office_coverage: Rate
    rural_office_coverage: Rate
    workstation_coverage: Rate
    grid_officer_coverage: Rate
    post_officer_share: Rate


#: The rate names, in the order of SPEC §3 (the API's keys).
COVERAGE_RATES = tuple(field.name for field in fields(Coverage))

#: What each rate is called on a page.
COVERAGE_LABELS = {
    "community_office_coverage": _("Community office coverage"),
    "rural_office_coverage": _("Rural office coverage"),
    "workstation_coverage": _("Workstation coverage"),
    "grid_officer_coverage": _("One officer per grid"),
    "post_officer_share": _("Officers at posts"),
}

#: The target of each rate, None where the seeds give none. Kept apart from
#: :class:`Coverage`, whose API shape SPEC §4 fixes to numerator,
#: denominator and rate. Seed Hengshan: "警务室民警占派出所警力不低于40%".
TARGETS: dict[str, float | None] = {
    "community_office_coverage": None,
    "rural_office_coverage": None,
    "workstation_coverage": None,
    "grid_officer_coverage": None,
    "post_officer_share": 0.4,
}

#: rate name -> (numerator count, denominator count), the names of the
#: per-station counts computed by :func:`_counts` (:data:`COUNT_NAMES`).
_PARTS = {
    "community_office_coverage": ("communities_served", "communities"),
    "rural_office_coverage": ("villages_with_rural_office", "villages"),
    "workstation_coverage": ("villages_with_workstation", "villages"),
    "grid_officer_coverage": ("grids_with_officer", "grids"),
    "post_officer_share": ("officers_at_posts", "officers"),
}
COUNT_NAMES = tuple(dict.fromkeys(name for pair in _PARTS.values() for name in pair))


def coverage(
    *, stations: QuerySet[Station], on: datetime.date | None = None
) -> Coverage:
    """Return the coverage rates of ``stations`` taken together (SPEC §3).

    ``stations`` is one station or all the stations of a bureau; ``on`` is
    the day the assignments are judged on (default: today, local time).

    * ``community_office_coverage``: areas of kind community of the
      stations served by at least one post of kind ``community_office``,
      over those areas.
    * ``rural_office_coverage``: areas of kind village served by at least
      one ``rural_office``, over those villages.
    * ``workstation_coverage``: villages served by at least one
      ``workstation``, over those villages.
    * ``grid_officer_coverage``: grids of the stations' areas with an
      assignment of role ``responsible``, current on ``on``, of a person of
      kind ``officer``, over those grids ("一格一警"). An auxiliary or grid
      worker made responsible does not count: the rule asks for a police
      officer.
    * ``post_officer_share``: persons of kind ``officer`` of the stations
      with an assignment to a post (any kind, any role) current on ``on``,
      over the persons of kind ``officer`` of the stations, the chief
      included. For a bureau that is the officers of its stations:
      bureau-level staff (no station) are left out, because the seed's
      target is a share of the stations' strength (派出所警力) and a person
      without a station cannot be posted to a station's post.

    Current means ``start <= on <= end``, both days included, an empty
    ``end`` being open (``Assignment.objects.current``). Posts and the
    areas they serve have no dates: they are taken as they are now, and a
    person record counts whether or not it has an active login.
    Each area, grid and officer belongs to one station, so the figures are
    the sums of the stations' figures. Every area, grid or person counts
    once however many posts or assignments it has. A rate over an empty
    denominator is None, never an error. One query.
    """
    stations = Station.objects.filter(pk__in=stations.values("pk"))
    # The sums get names of their own: an aggregate named like the
    # annotation it sums makes Django drop that annotation from the query.
    totals = _counts(stations, on=on).aggregate(
        **{f"total_{name}": Sum(name, default=0) for name in COUNT_NAMES}
    )
    return coverage_of_counts({name: totals[f"total_{name}"] for name in COUNT_NAMES})


def coverage_by_station(
    stations: QuerySet[Station], *, on: datetime.date | None = None
) -> dict[int, Coverage]:
    """Return ``{station id: Coverage}`` for each of ``stations``.

    The definitions of :func:`coverage`, station by station, in code order;
    a station without areas, grids or officers gets rates of None. One
    query, whatever the number of stations.
    """
    counts = coverage_counts_by_station(stations, on=on)
    return {station: coverage_of_counts(row) for station, row in counts.items()}


def coverage_counts_by_station(
    stations: QuerySet[Station], *, on: datetime.date | None = None
) -> dict[int, dict[str, int]]:
    """Return ``{station id: {count name: count}}``, the counts behind the rates.

    The names are :data:`COUNT_NAMES`; stored by the nightly coverage
    snapshot, from which :func:`coverage_of_counts` rebuilds the rates.
    One query.
    """
    stations = Station.objects.filter(pk__in=stations.values("pk"))
    rows = _counts(stations, on=on).order_by("code", "pk").values("pk", *COUNT_NAMES)
    return {row.pop("pk"): row for row in rows}


def coverage_of_counts(counts: dict) -> Coverage:
    """Return the rates made of ``counts``, a mapping of :data:`COUNT_NAMES`."""
    return Coverage(
        **{
            rate: Rate.of(counts[numerator], counts[denominator])
            for rate, (numerator, denominator) in _PARTS.items()
        }
    )


def _counts(stations: QuerySet[Station], *, on: datetime.date | None) -> QuerySet:
    """Annotate each station with the counts the rates are made of."""
    on = on or timezone.localdate()
    current = Assignment.objects.current(on=on)
    communities = Area.objects.filter(kind=Area.Kind.COMMUNITY)
    villages = Area.objects.filter(kind=Area.Kind.VILLAGE)
    grids = Grid.objects.all()
    officers = Person.objects.officers()
    return stations.annotate(
        communities=per_row(communities, link="station"),
        communities_served=per_row(
            communities.filter(_served_by(Post.Kind.COMMUNITY_OFFICE)), link="station"
        ),
        villages=per_row(villages, link="station"),
        villages_with_rural_office=per_row(
            villages.filter(_served_by(Post.Kind.RURAL_OFFICE)), link="station"
        ),
        villages_with_workstation=per_row(
            villages.filter(_served_by(Post.Kind.WORKSTATION)), link="station"
        ),
        grids=per_row(grids, link="area__station"),
        grids_with_officer=per_row(
            grids.filter(
                Exists(
                    current.filter(
                        grid=OuterRef("pk"),
                        role=Assignment.Role.RESPONSIBLE,
                        person__kind=Person.Kind.OFFICER,
                    )
                )
            ),
            link="area__station",
        ),
        officers=per_row(officers, link="station"),
        officers_at_posts=per_row(
            officers.filter(
                Exists(current.filter(person=OuterRef("pk"), post__isnull=False))
            ),
            link="station",
        ),
    )


def _served_by(kind: str) -> Q:
    """Match an area served by at least one post of ``kind``.

    ``EXISTS`` rather than a join, so an area served by two posts of the
    kind counts once.
    """
    return Q(Exists(Post.objects.filter(kind=kind, serves=OuterRef("pk"))))
