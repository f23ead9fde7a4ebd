"""Idempotent visits under a race, through a real threaded server (G-IN1, G-IN2).

Eight clients POST the same visit at the same instant, twenty times over, to
the live server on PostgreSQL, each request in its own thread, connection and
transaction (ATOMIC_REQUESTS), as phones replaying an offline outbox would.
SQLite serialises writers, so it cannot show the race.
"""

import datetime
import functools
import json
import threading
import urllib.error
import urllib.request
import uuid
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from stations.tests.factories import PASSWORD
from visits.api import CLIENT_UUID_REUSED
from visits.models import Visit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers, so concurrent requests cannot race",
    ),
]

CLIENTS = 8
TRIALS = 20


def call(url: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    """POST ``body`` as JSON; return the status and the decoded answer."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        content = error.read()
        try:
            return error.code, json.loads(content or b"{}")
        except ValueError:
            return error.code, {"body": content.decode(errors="replace")}


def log_in(server, username: str) -> str:
    status, answer = call(
        f"{server.url}/api/v1/auth/token/",
        {"username": username, "password": PASSWORD},
    )
    assert status == 200, answer
    return answer["token"]


def all_at_once(posts: list) -> list[tuple[int, dict]]:
    """Run the ``posts`` (callables) in threads released by one barrier."""
    start = threading.Barrier(len(posts))
    answers: list = [None] * len(posts)

    def run(index, post):
        start.wait()
        answers[index] = post()

    threads = [
        threading.Thread(target=run, args=(index, post))
        for index, post in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(answer is not None for answer in answers), "a request never returned"
    return answers


@pytest.fixture
def visits_url(live_server):
    return f"{live_server.url}/api/v1/visits/"


def visit_body(world, grid="A") -> dict:
    visited_at = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)
    return {
        "household": world.households[grid].pk,
        "visited_at": visited_at.isoformat(),
        "info_items": 2,
        "notes": "竞争测试",
        "client_uuid": str(uuid.uuid4()),
    }


def test_identical_concurrent_posts_store_one_visit(world, live_server, visits_url):
    """20 trials of 8 identical POSTs: one row, one 201 and seven 200 each time."""
    token = log_in(live_server, "officer_a")
    officer = world.persons["officer_a"]
    every_status: Counter = Counter()
    for trial in range(TRIALS):
        body = visit_body(world)
        answers = all_at_once(
            [functools.partial(call, visits_url, body, token)] * CLIENTS
        )
        statuses = Counter(status for status, _answer in answers)
        every_status.update(statuses)

        stored = Visit.objects.filter(client_uuid=body["client_uuid"])
        assert stored.count() == 1, f"trial {trial}: {stored.count()} rows"
        visit = stored.get()
        assert visit.person_id == officer.pk
        assert statuses == {201: 1, 200: CLIENTS - 1}, (trial, answers)
        assert {answer["id"] for _status, answer in answers} == {visit.pk}
        assert {answer["client_uuid"] for _status, answer in answers} == {
            body["client_uuid"]
        }
    assert every_status[400] == every_status[500] == 0
    assert every_status == {201: TRIALS, 200: TRIALS * (CLIENTS - 1)}


def test_a_client_id_belongs_to_its_person_and_its_data(world, live_server, visits_url):
    """Another user's replay is their own visit; other data is a 422 (G-IN2).

    Officer A and auxiliary A (same grid) race with the same body and client
    id, four requests each: each person ends with one visit of their own and
    nobody is answered with the other's. Officer B, who does not work in grid
    A, sends the same client id for a visit in grid B and gets his own too.
    Then officer A races 8 POSTs of one new client id with different notes:
    one is stored, the seven others are refused.
    """
    tokens = {
        log_in(live_server, name): world.persons[name]
        for name in ("officer_a", "auxiliary_a")
    }
    body = visit_body(world)
    senders = list(tokens) * (CLIENTS // 2)
    answers = all_at_once(
        [functools.partial(call, visits_url, body, token) for token in senders]
    )

    assert Visit.objects.filter(client_uuid=body["client_uuid"]).count() == 2
    first_users_visits = set()
    for token, person in tokens.items():
        visit = Visit.objects.get(client_uuid=body["client_uuid"], person=person)
        first_users_visits.add(visit.pk)
        theirs = [
            answer
            for answer, sender in zip(answers, senders, strict=True)
            if sender == token
        ]
        assert Counter(status for status, _answer in theirs) == {201: 1, 200: 3}
        assert {answer["id"] for _status, answer in theirs} == {visit.pk}
        assert {answer["person"] for _status, answer in theirs} == {person.pk}

    officer_b = log_in(live_server, "officer_b")
    in_grid_b = visit_body(world, "B") | {"client_uuid": body["client_uuid"]}
    status, answer = call(visits_url, in_grid_b, officer_b)
    assert status == 201, answer
    assert answer["id"] not in first_users_visits
    assert answer["person"] == world.persons["officer_b"].pk

    officer_a = senders[0]
    body = visit_body(world)
    answers = all_at_once(
        [
            functools.partial(call, visits_url, body | {"notes": f"第{n}条"}, officer_a)
            for n in range(CLIENTS)
        ]
    )
    assert Counter(status for status, _answer in answers) == {201: 1, 422: CLIENTS - 1}
    stored = Visit.objects.get(client_uuid=body["client_uuid"])
    for status, answer in answers:
        if status == 201:
            assert (answer["id"], answer["notes"]) == (stored.pk, stored.notes)
        else:
            assert answer == {"client_uuid": [str(CLIENT_UUID_REUSED)]}
