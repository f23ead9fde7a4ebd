import datetime

import factory
from django.utils import timezone

from disputes.models import Dispute, DisputeEvent, DisputeParty, ReturnVisit
from grids.tests.factories import GridFactory
from stations.tests.factories import PersonFactory


class DisputeFactory(factory.django.DjangoModelFactory):
    """A reported green dispute, written directly (not through the workflow)."""

    class Meta:
        model = Dispute
        skip_postgeneration_save = True

    grid = factory.SubFactory(GridFactory)
    category = Dispute.Category.NEIGHBOURHOOD
    summary = factory.Sequence(lambda n: f"邻里噪音纠纷{n}")
    colour = Dispute.Colour.GREEN
    level = Dispute.Level.WORKSTATION
    status = Dispute.Status.REPORTED
    reported_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(hours=1)
    )
    reported_by = factory.SubFactory(PersonFactory)
    first_contact_due = factory.LazyAttribute(
        lambda d: d.reported_at + datetime.timedelta(hours=24)
    )

    @factory.post_generation
    def parties(dispute, create, names, **kwargs):
        if create:
            for number, name in enumerate(names or ("张三", "李四"), start=1):
                DisputeParty.objects.create(
                    dispute=dispute, name=name, phone=f"1380000000{number}"
                )


class DisputeEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisputeEvent

    dispute = factory.SubFactory(DisputeFactory)
    kind = DisputeEvent.Kind.REPORTED
    by = factory.SubFactory(PersonFactory)


class ReturnVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnVisit

    dispute = factory.SubFactory(DisputeFactory, status=Dispute.Status.RESOLVED)
    by = factory.SubFactory(PersonFactory)
    outcome = "双方履行协议"
    satisfaction = 5
