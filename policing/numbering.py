"""Running numbers of documents (case numbers, agreement numbers)."""

from django.db.models import Max, QuerySet


def next_number(issued: QuerySet, prefix: str, *, width: int) -> str:
    """Return ``prefix`` with the number after the highest one issued.

    The highest, not the count: a deleted document leaves a gap rather than
    a duplicate. Callers lock a row (the station's) so that two writers do
    not read the same highest number.
    """
    highest = issued.aggregate(highest=Max("number"))["highest"]
    last = int(highest[len(prefix) :]) if highest else 0
    return f"{prefix}{last + 1:0{width}d}"
