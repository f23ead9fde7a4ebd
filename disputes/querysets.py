"""Scoped querysets of disputes: grid data, written by bureau, chief and field."""

from django.apps import apps
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from policing.querysets import ScopedQuerySet
from policing.scope import Role

DISPUTE_WRITERS = frozenset({Role.BUREAU, Role.CHIEF, Role.FIELD})

#: statuses in which a dispute is still being handled
OPEN_STATUSES = ("reported", "accepted", "mediating")
#: The time-limited steps of the "346" mechanism, each with its due field.
SLA_STEPS = (
    ("first_contact", "first_contact_due"),
    ("mediation", "mediation_due"),
    ("return_visit", "return_visit_due"),
)


def _step_rows(step: str, **filters) -> Exists:
    """Whether the dispute has a session (``mediation``) or a return visit."""
    # The models import this module: look them up when called.
    model = apps.get_model(
        "disputes", "MediationSession" if step == "mediation" else "ReturnVisit"
    )
    return Exists(model.objects.filter(dispute=OuterRef("pk"), **filters))


def done(step: str) -> Q | Exists:
    """The condition under which ``step`` has been done, in time or not."""
    if step == "first_contact":
        return Q(accepted_at__isnull=False)
    return _step_rows(step)


def done_in_time(step: str) -> Q | Exists:
    """The condition under which ``step`` was done by its due time.

    "The earliest session (visit) is not after the due time" is the same as
    "some session (visit) is not after it", which ``EXISTS`` says directly.
    """
    if step == "first_contact":
        return Q(accepted_at__lte=F("first_contact_due"))
    if step == "mediation":
        return _step_rows(step, held_at__lte=OuterRef("mediation_due"))
    return _step_rows(step, visited_at__lte=OuterRef("return_visit_due"))


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

    def annotate_done_late(self):
        """Annotate ``<step>_done_late`` per step, and ``done_late``: any of them.

        Unlike ``is_overdue``, a missed time limit stays visible once the
        step is done: a late first contact is still late after acceptance,
        as it is in the SLA figure (``disputes.metrics``).
        """
        late = {
            f"{step}_done_late": done(step) & ~done_in_time(step)
            for step, _due in SLA_STEPS
        }
        return self.annotate(**late).annotate(
            done_late=Q(first_contact_done_late=True)
            | Q(mediation_done_late=True)
            | Q(return_visit_done_late=True)
        )

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
