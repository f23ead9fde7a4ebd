from celery import shared_task

from grids import services


@shared_task
def relocate_households(grid_ids: list[int]) -> dict[str, int]:
    """Move households into the grids covering them after boundaries changed."""
    return services.relocate_households(grid_ids=grid_ids)
