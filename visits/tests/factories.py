import datetime
import uuid

import factory
from django.utils import timezone

from grids.tests.factories import GridFactory, HouseholdFactory
from stations.tests.factories import PersonFactory
from visits.models import Inspection, Patrol, Service, Venue, Visit


def local(year, month, day, hour=0, minute=0) -> datetime.datetime:
    """Return an aware datetime in the project's local time zone."""
    naive = datetime.datetime(year, month, day, hour, minute)  # noqa: DTZ001
    return timezone.make_aware(naive)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    person = factory.SubFactory(PersonFactory)
    household = factory.SubFactory(HouseholdFactory)
    grid = factory.LazyAttribute(lambda v: v.household.grid)
    visited_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(hours=1)
    )
    kind = Visit.Kind.ROUTINE
    info_items = 1
    client_uuid = factory.LazyFunction(uuid.uuid4)


class PatrolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patrol

    person = factory.SubFactory(PersonFactory)
    grid = factory.SubFactory(GridFactory)
    started_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(hours=3)
    )
    ended_at = factory.LazyAttribute(
        lambda p: p.started_at + datetime.timedelta(hours=2)
    )
    client_uuid = factory.LazyFunction(uuid.uuid4)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"星光KTV{n}")
    kind = Venue.Kind.KTV
    grid = factory.SubFactory(GridFactory)


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    person = factory.SubFactory(PersonFactory)
    venue = factory.SubFactory(VenueFactory)
    inspected_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(hours=2)
    )
    kind = Inspection.Kind.SECURITY
    hazards_found = 2
    hazards_removed = 1
    client_uuid = factory.LazyFunction(uuid.uuid4)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    person = factory.SubFactory(PersonFactory)
    grid = factory.SubFactory(GridFactory)
    served_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(hours=2)
    )
    kind = Service.Kind.ID_CARD_DELIVERED
    quantity = 1
    client_uuid = factory.LazyFunction(uuid.uuid4)
