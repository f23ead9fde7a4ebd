"""Scoped querysets of disputes: grid data, written by bureau, chief and field."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from policing.querysets import ScopedQuerySet
from policing.scope import Role

DISPUTE_WRITERS = frozenset({Role.BUREAU, Role.CHIEF, Role.FIELD})

#: statuses in which a dispute is still being handled
OPEN_STATUSES = ("reported", "accepted", "mediating")


class DisputePolicyQuerySet(ScopedQuerySet):
    bureau_field = "bureau"
    reference_data = True
    writers = frozenset({Role.BUREAU})  # SPEC §2: the bureau holds the policy


class DisputeQuerySet(ScopedQuerySet):
    bureau_field = "grid__area__station__bureau"
    station_field = "grid__area__station"
    grid_field = "grid"
    writers = DISPUTE_WRITERS

    def open(self):
        """Return disputes still being handled (reported, accepted, mediating)."""
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now=None):
        """Return disputes with a time limit passed and its step not done.

        First contact is due while a dispute is only reported, mediation
        while it is accepted (no session held yet), and the return visit
        while it is resolved without any return visit recorded.
        """
        return self.filter(self.overdue_condition(now))

    def annotate_overdue(self, now=None):
        """Annotate ``is_overdue``: whether :meth:`overdue` would return it."""
        return self.annotate(is_overdue=self.overdue_condition(now))

    def open_counts(self, now=None) -> dict[str, int]:
        """Count open disputes by colour and, as ``overdue``, the late ones.

        One query: the dashboards' dispute card.
        """
        colours = self.model._meta.get_field("colour").choices
        return self.aggregate(
            **{
                colour: Count("pk", filter=Q(status__in=OPEN_STATUSES, colour=colour))
                for colour, _label in colours
            },
            overdue=Count("pk", filter=self.overdue_condition(now)),
        )

    def overdue_condition(self, now=None) -> Q:
        now = now or timezone.now()
        return_visit = self.model._meta.apps.get_model("disputes", "ReturnVisit")
        visited = Exists(return_visit.objects.filter(dispute=OuterRef("pk")))
        return (
            Q(status="reported", first_contact_due__lt=now)
            | Q(status="accepted", mediation_due__lt=now)
            | (Q(status="resolved", return_visit_due__lt=now) & ~visited)
        )


class DisputeChildQuerySet(ScopedQuerySet):
    """Events and return visits: scoped through their dispute."""

    bureau_field = "dispute__grid__area__station__bureau"
    station_field = "dispute__grid__area__station"
    grid_field = "dispute__grid"
    writers = DISPUTE_WRITERS
