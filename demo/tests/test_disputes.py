"""The demo county's disputes: every state and colour, as a station keeps them."""

import pytest
from django.core.management import call_command

from disputes.models import Agreement, Colour, Dispute, Status
from stations.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for the module; remove it afterwards."""
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)
        yield
        call_command("flush", interactive=False, verbosity=0)


def test_disputes_in_every_status_and_colour(demo):
    assert set(Dispute.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Dispute.objects.values_list("colour", flat=True)) == set(Colour.values)


def test_every_dispute_has_parties_and_every_resolution_an_agreement(demo):
    assert not Dispute.objects.filter(parties__isnull=True).exists()
    resolved = Dispute.objects.filter(resolved_at__isnull=False)
    assert resolved.exists()
    assert Agreement.objects.count() == resolved.count()
    for agreement in Agreement.objects.all():
        parties = set(agreement.dispute.parties.values_list("pk", flat=True))
        consented = set(agreement.consenting_parties.values_list("pk", flat=True))
        assert consented == parties


def test_the_demo_chief_is_told_of_red_and_overdue_disputes(demo):
    notices = Notification.objects.filter(recipient__user__username="chief")
    assert notices.filter(kind=Notification.Kind.RED_DISPUTE).exists()
    assert notices.filter(kind=Notification.Kind.OVERDUE_DISPUTE).exists()
