"""One filter per test, on the filtersets shared by the API and the pages."""

import pytest

from grids.tests.factories import HouseholdFactory
from stations.tests.factories import PersonFactory
from visits.filtersets import (
    InspectionFilterSet,
    PatrolFilterSet,
    ServiceFilterSet,
    VenueFilterSet,
    VisitFilterSet,
)
from visits.models import Inspection, Patrol, Service, Venue, Visit
from visits.tests.factories import (
    InspectionFactory,
    PatrolFactory,
    ServiceFactory,
    VenueFactory,
    VisitFactory,
    local,
)

pytestmark = pytest.mark.django_db


def pks(filterset_class, data, model) -> set[int]:
    filterset = filterset_class(data, queryset=model.objects.all())
    assert filterset.is_valid(), filterset.errors
    return {row.pk for row in filterset.qs}


#
# Visits
#


@pytest.fixture
def two_visits():
    """Two visits by different persons, in grids of different stations."""
    first = VisitFactory(
        person=PersonFactory(name="王警官"),
        household=HouseholdFactory(address="解放路1号"),
        kind=Visit.Kind.ROUTINE,
        visited_at=local(2026, 11, 2, 10),
    )
    second = VisitFactory(
        person=PersonFactory(name="赵警官"),
        household=HouseholdFactory(address="人民路2号"),
        kind=Visit.Kind.ANTI_FRAUD,
        visited_at=local(2026, 11, 9, 10),
    )
    return first, second


def test_visit_filter_person(two_visits):
    first, _second = two_visits
    assert pks(VisitFilterSet, {"person": first.person_id}, Visit) == {first.pk}


def test_visit_filter_household(two_visits):
    first, _second = two_visits
    assert pks(VisitFilterSet, {"household": first.household_id}, Visit) == {first.pk}


def test_visit_filter_grid(two_visits):
    _first, second = two_visits
    assert pks(VisitFilterSet, {"grid": second.grid_id}, Visit) == {second.pk}


def test_visit_filter_station(two_visits):
    first, _second = two_visits
    station = first.grid.area.station_id
    assert pks(VisitFilterSet, {"station": station}, Visit) == {first.pk}


def test_visit_filter_kind(two_visits):
    _first, second = two_visits
    assert pks(VisitFilterSet, {"kind": "anti_fraud"}, Visit) == {second.pk}


def test_visit_filter_unknown_kind_is_an_error(two_visits):
    filterset = VisitFilterSet({"kind": "party"}, queryset=Visit.objects.all())
    assert not filterset.is_valid()
    assert "kind" in filterset.errors


def test_visit_search_by_address(two_visits):
    first, _second = two_visits
    assert pks(VisitFilterSet, {"q": "解放"}, Visit) == {first.pk}


def test_visit_search_by_person_name(two_visits):
    _first, second = two_visits
    assert pks(VisitFilterSet, {"q": "赵"}, Visit) == {second.pk}


def test_visit_filter_visited_after_is_inclusive(two_visits):
    _first, second = two_visits
    after = local(2026, 11, 9, 10).isoformat()
    assert pks(VisitFilterSet, {"visited_after": after}, Visit) == {second.pk}


def test_visit_filter_visited_before_is_exclusive(two_visits):
    first, _second = two_visits
    before = local(2026, 11, 9, 10).isoformat()
    assert pks(VisitFilterSet, {"visited_before": before}, Visit) == {first.pk}


def test_visit_filter_bad_time_is_an_error(two_visits):
    filterset = VisitFilterSet(
        {"visited_after": "last week"}, queryset=Visit.objects.all()
    )
    assert not filterset.is_valid()
    assert "visited_after" in filterset.errors


def test_visit_filter_id_below_one_is_an_error(two_visits):
    filterset = VisitFilterSet({"person": 0}, queryset=Visit.objects.all())
    assert not filterset.is_valid()
    assert "person" in filterset.errors


#
# Patrols
#


@pytest.fixture
def two_patrols():
    """A patrol that ended on 2 November and one still running since the 9th."""
    ended = PatrolFactory(started_at=local(2026, 11, 2, 20))
    running = PatrolFactory(started_at=local(2026, 11, 9, 20), ended_at=None)
    return ended, running


def test_patrol_filter_person(two_patrols):
    ended, _running = two_patrols
    assert pks(PatrolFilterSet, {"person": ended.person_id}, Patrol) == {ended.pk}


def test_patrol_filter_grid(two_patrols):
    _ended, running = two_patrols
    assert pks(PatrolFilterSet, {"grid": running.grid_id}, Patrol) == {running.pk}


def test_patrol_filter_station(two_patrols):
    ended, _running = two_patrols
    station = ended.grid.area.station_id
    assert pks(PatrolFilterSet, {"station": station}, Patrol) == {ended.pk}


def test_patrol_filter_running(two_patrols):
    _ended, running = two_patrols
    assert pks(PatrolFilterSet, {"running": "true"}, Patrol) == {running.pk}


def test_patrol_filter_not_running(two_patrols):
    ended, _running = two_patrols
    assert pks(PatrolFilterSet, {"running": "false"}, Patrol) == {ended.pk}


