"""The case pages: list, case, opening one, the receipt."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cases import tracking
from cases.models import Case
from cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def case_ids(response) -> set[int]:
    return {
        int(pk) for pk in re.findall(r'data-case="(\d+)"', response.content.decode())
    }


def test_the_list_shows_the_territory(world):
    assert case_ids(logged_in(world.users["chief_s"]).get("/cases/")) == {
        world.cases["A"].pk,
        world.cases["B"].pk,
    }
    assert case_ids(logged_in(world.users["officer_a"]).get("/cases/")) == {
        world.cases["A"].pk
    }
    auxiliary = logged_in(world.users["auxiliary_a"]).get("/cases/")
    assert auxiliary.status_code == 200
    assert case_ids(auxiliary) == set()
    assert b"police officers" in auxiliary.content


def test_list_filters_and_bad_values(world):
    chief = logged_in(world.users["chief_s"])
    solved = CaseFactory(
        grid=world.grids["B"], officer=world.persons["officer_b"], status="solved"
    )
    assert case_ids(chief.get("/cases/", {"status": "solved"})) == {solved.pk}
    grid_a = chief.get("/cases/", {"grid": world.grids["A"].pk})
    assert case_ids(grid_a) == {world.cases["A"].pk}
    for bad in ({"grid": "abc"}, {"reported_after": "2026-13-01"}, {"kind": "x"}):
        response = chief.get("/cases/", bad)
        assert response.status_code == 200
        assert case_ids(response) == set()


def test_the_list_is_paginated_with_a_bounded_query_count(
    world, django_assert_max_num_queries
):
    for _ in range(30):
        CaseFactory(grid=world.grids["A"], officer=world.persons["officer_a"])
    chief = logged_in(world.users["chief_s"])
    with django_assert_max_num_queries(12):
        response = chief.get("/cases/")
    assert len(case_ids(response)) == 25
    assert len(case_ids(chief.get("/cases/", {"page": 2}))) == 7


def test_a_case_outside_the_territory_is_404(world):
    case = world.cases["A"]
    assert (
        logged_in(world.users["chief_t"]).get(f"/cases/{case.pk}/").status_code == 404
    )
    assert (
        logged_in(world.users["auxiliary_a"]).get(f"/cases/{case.pk}/").status_code
        == 404
    )


def test_the_case_page_offers_what_the_state_allows(world):
    case = world.cases["A"]
    page = logged_in(world.users["officer_a"]).get(f"/cases/{case.pk}/").content
    offered = set(re.findall(rb'data-action="(\w+)"', page))
    assert offered == {b"accept", b"drop", b"add_progress", b"issue_query_code"}


def test_the_course_through_the_pages_and_the_receipt(world):
    officer = logged_in(world.users["officer_a"])
    response = officer.post(
        "/cases/new/",
        {
            "grid": world.grids["A"].pk,
            "kind": "criminal",
            "category": "burglary",
            "summary": "入室盗窃，丢失金项链",
            "parties-TOTAL_FORMS": 3,
            "parties-INITIAL_FORMS": 0,
            "parties-0-role": "victim",
            "parties-0-name": "李秀英",
            "parties-0-phone": "13800005678",
            "parties-1-role": "victim",
            "parties-2-role": "victim",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(summary="入室盗窃，丢失金项链")
    url = f"/cases/{case.pk}/"
    assert response.url == url
    for action, data in [
        ("accept", {"accept-text": "已受理"}),
        ("start_investigation", {}),
        ("add_progress", {"add_progress-text": "内部线索"}),
        ("solve", {"solve-text": "嫌疑人已抓获"}),
    ]:
        response = officer.post(url, {"action": action, **data})
        assert response.status_code == 302, (action, response.content)
    case.refresh_from_db()
    assert case.status == Case.Status.SOLVED
    assert not case.events.get(kind="progress").public

    issued = officer.post(url, {"action": "issue_query_code"})
    assert issued.status_code == 302
    assert issued.url == f"/cases/{case.pk}/receipt/"
    receipt = officer.get(issued.url)
    assert receipt.status_code == 200
    assert receipt["Cache-Control"] == "no-store"
    code = re.search(rb"data-code>([0-9A-Z-]+)<", receipt.content)[1].decode()
    found = tracking.find(code, "5678", client="127.0.0.1")
    assert found and found.case == case


def test_reloading_the_receipt_shows_the_same_code(world):
    """A refresh neither issues a new code nor cancels the printed one."""
    case = world.cases["A"]
    officer = logged_in(world.users["officer_a"])
    receipt_url = officer.post(f"/cases/{case.pk}/", {"action": "issue_query_code"}).url
    case.refresh_from_db()
    issued_hash = case.query_code_hash
    codes = {
        re.search(rb"data-code>([0-9A-Z-]+)<", officer.get(receipt_url).content)[1]
        for _ in range(2)
    }
    assert len(codes) == 1
    case.refresh_from_db()
    assert case.query_code_hash == issued_hash
    assert tracking.code_hash(tracking.normalize(codes.pop().decode())) == issued_hash


def test_the_receipt_is_gone_later_and_for_anyone_else(world):
    case = world.cases["A"]
    officer = logged_in(world.users["officer_a"])
    receipt_url = officer.post(f"/cases/{case.pk}/", {"action": "issue_query_code"}).url
    # Another login of the same station never sees the code.
    other = logged_in(world.users["chief_s"]).get(receipt_url)
    assert other.status_code == 302 and other.url == f"/cases/{case.pk}/"
    # Out of scope: 404, as for the case.
    assert logged_in(world.users["chief_t"]).get(receipt_url).status_code == 404
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        later = officer.get(receipt_url)
    assert later.status_code == 302


def test_a_refused_or_invalid_action_is_400(world):
    case = world.cases["A"]
    officer = logged_in(world.users["officer_a"])
    response = officer.post(
        f"/cases/{case.pk}/", {"action": "solve", "solve-text": "x"}
    )
    assert response.status_code == 400
    response = officer.post(f"/cases/{case.pk}/", {"action": "drop", "drop-reason": ""})
    assert response.status_code == 400
    assert officer.post(f"/cases/{case.pk}/", {"action": "nope"}).status_code == 404
    case.refresh_from_db()
    assert case.status == Case.Status.REPORTED


def test_opening_a_case_with_bad_input_stores_nothing(world):
    officer = logged_in(world.users["officer_a"])
    response = officer.post(
        "/cases/new/",
        {
            "grid": world.grids["C"].pk,
            "kind": "criminal",
            "category": "theft",
            "summary": "越界",
            "parties-TOTAL_FORMS": 1,
            "parties-INITIAL_FORMS": 0,
            "parties-0-role": "victim",
            "parties-0-name": "王",
            "parties-0-phone": "123",
        },
    )
    assert response.status_code == 400
    assert not Case.objects.filter(summary="越界").exists()
    assert logged_in(world.users["auxiliary_a"]).get("/cases/new/").status_code == 403
