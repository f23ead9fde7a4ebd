"""The demo county's cases: every state, ratings, and one case to follow."""

import pytest
from django.core.management import call_command

from cases import tracking
from cases.models import Case, Rating, Status
from demo.cases import DEMO_CODE, DEMO_PHONE_TAIL

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for the module; remove it afterwards."""
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


def test_cases_in_every_state_some_rated(demo):
    assert set(Case.objects.values_list("status", flat=True)) == set(Status.values)
    assert Rating.objects.exists()
    assert not Rating.objects.exclude(case__status__in=("solved", "closed")).exists()


def test_the_readme_case_can_be_followed_and_rated(demo):
    found = tracking.find(DEMO_CODE, DEMO_PHONE_TAIL, client="192.0.2.1")
    assert found is not None
    assert found.case.status == Status.SOLVED
    assert not found.case.ratings.filter(party=found.party).exists()


def test_same_months_last_year_have_cases(demo):
    """The year-on-year change needs cases a year back."""
    years = {case.reported_at.year for case in Case.objects.all()}
    assert len(years) >= 2
