"""The disputes API: report, transitions, refusals and scope."""

import pytest

from disputes import workflow
from disputes.models import Dispute, ReturnVisit
from disputes.tests.factories import DisputeFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes/"
S = Dispute.Status


def body(world, **changes):
    data = {
        "grid": world.grids["A"].pk,
        "household": world.households["A"].pk,
        "category": "neighbourhood",
        "summary": "楼上噪音扰民",
        "parties": [{"name": "张三", "phone": "13800000001"}, {"name": "李四"}],
        "colour": "yellow",
    }
    data.update(changes)
    return data


def in_status(world, status, grid="A", **kwargs):
    return DisputeFactory(
        grid=world.grids[grid],
        reported_by=world.persons[f"officer_{grid.lower()}"],
        status=status,
        **kwargs,
    )


def test_report_via_api(world, client_for, officer):
    response = client_for(officer).post(
        URL,
        body(world, status="closed", level="station", reported_by=1),
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "reported"
    assert data["level"] == "office"
    assert data["reported_by"] == world.persons["officer_a"].pk
    assert data["first_contact_due"] is not None
    assert [e["kind"] for e in data["events"]] == ["reported"]


def test_report_outside_the_grids_is_refused(world, client_for, officer):
    response = client_for(officer).post(
        URL,
        body(world, grid=world.grids["B"].pk, household=world.households["B"].pk),
        format="json",
    )
    assert response.status_code == 400
    assert "grid" in response.json()


def test_report_with_a_household_of_another_grid(world, client_for, chief):
    response = client_for(chief).post(
        URL, body(world, household=world.households["B"].pk), format="json"
    )
    assert response.status_code == 400
    assert "household" in response.json()


def test_report_by_a_superuser_without_staff_record(world, client_for):
    response = client_for(world.users["superuser"]).post(
        URL, body(world), format="json"
    )
    assert response.status_code == 400
    assert "by" in response.json()


def test_patch_cannot_change_status_or_colour(world, client_for, officer):
    dispute = world.disputes["A"]
    response = client_for(officer).patch(
        f"{URL}{dispute.pk}/",
        {"status": "closed", "colour": "red", "summary": "改"},
        format="json",
    )
    assert response.status_code == 200
    dispute.refresh_from_db()
    assert (dispute.status, dispute.colour, dispute.summary) == (
        "reported",
        "green",
        "改",
    )


def post(client, dispute, action, data=None):
    return client.post(f"{URL}{dispute.pk}/{action}/", data or {}, format="json")


def test_each_action_through_the_api(world, client_for, officer):
    api = client_for(officer)
    dispute = world.disputes["A"]
    steps = [
        ("accept", {}, "accepted"),
        ("regrade", {"colour": "orange"}, "accepted"),
        ("escalate", {"reason": "无需"}, None),
        ("hold-session", {"notes": "双方到场"}, "mediating"),
        ("resolve", {"terms": "赔偿500元"}, "resolved"),
        ("return-visits", {"outcome": "已履行", "satisfaction": 5}, "resolved"),
        ("close", {}, "closed"),
    ]
    for action, data, status in steps:
        response = post(api, dispute, action, data)
        if status is None:
            # Orange is handled at the station already: no higher level.
            assert response.status_code == 400
            assert response.json()["level"] == [str(workflow.ALREADY_AT_STATION)]
            continue
        assert response.status_code == 200, (action, response.content)
        assert response.json()["status"] == status
    dispute.refresh_from_db()
    assert (dispute.colour, dispute.level) == ("orange", "station")
    assert [e["kind"] for e in response.json()["events"]] == [
        "accepted",
        "regraded",
        "session_held",
        "resolved",
        "return_visit",
        "closed",
    ]
    assert ReturnVisit.objects.get(dispute=dispute).satisfaction == 5


def test_escalate_through_the_api(world, client_for, chief):
    dispute = world.disputes["A"]
    response = post(client_for(chief), dispute, "escalate", {"reason": "涉及多户"})
    assert response.status_code == 200
    assert response.json()["level"] == "office"


@pytest.mark.parametrize(
    ("action", "data"),
    [("refer", {"reason": "转法院"}), ("fail", {"reason": "拒绝调解"})],
)
def test_refer_and_fail_through_the_api(world, client_for, officer, action, data):
    dispute = in_status(world, S.MEDIATING)
    api = client_for(officer)
    assert post(api, dispute, action, {}).status_code == 400
    response = post(api, dispute, action, data)
    assert response.status_code == 200
    assert response.json()["status"] == {"refer": "referred", "fail": "failed"}[action]


def test_refused_transition_is_400_with_message_and_no_change(
    world, client_for, officer
):
    dispute = world.disputes["A"]
    response = post(client_for(officer), dispute, "resolve")
    assert response.status_code == 400
    assert response.json() == {
        "status": [
            str(workflow.NOT_ALLOWED.format(status=dispute.get_status_display()))
        ]
    }
    dispute.refresh_from_db()
    assert dispute.status == S.REPORTED
    assert not dispute.events.exists()


def test_downgrade_without_reason_is_400(world, client_for, officer):
    dispute = in_status(world, S.ACCEPTED, colour="red", level="station")
    response = post(client_for(officer), dispute, "regrade", {"colour": "green"})
    assert response.status_code == 400
    assert response.json() == {"reason": [str(workflow.DOWNGRADE_NEEDS_REASON)]}
    dispute.refresh_from_db()
    assert dispute.colour == "red"


def test_invalid_bodies_are_400(world, client_for, officer):
    api = client_for(officer)
    resolved = in_status(world, S.RESOLVED)
    assert (
        post(api, world.disputes["A"], "regrade", {"colour": "blue"}).status_code == 400
    )
    response = post(
        api, resolved, "return-visits", {"outcome": "好", "satisfaction": 6}
    )
    assert response.status_code == 400
    assert "satisfaction" in response.json()
    assert not resolved.return_visits.exists()


@pytest.mark.parametrize(
    "action",
    [
        "accept",
        "hold-session",
        "regrade",
        "escalate",
        "resolve",
        "refer",
        "fail",
        "return-visits",
        "close",
    ],
)
def test_out_of_scope_is_404(world, client_for, officer, action):
    dispute = world.disputes["B"]
    response = post(
        client_for(officer), dispute, action, {"colour": "red", "reason": "x"}
    )
    assert response.status_code == 404
    dispute.refresh_from_db()
    assert dispute.status == S.REPORTED
    assert dispute.colour == "green"


def test_chief_of_another_station_gets_404(world, client_for):
    response = post(client_for(world.users["chief_t"]), world.disputes["A"], "accept")
    assert response.status_code == 404


def test_filters(world, client_for, chief):
    api = client_for(chief)
    overdue = in_status(world, S.REPORTED, grid="B")
    overdue.first_contact_due = overdue.reported_at
    overdue.save()
    red = in_status(
        world, S.ACCEPTED, colour="red", level="station", summary="宅基地争议"
    )

    def ids(**params):
        response = api.get(URL, params)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(overdue="true") == {overdue.pk}
    assert overdue.pk not in ids(overdue="false")
    assert ids(colour="red") == {red.pk}
    assert ids(level="station") == {red.pk}
    assert ids(status="accepted") == {red.pk}
    assert ids(q="宅基地") == {red.pk}
    assert ids(q="李四") >= {red.pk, overdue.pk}
    assert ids(grid=world.grids["B"].pk) == {overdue.pk, world.disputes["B"].pk}
    assert ids(station=world.stations["T"].pk) == set()


def test_schema_documents_the_transitions(world, client_for, officer):
    """Each step is in the schema with its refusal, body or not (accept twice)."""
    response = client_for(officer).get("/api/schema/", {"format": "json"})
    paths = response.json()["paths"]
    for action in ("accept", "hold-session", "regrade", "return-visits", "close"):
        operation = paths[f"/api/v1/disputes/{{id}}/{action}/"]["post"]
        assert "400" in operation["responses"], action


def test_accepting_twice_is_the_documented_400(world, client_for, officer):
    dispute = in_status(world, S.ACCEPTED)
    response = post(client_for(officer), dispute, "accept")
    assert response.status_code == 400
    assert set(response.json()) == {"status"}


def test_parties_are_residents_or_named_persons(world, client_for, officer):
    """A resident party takes the resident's name and phone unless given."""
    resident = world.residents["A"]
    response = client_for(officer).post(
        URL,
        body(world, parties=[{"resident": resident.pk}, {"name": "外地客商 王五"}]),
        format="json",
    )
    assert response.status_code == 201, response.content
    parties = response.json()["parties"]
    assert [p["name"] for p in parties] == [resident.name, "外地客商 王五"]
    assert parties[0]["resident"] == resident.pk
    assert parties[0]["phone"] == resident.phone  # the grid's own officer


@pytest.mark.parametrize(
    ("parties", "field"),
    [
        ([], "parties"),
        ([{"phone": "13800000001"}], "name"),
        ([{"name": "张三", "phone": "12345"}], "phone"),
    ],
)
def test_bad_parties_are_field_errors_and_store_nothing(
    world, client_for, officer, parties, field
):
    before = Dispute.objects.count()
    response = client_for(officer).post(
        URL, body(world, parties=parties), format="json"
    )
    assert response.status_code == 400
    errors = response.json()["parties"]
    # DRF keys a list's item errors by position.
    assert field == "parties" or field in errors["0"]
    assert Dispute.objects.count() == before


def test_a_resident_outside_the_scope_is_no_party(world, client_for, officer):
    """Another station's resident gets the error of a nonexistent one."""
    outside = world.residents["C"].pk
    response = client_for(officer).post(
        URL, body(world, parties=[{"resident": outside}]), format="json"
    )
    assert response.status_code == 400
    assert "resident" in response.json()["parties"]["0"]


def test_phones_are_masked_except_for_the_grids_own_staff(world, client_for):
    dispute = world.disputes["A"]
    own = client_for(world.users["officer_a"]).get(f"{URL}{dispute.pk}/").json()
    chief = client_for(world.users["chief_s"]).get(f"{URL}{dispute.pk}/").json()
    assert own["parties"][0]["phone"] == "13800000001"
    assert chief["parties"][0]["phone"] == "138****0001"


def test_resolve_needs_every_partys_consent(world, client_for, officer):
    dispute = in_status(world, S.MEDIATING)
    first, second = dispute.parties.all()
    api = client_for(officer)
    response = post(
        api,
        dispute,
        "resolve",
        {"terms": "赔偿500元", "consenting_parties": [first.pk]},
    )
    assert response.status_code == 400
    assert second.name in response.json()["consenting_parties"][0]
    dispute.refresh_from_db()
    assert dispute.status == S.MEDIATING

    response = post(
        api,
        dispute,
        "resolve",
        {"terms": "赔偿500元", "consenting_parties": [first.pk, second.pk]},
    )
    assert response.status_code == 200, response.content
    agreement = response.json()["agreement"]
    assert agreement["terms"] == "赔偿500元"
    assert sorted(agreement["consenting_parties"]) == sorted([first.pk, second.pk])
    assert agreement["mediators"] == [world.persons["officer_a"].pk]


def test_a_session_records_its_mediators(world, client_for, officer):
    dispute = in_status(world, S.ACCEPTED)
    mediators = [world.persons["officer_a"].pk, world.persons["chief_s"].pk]
    response = post(
        client_for(officer),
        dispute,
        "hold-session",
        {"mediators": mediators, "place": "警务室", "participants": "双方及村干部"},
    )
    assert response.status_code == 200, response.content
    (session,) = response.json()["sessions"]
    assert sorted(session["mediators"]) == sorted(mediators)
    assert session["place"] == "警务室"


def test_a_mediator_outside_the_scope_is_refused(world, client_for, officer):
    dispute = in_status(world, S.ACCEPTED)
    response = post(
        client_for(officer),
        dispute,
        "hold-session",
        {"mediators": [world.persons["officer_d"].pk]},
    )
    assert response.status_code == 400
    assert "mediators" in response.json()
    assert not dispute.sessions.exists()
