"""Quota policy and assessments of the bureau."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.querysets import QuotaPolicyQuerySet
from stations.models import audited

# Seed: Qujing - weekly patrol >= 28 h, >= 20 households visited, >= 20
# information items, and >= 1 day a week working inside the grid.
DEFAULT_TARGETS = {
    "household_visits": 20,
    "info_items": 20,
    "patrol_hours": Decimal("28.00"),
    "grid_days": 1,
}


@audited
class QuotaPolicy(models.Model):
    """A bureau's weekly quota targets (SPEC §3); SPEC defaults when absent."""

    bureau = models.OneToOneField(
        "stations.Bureau",
        models.CASCADE,
        related_name="quota_policy",
        verbose_name=_("bureau"),
    )
    household_visits = models.PositiveIntegerField(
        _("households visited per week"),
        default=DEFAULT_TARGETS["household_visits"],
        validators=[MinValueValidator(1)],
    )
    info_items = models.PositiveIntegerField(
        _("information items per week"),
        default=DEFAULT_TARGETS["info_items"],
        validators=[MinValueValidator(1)],
    )
    patrol_hours = models.DecimalField(
        _("patrol hours per week"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_TARGETS["patrol_hours"],
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    grid_days = models.PositiveSmallIntegerField(
        _("days in the grid per week"),
        default=DEFAULT_TARGETS["grid_days"],
        validators=[MinValueValidator(1)],
    )

    objects = QuotaPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("quota policy")
        verbose_name_plural = _("quota policies")

    def __str__(self):
        return str(self.bureau)

    def targets(self) -> dict[str, int | Decimal]:
        return {name: getattr(self, name) for name in DEFAULT_TARGETS}

    @classmethod
    def targets_by_bureau(cls, bureau_ids) -> dict[int, dict]:
        """Return the targets of each bureau, SPEC defaults where none is stored."""
        stored = {
            p.bureau_id: p.targets()
            for p in cls.objects.filter(bureau_id__in=bureau_ids)
        }
        return {pk: stored.get(pk, dict(DEFAULT_TARGETS)) for pk in bureau_ids}
