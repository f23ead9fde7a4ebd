"""A household's page and a resident's page (issue 19, item 6)."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.models import CaseParty
from disputes.models import DisputeParty
from grids.tests.factories import ResidentFactory
from policing.phones import mask_phone
from visits.tests.factories import VisitFactory

pytestmark = pytest.mark.django_db

#: the household page's queries, however many members, visits and records
HOUSEHOLD_QUERIES = 13


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(household) -> str:
    return f"/households/{household.pk}/"


def test_the_grid_page_links_its_households(world):
    household = world.households["A"]
    html = logged_in(world.users["officer_a"]).get(f"/grids/{household.grid_id}/")
    assert f'href="{url(household)}"' in html.content.decode()


def test_a_household_shows_members_visits_disputes_and_cases(world):
    household = world.households["A"]
    resident = world.residents["A"]
    VisitFactory(
        person=world.persons["officer_a"],
        grid=household.grid,
        household=household,
        resident=resident,
        notes="入户走访",
    )
    DisputeParty.objects.create(
        dispute=world.disputes["A"], resident=resident, name=resident.name
    )
    CaseParty.objects.create(
        case=world.cases["A"], resident=resident, role="victim", name=resident.name
    )
    html = logged_in(world.users["officer_a"]).get(url(household)).content.decode()
    assert f'data-resident="{resident.pk}"' in html
    assert resident.id_number_masked in html
    assert "入户走访" in html
    assert f'data-dispute="{world.disputes["A"].pk}"' in html
    assert f'data-case="{world.cases["A"].pk}"' in html
    assert f'href="/residents/{resident.pk}/"' in html


@pytest.mark.parametrize(("user", "masked"), [("officer_a", False), ("chief_s", True)])
def test_phones_follow_the_one_rule(world, user, masked):
    resident = world.residents["A"]
    html = logged_in(world.users[user]).get(url(world.households["A"])).content
    shown = re.search(rb"<td[^>]*data-phone>([^<]*)<", html)[1].decode()
    assert shown == (mask_phone(resident.phone) if masked else resident.phone)


@pytest.mark.parametrize("user", ["officer_b", "chief_t", "bureau_y"])
def test_a_household_or_resident_out_of_scope_is_404(world, user):
    client = logged_in(world.users[user])
    assert client.get(url(world.households["A"])).status_code == 404
    assert client.get(f"/residents/{world.residents['A'].pk}/").status_code == 404


def test_the_resident_page_lists_the_contacts_and_what_is_due(world):
    resident = world.residents["A"]
    resident.is_key_person = True
    resident.key_person_category = resident.KeyPersonCategory.choices[0][0]
    resident.save()
    VisitFactory(
        person=world.persons["officer_a"],
        grid=resident.household.grid,
        household=resident.household,
        resident=resident,
        kind="key_person_meeting",
    )
    html = logged_in(world.users["officer_a"]).get(f"/residents/{resident.pk}/")
    body = html.content.decode()
    assert html.status_code == 200
    assert len(re.findall(r'<li data-visit="\d+">', body)) == 1
    assert "data-contacts-due" in body


def test_the_household_page_query_count_does_not_grow(world):
    household = world.households["A"]
    client = logged_in(world.users["officer_a"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(household)).status_code == 200
        return len(queries)

    before = count()
    for n in range(5):
        resident = ResidentFactory(household=household, name=f"住户{n}")
        VisitFactory(
            person=world.persons["officer_a"],
            grid=household.grid,
            household=household,
            resident=resident,
        )
    assert count() == before == HOUSEHOLD_QUERIES
