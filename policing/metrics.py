"""Shapes shared by the apps' read-side metrics."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Rate:
    """A share, maybe against a target; ``rate`` and ``met`` are None without data.

    ``target`` and ``met`` are None too for a figure the seeds give no
    target for (clearance, coverage); an API whose shape has no target
    leaves them out.
    """

    numerator: int
    denominator: int
    rate: float | None
    target: float | None = None
    met: bool | None = None

    @classmethod
    def of(
        cls, numerator: int, denominator: int, *, target: float | None = None
    ) -> "Rate":
        """Return ``numerator / denominator`` rounded half up to 4 decimals.

        ``met`` compares the reported (rounded) rate with ``target``, so a
        figure can be checked by hand. A denominator of 0 (a station without
        villages, a month without return visits) gives no rate and no
        verdict rather than a rate of 0 or 1: there is nothing to count.
        """
        if not denominator:
            return cls(numerator, denominator, None, target, None)
        exact = Decimal(numerator) / Decimal(denominator)
        rate = float(exact.quantize(RATE_PLACES, rounding=ROUND_HALF_UP))
        met = None if target is None else rate >= target
        return cls(numerator, denominator, rate, target, met)
