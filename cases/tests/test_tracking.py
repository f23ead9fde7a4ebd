"""The public progress query ``/track/`` and its API (SECURITY G-PII7, G-PII4).

Cases are built through the workflow, as an officer would. The strings a
party must never see (the internal summary and notes, the suspect, the
officer's phone, the grid) are written into every case and looked for in
every response.
"""

import datetime
import json
import re
import threading
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from cases import tracking, workflow
from cases.models import Case, Rating, TrackAttempt
from cases.public import GENERIC_FAILURE
from stations.models import Person

pytestmark = pytest.mark.django_db

TRACK = "/track/"
API = "/api/v1/track/"
API_RATE = "/api/v1/track/rating/"

VICTIM_PHONE = "13800001234"
SUSPECT_PHONE = "13900005678"
WITNESS_PHONE = "13600002468"
OFFICER_PHONE = "13711112222"
SUMMARY = "内部摘要：电动车在小区车棚被盗，疑为熟人作案"
INTERNAL_NOTE = "内部线索：嫌疑人常在夜市出没"
PUBLIC_NOTE = "已调取周边监控，正在比对。"
RETURN_VISIT = "回访时情绪稳定"
SOLVED_TEXT = "被盗电动车已追回，请携带身份证到派出所认领。"
#: what a party must never see, whatever the case's state
SECRETS = (
    SUMMARY,
    INTERNAL_NOTE,
    RETURN_VISIT,
    "嫌疑人甲",
    "证人乙",
    SUSPECT_PHONE,
    WITNESS_PHONE,
    OFFICER_PHONE,
    VICTIM_PHONE,
    "网格A",
)
CSRF_INPUT = re.compile(
    r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">'
)


@dataclass
class Tracked:
    case: Case
    code: str
    officer: Person


def open_theft(world, *, phone=VICTIM_PHONE) -> Tracked:
    """Open a theft in grid A, investigate it and give the victim a code."""
    officer = world.persons["officer_a"]
    officer.phone = OFFICER_PHONE
    officer.name = "李明"
    officer.save()
    case = workflow.open_case(
        grid=world.grids["A"],
        kind="criminal",
        category="theft",
        summary=SUMMARY,
        parties=[
            {"role": "victim", "name": "王建国", "phone": phone},
            {"role": "suspect", "name": "嫌疑人甲", "phone": SUSPECT_PHONE},
            {"role": "witness", "name": "证人乙", "phone": WITNESS_PHONE},
        ],
        by=officer,
    )
    case = workflow.accept(case, by=officer, text="已受理。")
    case = workflow.start_investigation(case, by=officer)
    workflow.add_progress(case, by=officer, text=INTERNAL_NOTE, public=False)
    workflow.add_progress(case, by=officer, text=PUBLIC_NOTE, public=True)
    workflow.record_return_visit(
        case, by=officer, party=case.parties.get(role="victim"), outcome=RETURN_VISIT
    )
    code = workflow.issue_query_code(case, by=officer)
    return Tracked(case=case, code=code, officer=officer)


def solve(tracked: Tracked) -> Tracked:
    tracked.case = workflow.solve(tracked.case, by=tracked.officer, text=SOLVED_TEXT)
    return tracked


@pytest.fixture
def tracked(world) -> Tracked:
    """A theft under investigation, the victim's phone ending in 1234."""
    return open_theft(world)


@pytest.fixture
def solved(tracked) -> Tracked:
    return solve(tracked)


@pytest.fixture
def other(world) -> Tracked:
    """Another case, whose victim's phone ends in 9999."""
    return open_theft(world, phone="13800009999")


def query(code, tail="1234", *, client="10.0.0.1", http=None):
    return (http or Client()).post(
        TRACK, {"code": code, "phone_tail": tail}, REMOTE_ADDR=client
    )


def rate(code, tail="1234", *, score=5, comment="", client="10.0.0.1"):
    return Client().post(
        TRACK,
        {
            "action": "rate",
            "code": code,
            "phone_tail": tail,
            "score": score,
            "comment": comment,
        },
        REMOTE_ADDR=client,
    )


def api(path, body, *, client="10.0.0.1"):
    return APIClient(enforce_csrf_checks=True).post(
        path, body, format="json", REMOTE_ADDR=client
    )


def page(response) -> str:
    """Return the page without its CSRF tokens, which differ on every render."""
    return CSRF_INPUT.sub("", response.content.decode())


