import datetime

import factory
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseParty
from grids.tests.factories import GridFactory
from stations.tests.factories import PersonFactory


class CaseFactory(factory.django.DjangoModelFactory):
    """A reported theft, written directly (not through the workflow)."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"XS-2026-T-{n:05d}")
    kind = Case.Kind.CRIMINAL
    category = Case.Category.THEFT
    summary = factory.Sequence(lambda n: f"电动车被盗{n}")
    grid = factory.SubFactory(GridFactory)
    reported_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(hours=1)
    )
    officer = factory.SubFactory(PersonFactory)
    reported_by = factory.SelfAttribute("officer")

    @factory.post_generation
    def parties(case, create, names, **kwargs):
        if create:
            for number, name in enumerate(names or ("王建国",), start=1):
                CaseParty.objects.create(
                    case=case,
                    role=CaseParty.Role.VICTIM,
                    name=name,
                    phone=f"1390000000{number}",
                )


class CaseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseEvent

    case = factory.SubFactory(CaseFactory)
    kind = CaseEvent.Kind.REPORTED
    public = True
    by = factory.SubFactory(PersonFactory)
