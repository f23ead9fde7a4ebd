"""Writes on the territory that span several rows."""

from django.db.models import Q
from shapely import STRtree

from grids.models import Grid, Household
from policing import geometry
from policing.celery import enqueue_on_commit


def relocate_households(*, grid_ids: list[int]) -> dict[str, int]:
    """Move households into the grid that covers their location now.

    Run after grid boundaries change: households of the changed grids and of
    their neighbours (grids whose bounding boxes overlap) are checked. A
    household whose point now lies in no grid keeps its grid, and is counted
    as ``outside`` so that the change can be reviewed. Return the counts.
    """
    boxes = Grid.objects.filter(pk__in=grid_ids).values_list(
        "min_lon", "min_lat", "max_lon", "max_lat"
    )
    neighbourhood = Q(pk__in=[])
    for min_lon, min_lat, max_lon, max_lat in boxes:
        neighbourhood |= Q(
            min_lon__lte=max_lon,
            max_lon__gte=min_lon,
            min_lat__lte=max_lat,
            max_lat__gte=min_lat,
        )
    nearby = list(Grid.objects.filter(neighbourhood).values_list("pk", "boundary"))
    if not nearby:
        return {"checked": 0, "moved": 0, "outside": 0}
    tree = STRtree([geometry.to_shape(boundary) for _pk, boundary in nearby])
    households = Household.objects.filter(
        grid__in=[pk for pk, _boundary in nearby], location__isnull=False
    ).only("pk", "grid_id", "location")
    moved, outside, checked = [], 0, 0
    for household in households:
        checked += 1
        hits = tree.query(geometry.to_shape(household.location), predicate="covered_by")
        if len(hits) == 0:
            outside += 1
            continue
        grid_id = min(nearby[i][0] for i in hits)
        if grid_id != household.grid_id:
            household.grid_id = grid_id
            moved.append(household)
    Household.objects.bulk_update(moved, ["grid"], batch_size=500)
    return {"checked": checked, "moved": len(moved), "outside": outside}


def schedule_relocation(grid: Grid) -> None:
    """Relocate households around ``grid`` once the current transaction commits."""
    from grids import tasks

    enqueue_on_commit(tasks.relocate_households, [grid.pk])