def assert_nothing_secret(text: str):
    for secret in SECRETS:
        assert secret not in text


def dashed_lower(code: str) -> str:
    return tracking.display(code).lower()


def fail_on(code, times, *, client="10.0.0.1"):
    for _ in range(times):
        assert tracking.find(code, "0000", client=client) is None


#
# The page
#


def test_the_form_is_public_and_kept_out_of_caches_and_indexes(world):
    """Anyone may open the form; the page is not stored, indexed or referred."""
    response = Client().get(TRACK)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="code"' in html
    assert 'name="phone_tail"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert re.search(r'<form method="post" action="/track/"', html)


def test_the_page_speaks_chinese_by_default_and_the_switcher_works(world, settings):
    """Without a choice the page is in Simplified Chinese; a choice sticks."""
    settings.LANGUAGE_CODE = "zh-hans"
    browser = Client()
    response = browser.get(TRACK)
    assert '<html lang="zh-hans">' in response.content.decode()
    assert response.headers["Content-Language"] == "zh-hans"

    switched = browser.post("/i18n/setlang/", {"language": "en", "next": TRACK})
    assert switched.status_code == 302
    assert switched.headers["Location"] == TRACK
    assert '<html lang="en">' in browser.get(TRACK).content.decode()


def test_a_code_in_the_query_string_is_ignored(tracked):
    """G-PII4: a GET never queries, whatever its URL carries."""
    response = Client().get(TRACK, {"code": tracked.code, "phone_tail": "1234"})
    assert response.status_code == 200
    assert tracked.case.number not in response.content.decode()
    assert TrackAttempt.objects.count() == 0


def test_the_party_sees_the_public_view_only(solved):
    """Public events and the officer's name and badge; nothing internal."""
    response = query(dashed_lower(solved.code))
    html = response.content.decode()
    case = solved.case
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert case.number in html
    assert PUBLIC_NOTE in html
    assert SOLVED_TEXT in html
    assert "已受理。" in html
    assert "李明" in html
    assert solved.officer.badge_number in html
    assert case.grid.area.station.name in html
    assert 'aria-current="step"' in html
    assert_nothing_secret(html)
    # The code travels in the rating form's body, never in a link.
    assert not re.search(r'(href|action)="[^"]*' + solved.code, html)


def test_the_stepper_follows_the_status(tracked, other):
    """An investigated case is at its third step; a dropped one ends dropped."""
    html = query(tracked.code).content.decode()
    states = re.findall(r'<li class="step (\w+)"', html)
    assert states == ["done", "done", "current", "todo", "todo"]

    workflow.drop(other.case, by=other.officer, reason="不构成违法。")
    html = query(other.code, "9999").content.decode()
    states = re.findall(r'<li class="step (\w+)"', html)
    assert states == ["done", "done", "done", "dropped"]
    assert "不构成违法。" in html


def test_code_forms_are_forgiving(tracked):
    """Dashes, spaces, small letters, look-alikes and full-width all work."""
    code = tracked.code
    look_alike = code.replace("0", "o").replace("1", "l")
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    for typed in (dashed_lower(code), " ".join(code), look_alike, full_width):
        assert tracked.case.number in query(typed).content.decode()


@pytest.mark.parametrize(
    ("code", "tail"),
    [
        ("", ""),
        ("A" * 11, "1234"),
        ("U" * 12, "1234"),
        ("A" * 100_000, "1234"),
        ("ABCD-EFGH-JKMN", "12a4"),
        ("ABCD-EFGH-JKMN", "123"),
        ("ABCD-EFGH-JKMN", "9" * 100_000),
        ("ABCD\x00EFGH-JKMN", "12\x0034"),
        ("案件查询码十二个字符啊啊啊", "一二三四"),
    ],
)
def test_malformed_input_is_a_field_error_not_a_query(world, code, tail):
    """A code or tail of the wrong form is answered on the form, uncounted."""
    response = query(code, tail)
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert TrackAttempt.objects.count() == 0


def test_junk_posts_never_fail(tracked):
    """Missing fields, repeated fields and a rating without its code: no 500."""
    http = Client()
    assert http.post(TRACK, {}).status_code == 200
    assert (
        http.post(TRACK, {"code": [tracked.code, "x"], "phone_tail": []}).status_code
        == 200
    )
    assert http.post(TRACK, {"action": "rate"}).status_code == 200
    assert http.post(TRACK, {"action": "rate", "score": "5"}).status_code == 200
    assert http.post(TRACK, {"action": ["rate", "x"]}).status_code == 200
    assert http.put(TRACK).status_code == 405