def test_patrol_filter_started_after(two_patrols):
    _ended, running = two_patrols
    after = local(2026, 11, 5).isoformat()
    assert pks(PatrolFilterSet, {"started_after": after}, Patrol) == {running.pk}


def test_patrol_filter_started_before(two_patrols):
    ended, _running = two_patrols
    before = local(2026, 11, 5).isoformat()
    assert pks(PatrolFilterSet, {"started_before": before}, Patrol) == {ended.pk}


#
# Venues
#


@pytest.fixture
def two_venues():
    ktv = VenueFactory(name="金嗓子KTV", kind=Venue.Kind.KTV, address="解放路3号")
    hotel = VenueFactory(name="如家酒店", kind=Venue.Kind.HOTEL, address="人民路4号")
    return ktv, hotel


def test_venue_filter_grid(two_venues):
    ktv, _hotel = two_venues
    assert pks(VenueFilterSet, {"grid": ktv.grid_id}, Venue) == {ktv.pk}


def test_venue_filter_station(two_venues):
    _ktv, hotel = two_venues
    station = hotel.grid.area.station_id
    assert pks(VenueFilterSet, {"station": station}, Venue) == {hotel.pk}


def test_venue_filter_kind(two_venues):
    _ktv, hotel = two_venues
    assert pks(VenueFilterSet, {"kind": "hotel"}, Venue) == {hotel.pk}


def test_venue_search_by_name(two_venues):
    ktv, _hotel = two_venues
    assert pks(VenueFilterSet, {"q": "金嗓子"}, Venue) == {ktv.pk}


def test_venue_search_by_address(two_venues):
    _ktv, hotel = two_venues
    assert pks(VenueFilterSet, {"q": "人民路"}, Venue) == {hotel.pk}


#
# Inspections
#


@pytest.fixture
def two_inspections():
    security = InspectionFactory(kind=Inspection.Kind.SECURITY)
    fire = InspectionFactory(kind=Inspection.Kind.FIRE)
    return security, fire


def test_inspection_filter_person(two_inspections):
    security, _fire = two_inspections
    assert pks(InspectionFilterSet, {"person": security.person_id}, Inspection) == {
        security.pk
    }


def test_inspection_filter_venue(two_inspections):
    _security, fire = two_inspections
    assert pks(InspectionFilterSet, {"venue": fire.venue_id}, Inspection) == {fire.pk}


def test_inspection_filter_grid(two_inspections):
    security, _fire = two_inspections
    grid = security.venue.grid_id
    assert pks(InspectionFilterSet, {"grid": grid}, Inspection) == {security.pk}


def test_inspection_filter_station(two_inspections):
    _security, fire = two_inspections
    station = fire.venue.grid.area.station_id
    assert pks(InspectionFilterSet, {"station": station}, Inspection) == {fire.pk}


def test_inspection_filter_kind(two_inspections):
    _security, fire = two_inspections
    assert pks(InspectionFilterSet, {"kind": "fire"}, Inspection) == {fire.pk}


#
# Services
#


@pytest.fixture
def two_services():
    card = ServiceFactory(kind=Service.Kind.ID_CARD_DELIVERED)
    help_request = ServiceFactory(kind=Service.Kind.HELP_REQUEST)
    return card, help_request


def test_service_filter_person(two_services):
    card, _help = two_services
    assert pks(ServiceFilterSet, {"person": card.person_id}, Service) == {card.pk}


def test_service_filter_grid(two_services):
    _card, help_request = two_services
    grid = help_request.grid_id
    assert pks(ServiceFilterSet, {"grid": grid}, Service) == {help_request.pk}


def test_service_filter_station(two_services):
    card, _help = two_services
    station = card.grid.area.station_id
    assert pks(ServiceFilterSet, {"station": station}, Service) == {card.pk}


def test_service_filter_kind(two_services):
    _card, help_request = two_services
    assert pks(ServiceFilterSet, {"kind": "help_request"}, Service) == {help_request.pk}


#
# Through the API
#


def test_api_filter_by_a_grid_out_of_scope_is_empty(world, client_for):
    """Officer A filtering visits by grid B gets no rows, not an error."""
    response = client_for(world.users["officer_a"]).get(
        "/api/v1/visits/", {"grid": world.grids["B"].pk}
    )
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_api_filter_with_a_bad_value_is_a_400(world, client_for):
    """A malformed filter value is a field-level 400, never a 500."""
    response = client_for(world.users["officer_a"]).get(
        "/api/v1/patrols/", {"started_after": "2026-13-45"}
    )
    assert response.status_code == 400
    assert "started_after" in response.json()


def test_api_running_patrols(world, client_for):
    """``?running=true`` lists the patrols still under way."""
    running = PatrolFactory(
        person=world.persons["officer_a"], grid=world.grids["A"], ended_at=None
    )
    response = client_for(world.users["chief_s"]).get(
        "/api/v1/patrols/", {"running": "true"}
    )
    assert [row["id"] for row in response.json()["results"]] == [running.pk]
