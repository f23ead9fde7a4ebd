"""The cases API: open, transitions, refusals, sensitive-data scope."""

import pytest

from cases import tracking
from cases.models import Case
from cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/"
S = Case.Status


def body(world, **changes):
    data = {
        "grid": world.grids["A"].pk,
        "kind": "criminal",
        "category": "telecom_fraud",
        "summary": "冒充客服诈骗",
        "parties": [{"role": "victim", "name": "王建国", "phone": "13800001234"}],
    }
    data.update(changes)
    return data


def post(api, case, action, data=None):
    return api.post(f"{URL}{case.pk}/{action}/", data or {}, format="json")


def test_open_a_case_via_api(world, client_for):
    response = client_for(world.users["officer_a"]).post(
        URL, body(world, status="closed", number="X"), format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "reported"
    assert data["number"].startswith("XS-")
    assert data["officer"] == world.persons["officer_a"].pk
    assert data["has_query_code"] is False
    assert data["parties"][0]["phone"] == "13800001234"


def test_auxiliaries_see_no_case_and_may_not_open_one(world, client_for):
    api = client_for(world.users["auxiliary_a"])
    assert api.get(URL).json()["results"] == []
    assert api.get(f"{URL}{world.cases['A'].pk}/").status_code == 404
    assert api.post(URL, body(world), format="json").status_code == 403


def test_phones_are_masked_except_for_the_grids_own_officers(world, client_for):
    case = world.cases["A"]
    chief = client_for(world.users["chief_s"]).get(f"{URL}{case.pk}/").json()
    own = client_for(world.users["officer_a"]).get(f"{URL}{case.pk}/").json()
    assert chief["parties"][0]["phone"] == "139****0001"
    assert own["parties"][0]["phone"] == "13900000001"


def test_a_victim_without_phone_is_a_field_error(world, client_for):
    response = client_for(world.users["officer_a"]).post(
        URL, body(world, parties=[{"role": "victim", "name": "王"}]), format="json"
    )
    assert response.status_code == 400
    assert "phone" in response.json()["parties"]["0"]
    assert not Case.objects.filter(summary="冒充客服诈骗").exists()


def test_the_course_through_the_api(world, client_for):
    api = client_for(world.users["officer_a"])
    case = world.cases["A"]
    steps = [
        ("accept", {"text": "已受理"}, "accepted"),
        ("start-investigation", {}, "investigating"),
        ("progress", {"text": "已调取监控", "public": True}, "investigating"),
        ("solve", {"text": "嫌疑人已抓获"}, "solved"),
        (
            "return-visits",
            {"party": case.parties.get().pk, "outcome": "已告知"},
            "solved",
        ),
        ("close", {}, "closed"),
    ]
    for action, data, status in steps:
        response = post(api, case, action, data)
        assert response.status_code == 200, (action, response.content)
        assert response.json()["status"] == status
    kinds = [e["kind"] for e in response.json()["events"]]
    assert kinds == [
        "accepted",
        "investigating",
        "progress",
        "solved",
        "return_visit",
        "closed",
    ]


def test_a_refused_transition_is_400_and_changes_nothing(world, client_for):
    case = world.cases["A"]
    response = post(client_for(world.users["officer_a"]), case, "solve")
    assert response.status_code == 400
    assert "status" in response.json()
    case.refresh_from_db()
    assert case.status == S.REPORTED


def test_the_query_code_is_answered_once_and_stored_hashed(world, client_for):
    case = world.cases["A"]
    api = client_for(world.users["chief_s"])
    response = post(api, case, "query-code")
    assert response.status_code == 200
    code = response.json()["code"]
    case.refresh_from_db()
    assert case.query_code_hash == tracking.code_hash(code)
    detail = api.get(f"{URL}{case.pk}/").json()
    assert detail["has_query_code"] is True
    assert code not in str(detail)


def test_a_return_visit_to_another_cases_party_is_refused(world, client_for):
    case = CaseFactory(grid=world.grids["A"], officer=world.persons["officer_a"])
    other_party = world.cases["A"].parties.get()
    response = post(
        client_for(world.users["officer_a"]),
        case,
        "return-visits",
        {"party": other_party.pk, "outcome": "好"},
    )
    assert response.status_code == 400
    assert not case.return_visits.exists()


def test_the_officer_in_charge_must_be_an_officer_of_the_station(world, client_for):
    api = client_for(world.users["chief_s"])
    case = world.cases["A"]
    for name in ("auxiliary_a", "officer_c"):
        response = api.patch(
            f"{URL}{case.pk}/", {"officer": world.persons[name].pk}, format="json"
        )
        assert response.status_code == 400
    response = api.patch(
        f"{URL}{case.pk}/", {"officer": world.persons["officer_b"].pk}, format="json"
    )
    assert response.status_code == 200