#
# Every failure alike
#


def test_every_failure_gives_the_same_page(tracked, other):
    """Unknown code, wrong tail, another case, suspect, witness, locked, over limit."""
    baseline = query(tracking.new_code())
    assert baseline.status_code == 200
    assert str(GENERIC_FAILURE) in baseline.content.decode()
    expected = page(baseline)

    failures = {
        "wrong phone": query(tracked.code, "4321"),
        "another case's code": query(other.code, "1234"),
        "this tail on another case": query(tracked.code, "9999"),
        "suspect": query(tracked.code, SUSPECT_PHONE[-4:]),
        "witness": query(tracked.code, WITNESS_PHONE[-4:]),
        "rating with a wrong phone": rate(tracked.code, "4321"),
    }
    # Five failures on the code by now: it is locked.
    tracked.case.refresh_from_db()
    assert tracked.case.tracking_locked_until is not None
    failures["locked code, right phone"] = query(tracked.code, "1234")
    fail_on(tracking.new_code(), tracking.MAX_FAILURES_PER_CLIENT, client="10.6.6.6")
    failures["client over its limit"] = query(other.code, "9999", client="10.6.6.6")

    for name, response in failures.items():
        assert (name, response.status_code) == (name, baseline.status_code)
        assert (name, page(response)) == (name, expected)
        assert_nothing_secret(page(response))


def test_every_api_failure_gives_the_same_answer(tracked, other):
    """The API's failures are one 404, byte for byte, on both endpoints."""
    baseline = api(API, {"code": tracking.new_code(), "phone_tail": "1234"})
    assert baseline.status_code == 404
    assert baseline.json() == {"detail": str(GENERIC_FAILURE)}
    rating = {"score": 5, "comment": ""}
    failures = {
        "wrong phone": api(API, {"code": tracked.code, "phone_tail": "4321"}),
        "another case's code": api(API, {"code": other.code, "phone_tail": "1234"}),
        "suspect": api(API, {"code": tracked.code, "phone_tail": "5678"}),
        "witness": api(API, {"code": tracked.code, "phone_tail": "2468"}),
        "rating, wrong phone": api(
            API_RATE, {"code": tracked.code, "phone_tail": "4321", **rating}
        ),
        "rating, unknown code": api(
            API_RATE, {"code": tracking.new_code(), "phone_tail": "1234", **rating}
        ),
    }
    fail_on(tracked.code, 1, client="10.5.5.5")  # the fifth: locked
    failures["locked"] = api(API, {"code": tracked.code, "phone_tail": "1234"})
    fail_on(tracking.new_code(), tracking.MAX_FAILURES_PER_CLIENT, client="10.6.6.6")
    failures["over limit"] = api(
        API, {"code": other.code, "phone_tail": "9999"}, client="10.6.6.6"
    )
    for name, response in failures.items():
        assert (name, response.status_code) == (name, 404)
        assert (name, response.content) == (name, baseline.content)


#
# Limits and the attempt log
#


def test_five_failures_in_an_hour_lock_the_code_until_a_new_one(tracked, caplog):
    """Four failures leave the code usable; the fifth locks it for everyone."""
    fail_on(tracked.code, tracking.MAX_FAILURES_PER_CODE - 1)
    assert tracking.find(tracked.code, "1234", client="10.0.0.1") is not None

    fail_on(tracked.code, 1, client="10.0.0.2")
    tracked.case.refresh_from_db()
    assert tracked.case.tracking_locked_until > timezone.now()
    assert "track code locked" in caplog.text
    assert tracking.find(tracked.code, "1234", client="10.0.0.3") is None
    assert query(tracked.code, client="10.0.0.3").content.count(b"data-timeline") == 0
    if connection.vendor == "postgresql":
        # The lock is an update of the case row: the audit trail has it.
        assert tracked.case.audit_events.filter(
            tracking_locked_until__isnull=False
        ).exists()

    new_code = workflow.issue_query_code(tracked.case, by=tracked.officer)
    assert tracking.find(new_code, "1234", client="10.0.0.3") is not None
    assert tracking.find(tracked.code, "1234", client="10.0.0.3") is None


def test_failures_older_than_an_hour_are_forgotten(tracked):
    """Only failures within the last hour count towards the code's limit."""
    long_ago = timezone.now() - tracking.WINDOW - datetime.timedelta(minutes=1)
    TrackAttempt.objects.bulk_create(
        TrackAttempt(
            at=long_ago,
            client="10.0.0.9",
            code_hash=tracking.code_hash(tracked.code),
            case=tracked.case,
            succeeded=False,
        )
        for _ in range(10)
    )
    fail_on(tracked.code, 1)
    assert tracking.find(tracked.code, "1234", client="10.0.0.1") is not None


def test_thirty_failures_lock_out_the_client_only(tracked):
    """A client's 30th failure in an hour shuts it out; others still get in."""
    fail_on(tracking.new_code(), 29, client="10.3.0.1")
    assert tracking.find(tracked.code, "1234", client="10.3.0.1") is not None
    fail_on(tracking.new_code(), 1, client="10.3.0.1")
    assert tracking.find(tracked.code, "1234", client="10.3.0.1") is None
    assert tracking.find(tracked.code, "1234", client="10.3.0.2") is not None
    response = query(tracked.code, client="10.3.0.1")
    assert str(GENERIC_FAILURE) in response.content.decode()


def test_a_locked_out_address_adds_no_failures_to_the_codes_it_tries(tracked):
    """Issue 27, item 7: behind a shared address (a carrier's NAT) that is
    locked out, right and wrong attempts alike leave the code usable."""
    fail_on(tracking.new_code(), tracking.MAX_FAILURES_PER_CLIENT, client="10.4.0.1")
    for tail in ["1234"] * 3 + ["0000"] * 3:
        assert tracking.find(tracked.code, tail, client="10.4.0.1") is None
    tracked.case.refresh_from_db()
    assert tracked.case.tracking_locked_until is None
    assert tracking.find(tracked.code, "1234", client="10.4.0.2") is not None
    logged = TrackAttempt.objects.filter(case=tracked.case, client="10.4.0.1")
    assert logged.count() == 6
    assert all(attempt.client_locked for attempt in logged)


def test_every_try_is_logged(tracked):
    """Each query leaves an attempt with its client, code hash, case and result."""
    query(tracked.code, "1234", client="10.1.0.1")
    query(tracked.code, "4321", client="10.1.0.2")
    unknown = tracking.new_code()
    query(unknown, "1234", client="2001:db8::1")
    api(API, {"code": tracked.code, "phone_tail": "4321"}, client="10.1.0.3")
    attempts = list(
        TrackAttempt.objects.order_by("pk").values_list(
            "client", "code_hash", "case", "succeeded"
        )
    )
    digest = tracking.code_hash(tracked.code)
    assert attempts == [
        ("10.1.0.1", digest, tracked.case.pk, True),
        ("10.1.0.2", digest, tracked.case.pk, False),
        ("2001:db8::1", tracking.code_hash(unknown), None, False),
        ("10.1.0.3", digest, tracked.case.pk, False),
    ]
    # Hashes only: the code itself is stored nowhere.
    assert not TrackAttempt.objects.filter(code_hash__icontains=tracked.code).exists()


def test_a_request_without_an_address_is_counted_all_the_same(tracked):
    """A unix-socket request (no REMOTE_ADDR) shares one bucket, not a 500."""
    response = Client().post(
        TRACK, {"code": tracked.code, "phone_tail": "4321"}, REMOTE_ADDR=""
    )
    assert response.status_code == 200
    assert TrackAttempt.objects.get().client == "0.0.0.0"


#
# Ratings
#


def found_victim(tracked: Tracked) -> tracking.Found:
    found = tracking.find(tracked.code, "1234", client="10.0.0.1")
    assert found is not None
    return found


def test_a_case_under_way_cannot_be_rated(tracked):
    """Before the case is solved: no form, and a forced rating is refused."""
    assert 'name="score"' not in query(tracked.code).content.decode()
    with pytest.raises(ValidationError, match="once the case is solved"):
        tracking.rate(found_victim(tracked), score=5)
    response = rate(tracked.code)
    assert response.status_code == 200
    assert "once the case is solved" in response.content.decode()
    assert Rating.objects.count() == 0


def test_a_dropped_case_cannot_be_rated(tracked):
    workflow.drop(tracked.case, by=tracked.officer, reason="不构成违法。")
    with pytest.raises(ValidationError, match="once the case is solved"):
        tracking.rate(found_victim(tracked), score=1)
    assert Rating.objects.count() == 0


@pytest.mark.parametrize("closed", [False, True])
def test_a_solved_or_closed_case_is_rated_once(solved, closed):
    """The party rates the officer in charge once; a second try is refused."""
    if closed:
        workflow.close(solved.case, by=solved.officer)
    assert 'name="score"' in query(solved.code).content.decode()
    rating = tracking.rate(found_victim(solved), score=4, comment="  很负责  ")
    assert (rating.score, rating.comment) == (4, "很负责")
    assert rating.officer == solved.case.officer
    assert rating.party == solved.case.parties.get(role="victim")

    with pytest.raises(tracking.AlreadyRated):
        tracking.rate(found_victim(solved), score=1)
    assert Rating.objects.count() == 1


def test_the_rating_page_thanks_the_party_and_shows_the_rating(solved):
    """A rating through the page is stored, thanked for and shown again later."""
    response = rate(dashed_lower(solved.code), score=5, comment="民警很负责")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Thank you for your rating" in html
    assert 'data-score="5"' in html
    assert "民警很负责" in html
    assert 'name="score"' not in html
    assert_nothing_secret(html)
    assert Rating.objects.get().comment == "民警很负责"

    again = rate(solved.code, score=1)
    assert "You have already rated this case." in again.content.decode()
    assert 'data-score="5"' in again.content.decode()
    later = query(solved.code).content.decode()
    assert "Your rating" in later
    assert 'data-score="5"' in later
    assert Rating.objects.get().score == 5


@pytest.mark.parametrize(
    ("score", "comment"),
    [("", ""), ("0", ""), ("6", ""), ("five", ""), ("5", "长" * 501)],
)
def test_an_invalid_rating_is_a_field_error(solved, score, comment):
    response = rate(solved.code, score=score, comment=comment)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="field-error"' in html
    assert 'name="score"' in html
    assert Rating.objects.count() == 0


def test_a_rating_counts_as_a_query(solved):
    """The rating re-checks the code and tail, and is logged like a query."""
    rate(solved.code, score=3)
    assert TrackAttempt.objects.filter(succeeded=True).count() == 1
    rate(solved.code, "4321", score=3)
    assert TrackAttempt.objects.filter(succeeded=False).count() == 1
    assert Rating.objects.count() == 1


def test_a_lost_race_becomes_already_rated(solved, monkeypatch):
    """When the insert loses to a concurrent one, the error is AlreadyRated.

    The pre-check is made to miss the rating stored meanwhile, so that the
    unique constraint decides; the savepoint leaves the transaction usable.
    """
    found = found_victim(solved)
    tracking.rate(found, score=5)
    misses = [True]
    exists = QuerySet.exists

    def stale_exists(queryset):
        if queryset.model is Rating and misses:
            misses.pop()
            return False
        return exists(queryset)

    monkeypatch.setattr(QuerySet, "exists", stale_exists)
    with pytest.raises(tracking.AlreadyRated):
        tracking.rate(found, score=1)
    assert misses == []
    assert list(Rating.objects.values_list("score", flat=True)) == [5]


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_ratings_store_exactly_one(world):
    """G-PII7: ten simultaneous submits by one party leave one rating."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    found = found_victim(solve(open_theft(world)))
    start = threading.Barrier(10)
    outcomes = []

    def submit(score):
        try:
            start.wait(timeout=10)
            tracking.rate(found, score=score)
            outcomes.append("rated")
        except tracking.AlreadyRated:
            outcomes.append("already rated")
        except Exception as error:  # reported by the assert below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(1 + n % 5,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["already rated"] * 9 + ["rated"]
    assert Rating.objects.filter(case=found.case, party=found.party).count() == 1


#
# The API
#


def test_the_api_answers_a_party_without_an_account(solved):
    """No token and no CSRF token: the code and the tail are the credentials."""
    response = api(API, {"code": dashed_lower(solved.code), "phone_tail": "1234"})
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    body = response.json()
    case = solved.case
    assert body["number"] == case.number
    assert (body["kind"], body["category"], body["status"]) == (
        "criminal",
        "theft",
        "solved",
    )
    assert body["officer"] == {
        "name": "李明",
        "badge_number": case.officer.badge_number,
    }
    assert body["station"] == case.grid.area.station.name
    assert [event["kind"] for event in body["events"]] == [
        "reported",
        "accepted",
        "investigating",
        "progress",
        "solved",
    ]
    assert body["events"][3]["text"] == PUBLIC_NOTE
    assert set(body["events"][0]) == {"kind", "kind_display", "at", "text"}
    assert body["may_rate"] is True
    assert body["rating"] is None
    assert_nothing_secret(json.dumps(body, ensure_ascii=False))


def test_the_api_rates_once(solved):
    body = {"code": solved.code, "phone_tail": "1234", "score": 5, "comment": "好"}
    created = api(API_RATE, body)
    assert created.status_code == 201
    assert created.json()["score"] == 5
    assert set(created.json()) == {"score", "comment", "created_at"}

    again = api(API_RATE, {**body, "score": 1})
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["You have already rated this case."]}
    assert Rating.objects.count() == 1
    after = api(API, {"code": solved.code, "phone_tail": "1234"}).json()
    assert after["may_rate"] is False
    assert after["rating"]["score"] == 5


def test_the_api_refuses_a_rating_before_the_case_is_solved(tracked):
    body = {"code": tracked.code, "phone_tail": "1234", "score": 5}
    response = api(API_RATE, body)
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert Rating.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        [],
        "text",
        {"code": None, "phone_tail": None},
        {"code": 12345, "phone_tail": 1234},
        {"code": "A" * 100_000, "phone_tail": "1234"},
        {"code": "ABCD-EFGH-JKMN", "phone_tail": "abcd"},
        {"code": "ABCD-EFGH-JKMN", "phone_tail": "1" * 100_000},
        {"code": "ABCD\u0000EFGH", "phone_tail": "12\u00004"},
        {"code": ["ABCD"], "phone_tail": {"x": 1}},
    ],
)
@pytest.mark.parametrize("path", [API, API_RATE])
def test_the_api_survives_junk(world, path, body):
    """Malformed bodies are 400s with field errors, never 500s nor queries."""
    response = api(path, body)
    assert response.status_code == 400
    assert TrackAttempt.objects.count() == 0


@pytest.mark.parametrize(
    "rating",
    [
        {},
        {"score": 0},
        {"score": 6},
        {"score": "five"},
        {"score": 4.5},
        {"score": 10**30},
        {"score": 5, "comment": "长" * 501},
        {"score": 5, "comment": None},
    ],
)
def test_the_api_rejects_a_bad_rating(solved, rating):
    response = api(API_RATE, {"code": solved.code, "phone_tail": "1234", **rating})
    assert response.status_code == 400
    assert Rating.objects.count() == 0


def test_the_api_takes_json_only(solved):
    """A cross-site HTML form cannot post to the CSRF-exempt API."""
    response = Client().post(API, {"code": solved.code, "phone_tail": "1234"})
    assert response.status_code == 415
    broken = Client().post(API, "{", content_type="application/json")
    assert broken.status_code == 400


def test_a_failed_api_query_is_committed(tracked):
    """The failure is answered, not raised, so the request keeps its attempt."""
    api(API, {"code": tracked.code, "phone_tail": "4321"})
    assert TrackAttempt.objects.filter(succeeded=False).count() == 1


def test_the_schema_keeps_codes_and_phones_out_of_urls(world):
    """G-PII4: the track operations take a JSON body and no query parameter."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/v1/track/", "/api/v1/track/rating/"):
        operations = schema["paths"][path]
        assert set(operations) == {"post"}
        operation = operations["post"]
        assert operation["tags"] == ["track"]
        assert not operation.get("parameters")
        body = operation["requestBody"]["content"]
        assert set(body) == {"application/json"}
        assert set(operation["responses"]) >= {"400", "404"}


#
# Query counts (STYLE §5)
#


def test_the_pages_query_counts_are_pinned(solved, django_assert_num_queries):
    """The form reads nothing; a found case takes a fixed seven queries.

    Both also open and close the request's transaction (ATOMIC_REQUESTS).
    A query: the case (locked), its parties, the client's failures and the
    attempt, in a savepoint; then the case with its officer and station, its
    public events and the party's rating.
    """
    with django_assert_num_queries(2):
        Client().get(TRACK)
    with django_assert_num_queries(2 + 2 + 4 + 3):
        query(solved.code)
