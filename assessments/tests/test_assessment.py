"""The monthly assessment (SPEC §3, §4), against a month worked out by hand.

The month under test is October 2026: 2026-10-01 00:00 to 2026-11-01
00:00, Asia/Shanghai (UTC+8, no daylight saving time), 31 days. The clock
is frozen at 2026-11-05 12:00 local time, so October is over and is "last
month", and November is running.

Default targets (no quota policy): 28 patrol hours and 20 information items
a week, so for October 28 * 31 / 7 = 124 hours and 20 * 31 / 7 = 620 / 7
items. Default weights (no stored weights): visibility 15, familiarity 20,
incident rate 15, information 15, effectiveness 15, satisfaction 20.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import assessment, assessment_api
from assessments.assessment import Row, competition_ranks, weighted_score
from assessments.models import (
    DEFAULT_WEIGHTS,
    INDICATORS,
    AssessmentPolicy,
    AssessmentRow,
    AssessmentStatus,
    MonthlyAssessment,
)
from cases.models import CaseEvent, CaseParty, Rating
from cases.tests.factories import CaseEventFactory, CaseFactory
from disputes.models import DisputeEvent
from disputes.tests.factories import (
    DisputeEventFactory,
    DisputeFactory,
    ReturnVisitFactory,
)
from grids.tests.factories import (
    AreaFactory,
    GridFactory,
    HouseholdFactory,
    ResidentFactory,
)
from policing.periods import MONTH_FORMAT, NO_SUCH_MONTH, Month
from policing.scope import forget_scope
from stations.models import Assignment, Person
from stations.tests.factories import (
    AssignmentFactory,
    BureauFactory,
    PersonFactory,
    PostFactory,
    StationFactory,
)
from visits.tests.factories import PatrolFactory, VisitFactory, local

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 5, 12)
OCTOBER = Month(2026, 10)
NOVEMBER = Month(2026, 11)
URL = "/api/v1/assessments/"
COMPUTE_URL = "/api/v1/assessments/compute/"
PUBLISH_URL = "/api/v1/assessments/publish/"
ROW_KEYS = {
    "person",
    "person_name",
    "station",
    *INDICATORS,
    "score",
    "rank_in_station",
    "rank_in_bureau",
}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="module")
def world_time():
    """The module's ``world`` is built at the instant its tests run at."""
    return NOW


def d(value: str) -> Decimal:
    return Decimal(value)


#
# The worked month
#


def visit(person, household, at, info_items=0):
    return VisitFactory(
        person=person, household=household, visited_at=at, info_items=info_items
    )


def patrol(person, grid, started_at, ended_at):
    return PatrolFactory(
        person=person, grid=grid, started_at=started_at, ended_at=ended_at
    )


def dispute_event(dispute, kind, at):
    return DisputeEventFactory(
        dispute=dispute, kind=kind, at=at, by=dispute.reported_by
    )


def case_event(case, kind, at):
    return CaseEventFactory(case=case, kind=kind, at=at, by=case.officer)


def rate(case, officer, at, score):
    party = CaseParty.objects.create(
        case=case, role=CaseParty.Role.VICTIM, name="当事人", phone="13900001111"
    )
    rating = Rating.objects.create(case=case, party=party, officer=officer, score=score)
    Rating.objects.filter(pk=rating.pk).update(created_at=at)
    return rating


@pytest.fixture
def county():
    """Bureau X: station S (grids A and B) and station T (grid C).

    Assessed: officer P (responsible for A), auxiliaries Q and Q2 (assist on
    A), officer W (responsible for B from Oct 31) in S; officer R
    (responsible for C) in T. Not assessed: S's chief (assigned to B), the
    bureau's staff, U (a post only), V (B until Sep 30), and Y's officer.
    The bureau's policy keeps the default weights and sets the incident
    target to 2,000 cases per 10,000 residents, so that a handful of
    residents gives a rate in the sloping part.
    """
    bureau = BureauFactory(name="X县公安局")
    s, t = StationFactory(bureau=bureau), StationFactory(bureau=bureau)
    area_s = AreaFactory(station=s)
    grid_a, grid_b = GridFactory(area=area_s), GridFactory(area=area_s)
    grid_c = GridFactory(area=AreaFactory(station=t))
    AssessmentPolicy.objects.create(bureau=bureau, incident_target_per_10k=d("2000.00"))
    since = datetime.date(2026, 1, 1)

    def staff(name, station, grid=None, **kwargs):
        role = kwargs.pop("role", Assignment.Role.RESPONSIBLE)
        start, end = kwargs.pop("start", since), kwargs.pop("end", None)
        person = PersonFactory(name=name, station=station, **kwargs)
        if grid is not None:
            AssignmentFactory(person=person, grid=grid, role=role, start=start, end=end)
        return person

    p = staff("P警官", s, grid_a)
    q = staff("Q辅警", s, grid_a, kind=Person.Kind.AUXILIARY, role="assistant")
    q2 = staff("Q2辅警", s, grid_a, kind=Person.Kind.AUXILIARY, role="assistant")
    w = staff("W警官", s, grid_b, start=datetime.date(2026, 10, 31))
    r = staff("R警官", t, grid_c)
    staff("S所长", s, grid_b, is_chief=True, role="assistant")
    PersonFactory(name="局机关", station=None, bureau=bureau)
    u = staff("U警官", s)
    post = PostFactory(station=s)
    post.serves.add(area_s)
    AssignmentFactory(person=u, post=post)
    staff("V警官", s, grid_b, end=datetime.date(2026, 9, 30))
    other = StationFactory()
    staff("外局警官", other, GridFactory(area=AreaFactory(station=other)))

    # Grid A: households h1..h5 with 2 + 2 + 2 + 1 + 1 = 8 residents.
    h = [HouseholdFactory(grid=grid_a) for _ in range(5)]
    for household, residents in zip(h, (2, 2, 2, 1, 1), strict=True):
        ResidentFactory.create_batch(residents, household=household)
    hb = HouseholdFactory(grid=grid_b)
    ResidentFactory(household=hb)

    # Visibility: P patrols 12 h (Oct 10), 4 h of Sep 30 22:00-Oct 1 04:00,
    # 2 h of Oct 31 22:00-Nov 1 03:00 and 12 h in grid B (any grid counts).
    patrol(p, grid_a, local(2026, 10, 10, 8), local(2026, 10, 10, 20))
    patrol(p, grid_a, local(2026, 9, 30, 22), local(2026, 10, 1, 4))
    patrol(p, grid_a, local(2026, 10, 31, 22), local(2026, 11, 1, 3))
    patrol(p, grid_b, local(2026, 10, 20, 9), local(2026, 10, 20, 21))
    # R patrols Oct 1 00:00 to Oct 3 14:00: 62 h.
    patrol(r, grid_c, local(2026, 10, 1), local(2026, 10, 3, 14))

    # Familiarity and information: P's visits.
    visit(p, h[0], local(2026, 10, 31, 23, 59), info_items=10)  # in October
    visit(p, h[0], local(2026, 10, 5, 9), info_items=20)  # h1 again
    visit(p, h[1], local(2026, 8, 3, 0, 0))  # first minute of the 90 days
    visit(p, h[2], local(2026, 8, 2, 23, 59), info_items=5)  # before them
    visit(p, h[3], local(2026, 11, 1, 0, 0), info_items=7)  # November
    visit(p, hb, local(2026, 10, 12, 9), info_items=1)  # grid B: not P's
    visit(r, HouseholdFactory(grid=GridFactory()), local(2026, 10, 2), 62)

    # Incident rate: cases reported in grid A.
    c0 = CaseFactory(grid=grid_a, officer=p, reported_at=local(2026, 9, 30, 23, 59))
    c1 = CaseFactory(grid=grid_a, officer=p, reported_at=local(2026, 10, 3, 9))
    c2 = CaseFactory(grid=grid_a, officer=p, reported_at=local(2026, 10, 31, 23, 59))
    CaseFactory(grid=grid_a, officer=p, reported_at=local(2026, 11, 1, 0, 0))
    CaseFactory(grid=grid_b, officer=p, reported_at=local(2026, 10, 3, 9))

    # Effectiveness: disputes of grid A and the cases' conclusions.
    d1, d2, d3, d4 = (DisputeFactory(grid=grid_a, reported_by=p) for _ in range(4))
    dispute_event(d1, DisputeEvent.Kind.RESOLVED, local(2026, 10, 10))
    dispute_event(d2, DisputeEvent.Kind.REFERRED, local(2026, 10, 12))
    dispute_event(d3, DisputeEvent.Kind.FAILED, local(2026, 9, 28))
    dispute_event(d4, DisputeEvent.Kind.RESOLVED, local(2026, 10, 20))
    case_event(c0, CaseEvent.Kind.SOLVED, local(2026, 10, 5))
    case_event(c1, CaseEvent.Kind.DROPPED, local(2026, 10, 20))
    case_event(c2, CaseEvent.Kind.SOLVED, local(2026, 11, 2))

    # Satisfaction: P's ratings and the return visits of grid A's disputes.
    rated = CaseFactory(grid=grid_a, officer=p, reported_at=local(2026, 6, 1))
    rate(rated, p, local(2026, 10, 15), 5)
    rate(rated, p, local(2026, 10, 20), 3)
    rate(rated, p, local(2026, 11, 1, 0, 0), 5)  # November
    rate(rated, p, local(2026, 9, 30, 23, 59), 1)  # September
    ReturnVisitFactory(dispute=d1, by=p, visited_at=local(2026, 10, 15), satisfaction=4)
    ReturnVisitFactory(dispute=d4, by=p, visited_at=local(2026, 10, 25), satisfaction=2)
    ReturnVisitFactory(dispute=d4, by=p, visited_at=local(2026, 11, 1), satisfaction=5)

    return SimpleNamespace(
        bureau=bureau, s=s, t=t, grid_a=grid_a, p=p, q=q, q2=q2, w=w, r=r
    )


def rows_by_name(rows) -> dict[str, Row]:
    return {row.person_name: row for row in rows}


def indicators(row) -> tuple:
    return tuple(getattr(row, name) for name in INDICATORS)


#
# The indicators, one by one
#


def test_only_field_staff_with_a_grid_in_the_month_are_assessed(county):
    """Chiefs, bureau staff, post-only staff and past assignments are left out."""
    rows = assessment.compute_month(county.bureau, OCTOBER)
    assert sorted(row.person_name for row in rows) == sorted(
        ["P警官", "Q辅警", "Q2辅警", "W警官", "R警官"]
    )


def test_visibility(county):
    rows = rows_by_name(assessment.compute_month(county.bureau, OCTOBER))
    # P: 12 + 4 (Oct 1 00:00-04:00) + 2 (Oct 31 22:00-24:00) + 12 (grid B)
    #    = 30 h against 28 * 31 / 7 = 124 h: 30 / 124 = 24.1935... -> 24.19
    assert rows["P警官"].visibility == d("24.19")
    # R: 62 h / 124 h = 50.00; Q without patrols: 0.00
    assert rows["R警官"].visibility == d("50.00")
    assert rows["Q辅警"].visibility == d("0.00")


def test_visibility_is_capped_at_100(county):
    patrol(county.q, county.grid_a, local(2026, 10, 11), local(2026, 10, 20))
    # 9 days = 216 h > 124 h
    rows = rows_by_name(assessment.compute_month(county.bureau, OCTOBER))
    assert rows["Q辅警"].visibility == d("100.00")


def test_a_running_patrol_counts_up_to_now_clipped_to_the_month(county):
    PatrolFactory(
        person=county.q,
        grid=county.grid_a,
        started_at=local(2026, 10, 31, 0, 0),
        ended_at=None,
    )
    # Running since Oct 31 00:00: 24 h of October; 24 / 124 = 19.35
    rows = rows_by_name(assessment.compute_month(county.bureau, OCTOBER))
    assert rows["Q辅警"].visibility == d("19.35")


def test_familiarity(county):
    rows = rows_by_name(assessment.compute_month(county.bureau, OCTOBER))
    # Grid A has 5 households. The 90 days ending with October run from
    # Aug 3 00:00 to Nov 1 00:00: P visited h1 (Oct 5, Oct 31 23:59) and h2
    # (Aug 3 00:00), not h3 (Aug 2 23:59) nor h4 (Nov 1 00:00) in them.
    # 2 / 5 = 40.00
    assert rows["P警官"].familiarity == d("40.00")
    assert rows["Q辅警"].familiarity == d("0.00")
    # W took over grid B on Oct 31: 1 household, not visited by W.
    assert rows["W警官"].familiarity == d("0.00")
    # Grid C has no household: no familiarity rather than 0.
    assert rows["R警官"].familiarity is None


def test_incident_rate(county):
    rows = rows_by_name(assessment.compute_month(county.bureau, OCTOBER))
    # Grid A: c1 (Oct 3) and c2 (Oct 31 23:59) in October, not c0 (Sep 30
    # 23:59) nor the case of Nov 1 00:00; 8 residents.
    # 2 * 10,000 / 8 = 2500 per 10k; target 2000, zero at 4000:
    # 100 * (4000 - 2500) / 2000 = 75.00, for everyone working in grid A.
    assert rows["P警官"].incident_rate == d("75.00")
    assert rows["Q辅警"].incident_rate == d("75.00")
    # Grid B: 1 case, 1 resident: 10,000 per 10k >= 4000 -> 0.00
    assert rows["W警官"].incident_rate == d("0.00")
    # Grid C: no residents, no rate.
    assert rows["R警官"].incident_rate is None


def test_incident_rate_at_or_below_the_target_scores_100(county):
    policy = AssessmentPolicy.objects.get(bureau=county.bureau)
    policy.incident_target_per_10k = d("2500.00")
    policy.save()
    rows = rows_by_name(assessment.compute_month(county.bureau, OCTOBER))
    assert rows["P警官"].incident_rate == d("100.00")


def test_incident_score_scale():
    target = d("5.00")
    assert assessment.incident_score(d("0.00"), target=target) == d("100.00")
    assert assessment.incident_score(d("5.00"), target=target) == d("100.00")
    # 100 * (10 - 6.5) / 5 = 70
    assert assessment.incident_score(d("6.50"), target=target) == d("70.00")
    assert assessment.incident_score(d("10.00"), target=target) == d("0.00")
    assert assessment.incident_score(d("40.00"), target=target) == d("0.00")
    assert assessment.incident_score(None, target=target) is None


def test_information(county):
    rows = rows_by_name(assessment.compute_month(county.bureau, OCTOBER))
    # P in October: 10 + 20 + 1 (grid B counts) = 31 items, not the 7 of
    # Nov 1 00:00 nor the 5 of August; 31 / (20 * 31 / 7) = 0.35 -> 35.00
    assert rows["P警官"].information == d("35.00")
    # R: 62 / (620 / 7) = 0.7 -> 70.00
    assert rows["R警官"].information == d("70.00")
    assert rows["Q辅警"].information == d("0.00")


def test_effectiveness(county):
    rows = rows_by_name(assessment.compute_month(county.bureau, OCTOBER))
    # Disputes of grid A ended in October: d1 (resolved), d2 (referred),
    # d4 (resolved), not d3 (failed in September): 2 of 3.
    # Cases of grid A concluded in October: c0 (solved Oct 5), c1 (dropped),
    # not c2 (solved Nov 2): 1 of 2.
    # (2 + 1) / (3 + 2) = 60.00
    assert rows["P警官"].effectiveness == d("60.00")
    assert rows["Q辅警"].effectiveness == d("60.00")
    # Nothing ended in grids B or C: no effectiveness.
    assert rows["W警官"].effectiveness is None
    assert rows["R警官"].effectiveness is None


def test_satisfaction(county):
    rows = rows_by_name(assessment.compute_month(county.bureau, OCTOBER))
    # P's ratings in October: 5 and 3 (not Nov 1 00:00's 5 nor Sep 30's 1);
    # grid A's return visits in October: 4 and 2 (not Nov 1's 5).
    # (1 + 1) / (2 + 2) = 50.00
    assert rows["P警官"].satisfaction == d("50.00")
    # Q is rated by nobody: the return visits only, 1 / 2.
    assert rows["Q辅警"].satisfaction == d("50.00")
    assert rows["R警官"].satisfaction is None


def test_score_with_every_indicator(county):
    rows = rows_by_name(assessment.compute_month(county.bureau, OCTOBER))
    # P: (24.19 * 15 + 40 * 20 + 75 * 15 + 35 * 15 + 60 * 15 + 50 * 20) / 100
    #  = (362.85 + 800 + 1125 + 525 + 900 + 1000) / 100 = 47.1285 -> 47.13
    assert rows["P警官"].score == d("47.13")
    # Q: (0 * 15 + 0 * 20 + 75 * 15 + 0 * 15 + 60 * 15 + 50 * 20) / 100
    #  = (1125 + 900 + 1000) / 100 = 30.25
    assert rows["Q辅警"].score == d("30.25")


def test_missing_indicators_spread_their_weight(county):
    rows = rows_by_name(assessment.compute_month(county.bureau, OCTOBER))
    r = rows["R警官"]
    # R has visibility 50 and information 70 only (weights 15 and 15):
    # (50 * 15 + 70 * 15) / 30 = 60.00
    assert indicators(r) == (d("50.00"), None, None, d("70.00"), None, None)
    assert r.score == d("60.00")
    # W: visibility, familiarity, incident rate, information all 0 (weights
    # 15 + 20 + 15 + 15 = 65), effectiveness and satisfaction missing: 0.00
    assert rows["W警官"].score == d("0.00")


def test_weighted_score_rescaling_and_no_score():
    weights = dict(DEFAULT_WEIGHTS)
    full = dict.fromkeys(INDICATORS, d("80.00"))
    assert weighted_score(full, weights) == d("80.00")
    partial = dict.fromkeys(INDICATORS, None) | {
        "familiarity": d("90.00"),
        "satisfaction": d("60.00"),
    }
    # (90 * 20 + 60 * 20) / 40 = 75.00
    assert weighted_score(partial, weights) == d("75.00")
    # Only indicators with weight 0 present: no score.
    weights |= {"familiarity": 0, "satisfaction": 0, "visibility": 100}
    assert weighted_score(partial, weights) is None


def test_ranks_in_station_and_bureau_share_ties(county):
    rows = assessment.compute_month(county.bureau, OCTOBER)
    # Scores: R 60.00, P 47.13, Q and Q2 30.25 (the same data), W 0.00.
    assert [
        (row.person_name, row.score, row.rank_in_bureau, row.rank_in_station)
        for row in rows
    ] == [
        ("R警官", d("60.00"), 1, 1),
        ("P警官", d("47.13"), 2, 1),
        ("Q2辅警", d("30.25"), 3, 2),
        ("Q辅警", d("30.25"), 3, 2),
        ("W警官", d("0.00"), 5, 4),
    ]


def test_competition_ranks():
    scores = {1: d("90"), 2: d("85"), 3: d("85"), 4: d("80"), 5: None}
    assert competition_ranks(scores) == {1: 1, 2: 2, 3: 2, 4: 4, 5: None}
    assert competition_ranks({}) == {}


def test_month_boundaries_are_local_midnight(county):
    """A visit at 23:59 on the last day counts; one at 00:00 on the 1st not."""
    household = HouseholdFactory(grid=county.grid_a)
    visit(county.q, household, local(2026, 10, 31, 23, 59), info_items=31)
    visit(county.q, household, local(2026, 11, 1, 0, 0), info_items=31)
    visit(county.q, household, local(2026, 9, 30, 23, 59), info_items=31)
    rows = rows_by_name(assessment.compute_month(county.bureau, OCTOBER))
    # 31 items (Oct 31 23:59 only) / (620 / 7) = 35.00
    assert rows["Q辅警"].information == d("35.00")
    # 23:59 Beijing time is 15:59 UTC: the local month, not the UTC one.
    assert local(2026, 10, 31, 23, 59).utcoffset() == datetime.timedelta(hours=8)


def test_the_bureau_weights_are_used(county):
    AssessmentPolicy.objects.filter(bureau=county.bureau).update(
        visibility_weight=50,
        familiarity_weight=50,
        incident_rate_weight=0,
        information_weight=0,
        effectiveness_weight=0,
        satisfaction_weight=0,
    )
    rows = rows_by_name(assessment.compute_month(county.bureau, OCTOBER))
    # P: (24.19 * 50 + 40 * 50) / 100 = 32.095 -> 32.10 (half up)
    assert rows["P警官"].score == d("32.10")
    # R: familiarity missing, so visibility alone: 50.00
    assert rows["R警官"].score == d("50.00")


#
# The policy
#


def test_a_bureau_without_policy_gets_the_defaults():
    bureau = BureauFactory()
    policy = AssessmentPolicy.for_bureau(bureau.pk)
    assert policy.pk is None
    assert policy.weights() == DEFAULT_WEIGHTS
    assert sum(DEFAULT_WEIGHTS.values()) == 100
    assert policy.incident_target_per_10k == d("5.00")


def test_weights_must_add_up_to_100():
    policy = AssessmentPolicy(bureau=BureauFactory(), visibility_weight=14)
    with pytest.raises(ValidationError, match="must add up to 100; these add up to 99"):
        policy.full_clean()


def test_the_database_refuses_weights_not_adding_up_to_100():
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentPolicy.objects.create(bureau=BureauFactory(), satisfaction_weight=0)


def test_policy_is_edited_in_the_admin_by_bureau_staff_only(world, client):
    """Bureau staff set their weights; a sum other than 100 stores nothing."""
    user = world.users["bureau_x"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    form = {
        "bureau": world.bureaus["X"].pk,
        **{f"{name}_weight": weight for name, weight in DEFAULT_WEIGHTS.items()},
        "incident_target_per_10k": "8.00",
    }
    url = "/admin/assessments/assessmentpolicy/add/"
    response = client.post(url, form | {"visibility_weight": 30})
    assert response.status_code == 200
    assert "these add up to 115" in response.content.decode()
    assert not AssessmentPolicy.objects.exists()
    response = client.post(url, form)
    assert response.status_code == 302
    policy = AssessmentPolicy.objects.get(bureau=world.bureaus["X"])
    assert policy.incident_target_per_10k == d("8.00")

    chief = world.users["chief_s"]
    chief.is_staff = True
    chief.save(update_fields=["is_staff"])
    client.force_login(chief)
    assert client.get(url).status_code == 403


#
# Cost
#


def count_queries(bureau) -> int:
    with CaptureQueriesContext(connection) as queries:
        assessment.compute_month(bureau, OCTOBER)
    return len(queries)


def test_query_count_does_not_grow_with_persons_or_data(county):
    before = count_queries(county.bureau)
    grid = GridFactory(area=AreaFactory(station=county.s))
    households = HouseholdFactory.create_batch(6, grid=grid)
    for n in range(8):
        person = PersonFactory(station=county.s)
        AssignmentFactory(person=person, grid=grid, role="assistant")
        for k in range(3):
            visit(person, households[(n + k) % 6], local(2026, 10, 1 + n + k), k)
        patrol(person, grid, local(2026, 10, 2 + n, 8), local(2026, 10, 2 + n, 12))
    for n in range(4):
        case = CaseFactory(grid=grid, officer=county.p, reported_at=local(2026, 10, 9))
        case_event(case, CaseEvent.Kind.SOLVED, local(2026, 10, 10 + n))
        dispute = DisputeFactory(grid=grid, reported_by=county.p)
        dispute_event(dispute, DisputeEvent.Kind.RESOLVED, local(2026, 10, 11))
        ReturnVisitFactory(dispute=dispute, by=county.p, visited_at=local(2026, 10, 12))
    after = count_queries(county.bureau)
    # persons with their own aggregates, their grids, the grids' aggregates,
    # the households visited, the quota policy, the assessment policy
    assert before == after == 6
    assert len(assessment.compute_month(county.bureau, OCTOBER)) == 5 + 8


#
# Storing and publishing
#


def stored_content(bureau, month=OCTOBER) -> list[tuple]:
    rows = AssessmentRow.objects.filter(
        assessment__bureau=bureau, assessment__month=month.first_day
    ).order_by("person_id")
    return [
        (
            row.person_id,
            row.station_id,
            *(getattr(row, name) for name in INDICATORS),
            row.score,
            row.rank_in_station,
            row.rank_in_bureau,
        )
        for row in rows
    ]


def test_store_keeps_the_computed_rows(county):
    stored = assessment.store_month(county.bureau, OCTOBER)
    assert stored.status == AssessmentStatus.COMPUTED
    assert stored.month == datetime.date(2026, 10, 1)
    assert stored.computed_at == NOW
    assert stored.parameters["weights"] == DEFAULT_WEIGHTS
    assert stored.parameters["incident_target_per_10k"] == "2000.00"
    assert assessment.stored_rows(stored.rows.all()) == assessment.compute_month(
        county.bureau, OCTOBER
    )


def test_storing_twice_replaces_the_rows(county):
    """Idempotent: same rows, same count, one assessment."""
    assessment.store_month(county.bureau, OCTOBER)
    first = stored_content(county.bureau)
    assessment.store_month(county.bureau, OCTOBER)
    assert stored_content(county.bureau) == first
    assert len(first) == 5
    assert AssessmentRow.objects.count() == 5
    assert MonthlyAssessment.objects.count() == 1


def test_storing_again_picks_up_new_data(county):
    assessment.store_month(county.bureau, OCTOBER)
    patrol(county.q, county.grid_a, local(2026, 10, 11, 8), local(2026, 10, 11, 20))
    assessment.store_month(county.bureau, OCTOBER)
    q = AssessmentRow.objects.get(person=county.q)
    assert q.visibility == d("9.68")  # 12 / 124
    assert AssessmentRow.objects.count() == 5


def test_a_running_month_is_not_stored(county):
    with pytest.raises(ValidationError, match="is not over yet"):
        assessment.store_month(county.bureau, NOVEMBER)
    assert not MonthlyAssessment.objects.exists()


def test_a_published_month_is_not_recomputed(county):
    assessment.store_month(county.bureau, OCTOBER)
    published = assessment.publish_month(county.bureau, OCTOBER, by=county.p)
    assert (published.status, published.published_at) == ("published", NOW)
    assert published.published_by == county.p
    before = stored_content(county.bureau)
    patrol(county.q, county.grid_a, local(2026, 10, 11, 8), local(2026, 10, 11, 20))
    with pytest.raises(ValidationError, match="is published"):
        assessment.store_month(county.bureau, OCTOBER)
    assert stored_content(county.bureau) == before


def test_publishing_needs_a_stored_month_and_happens_once(county):
    with pytest.raises(ValidationError, match="not been computed"):
        assessment.publish_month(county.bureau, OCTOBER, by=None)
    assessment.store_month(county.bureau, OCTOBER)
    assessment.publish_month(county.bureau, OCTOBER, by=None)
    with pytest.raises(ValidationError, match="already published"):
        assessment.publish_month(county.bureau, OCTOBER, by=county.p)
    assert MonthlyAssessment.objects.get().published_by is None


def test_task_stores_the_month(county):
    from assessments import tasks

    assert tasks.compute_monthly_assessment(county.bureau.pk, "2026-10") == 5
    assert MonthlyAssessment.objects.get().status == "computed"


def test_beat_queues_every_bureau_not_published(
    django_capture_on_commit_callbacks, monkeypatch
):
    from assessments import tasks

    first, second, published = BureauFactory(), BureauFactory(), BureauFactory()
    MonthlyAssessment.objects.create(
        bureau=published,
        month=OCTOBER.first_day,
        computed_at=NOW,
        status=AssessmentStatus.PUBLISHED,
    )
    queued = []
    monkeypatch.setattr(
        tasks.compute_monthly_assessment, "delay", lambda *args: queued.append(args)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.assess_previous_month() == 2
    assert sorted(queued) == [(first.pk, "2026-10"), (second.pk, "2026-10")]


def test_the_beat_schedule_runs_on_the_first_at_two():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["monthly-assessment"]
    assert entry["task"] == "assessments.tasks.assess_previous_month"
    schedule = entry["schedule"]
    assert (schedule.minute, schedule.hour, schedule.day_of_month) == (
        {0},
        {2},
        {1},
    )


#
# API: GET /api/v1/assessments/ on the shared ``world``
#
# In October 2026 bureau X assesses officer_a, auxiliary_a (grid A) and
# officer_b (grid B) in station S, and officer_c (grid C) in station T; the
# world's own field work is dated Nov 5, so only what a test adds counts.
#


def get(client, **params):
    return client.get(URL, {"month": "2026-10", **params})


def names(response) -> list[str]:
    return sorted(row["person_name"] for row in response.json()["results"])


def test_urls_are_named():
    assert reverse("assessment-list") == URL
    assert reverse("assessment-compute") == COMPUTE_URL
    assert reverse("assessment-publish") == PUBLISH_URL


def test_response_has_exactly_the_contract_shape(world, client_for):
    officer = world.persons["officer_a"]
    patrol(officer, world.grids["A"], local(2026, 10, 10, 8), local(2026, 10, 10, 20))
    response = get(client_for(world.users["officer_a"]))
    assert response.status_code == 200
    # 12 h / 124 h = 9.68; grid A's one household not visited in the 90
    # days: 0; no case in October and 1 resident: rate 0, score 100; no
    # items: 0; nothing ended, nobody rated: null.
    # Score (9.68 * 15 + 0 * 20 + 100 * 15 + 0 * 15) / 65
    #     = (145.2 + 1500) / 65 = 25.3108 -> 25.31
    assert response.json() == {
        "month": "2026-10",
        "status": "live",
        "computed_at": "2026-11-05T12:00:00+08:00",
        "results": [
            {
                "person": officer.pk,
                "person_name": "officer_a",
                "station": world.stations["S"].pk,
                "visibility": 9.68,
                "familiarity": 0.0,
                "incident_rate": 100.0,
                "information": 0.0,
                "effectiveness": None,
                "satisfaction": None,
                "score": 25.31,
                "rank_in_station": 1,
                "rank_in_bureau": 1,
            }
        ],
    }


def test_field_staff_get_their_own_row(world, client_for):
    response = get(client_for(world.users["auxiliary_a"]))
    assert names(response) == ["auxiliary_a"]


def test_chief_gets_the_station(world, client_for):
    response = get(client_for(world.users["chief_s"]))
    assert names(response) == ["auxiliary_a", "officer_a", "officer_b"]
    for row in response.json()["results"]:
        assert set(row) == ROW_KEYS


def test_bureau_gets_the_bureau_and_may_narrow_to_a_station(world, client_for):
    client = client_for(world.users["bureau_x"])
    assert names(get(client)) == ["auxiliary_a", "officer_a", "officer_b", "officer_c"]
    station_t = get(client, station=world.stations["T"].pk)
    assert names(station_t) == ["officer_c"]
    assert names(get(client_for(world.users["bureau_y"]))) == ["officer_d"]


@pytest.mark.parametrize(
    ("user", "station"),
    [("chief_s", "T"), ("officer_a", "T"), ("bureau_y", "S"), ("bureau_x", "U")],
)
def test_a_station_out_of_scope_is_404(world, client_for, user, station):
    response = get(client_for(world.users[user]), station=world.stations[station].pk)
    assert response.status_code == 404


def test_an_unknown_station_is_404(world, client_for):
    response = get(client_for(world.users["bureau_x"]), station=999_999)
    assert response.status_code == 404


def test_a_bureau_out_of_scope_is_404(world, client_for):
    response = get(client_for(world.users["bureau_x"]), bureau=world.bureaus["Y"].pk)
    assert response.status_code == 404


def test_superuser_names_the_bureau(world, client_for):
    client = client_for(world.users["superuser"])
    response = get(client)
    assert response.status_code == 400
    assert response.json() == {"bureau": [str(assessment_api.BUREAU_REQUIRED)]}
    assert names(get(client, bureau=world.bureaus["Y"].pk)) == ["officer_d"]


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", str(NO_SUCH_MONTH).format(month="13")),
        ("2026-1", str(MONTH_FORMAT)),
        ("abc", str(MONTH_FORMAT)),
        ("2026-12", str(assessment.MONTH_NOT_STARTED).format(month="2026-12")),
    ],
)
def test_bad_months_are_field_errors(world, client_for, month, message):
    response = get(client_for(world.users["chief_s"]), month=month)
    assert response.status_code == 400
    assert response.json() == {"month": [message]}


def test_month_defaults_to_the_previous_one(world, client_for):
    response = client_for(world.users["chief_s"]).get(URL)
    assert response.status_code == 200
    assert response.json()["month"] == "2026-10"


def test_the_running_month_is_computed_live(world, client_for):
    # The world's patrols (1 h, Nov 5) are in November.
    response = get(client_for(world.users["officer_a"]), month="2026-11")
    assert response.json()["status"] == "live"
    # 1 h of 28 * 30 / 7 = 120 h: 0.83
    assert response.json()["results"][0]["visibility"] == 0.83


def test_stored_rows_are_served_with_their_status(world, client_for):
    officer = world.persons["officer_a"]
    bureau = world.bureaus["X"]
    assessment.store_month(bureau, OCTOBER)
    # Later data does not change the stored figures...
    patrol(officer, world.grids["A"], local(2026, 10, 10, 8), local(2026, 10, 10, 20))
    response = get(client_for(world.users["chief_s"]))
    assert response.json()["status"] == "computed"
    assert response.json()["computed_at"] == "2026-11-05T12:00:00+08:00"
    by_name = {row["person_name"]: row for row in response.json()["results"]}
    assert set(by_name) == {"auxiliary_a", "officer_a", "officer_b"}
    assert by_name["officer_a"]["visibility"] == 0.0
    # ... and the stored rows are scoped like the live ones.
    own = get(client_for(world.users["officer_a"]))
    assert names(own) == ["officer_a"]
    assessment.publish_month(bureau, OCTOBER, by=None)
    assert get(client_for(world.users["bureau_x"])).json()["status"] == "published"


def test_stored_and_live_answers_agree(world, client_for):
    client = client_for(world.users["bureau_x"])
    live = get(client).json()
    assessment.store_month(world.bureaus["X"], OCTOBER)
    stored = get(client).json()
    assert (live["status"], stored["status"]) == ("live", "computed")
    assert stored["results"] == live["results"]


def test_query_counts_are_pinned(world, client_for, django_assert_num_queries):
    user = world.users["bureau_x"]
    client = client_for(user)
    forget_scope(user)
    # the request's savepoint and its release, the scope, the bureau, the
    # stored month (none), then 6 to compute
    with django_assert_num_queries(11):
        assert get(client).status_code == 200
    assessment.store_month(world.bureaus["X"], OCTOBER)
    forget_scope(user)
    # savepoint, release, scope, bureau, stored month, rows with their persons
    with django_assert_num_queries(6):
        assert get(client).status_code == 200


#
# API: compute and publish
#


def test_bureau_staff_queue_the_computation(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.users["bureau_x"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(COMPUTE_URL, {"month": "2026-10"}, format="json")
    assert response.status_code == 202
    assert response.json() == {
        "month": "2026-10",
        "bureau": world.bureaus["X"].pk,
        "status": "queued",
    }
    assert len(callbacks) == 1
    # Celery runs eagerly in the tests: the month is stored.
    stored = MonthlyAssessment.objects.get(bureau=world.bureaus["X"])
    assert stored.rows.count() == 4


@pytest.mark.parametrize("user", ["officer_a", "chief_s", "auxiliary_a"])
@pytest.mark.parametrize("url", [COMPUTE_URL, PUBLISH_URL])
def test_only_bureau_staff_compute_and_publish(world, client_for, user, url):
    response = client_for(world.users[user]).post(url, {"month": "2026-10"})
    assert response.status_code == 403
    assert not MonthlyAssessment.objects.exists()


def test_compute_refuses_bad_and_running_months(world, client_for):
    client = client_for(world.users["bureau_x"])
    response = client.post(COMPUTE_URL, {"month": "2026-13"})
    assert response.status_code == 400
    response = client.post(COMPUTE_URL, {})
    assert response.status_code == 400
    assert set(response.json()) == {"month"}
    response = client.post(COMPUTE_URL, {"month": "2026-11"})
    assert response.status_code == 400
    assert response.json() == {
        "month": [str(assessment.MONTH_NOT_OVER).format(month="2026-11")]
    }


def test_compute_refuses_a_published_month(world, client_for):
    assessment.store_month(world.bureaus["X"], OCTOBER)
    assessment.publish_month(world.bureaus["X"], OCTOBER, by=None)
    response = client_for(world.users["bureau_x"]).post(
        COMPUTE_URL, {"month": "2026-10"}
    )
    assert response.status_code == 409
    assert response.json() == {
        "month": [str(assessment.MONTH_PUBLISHED).format(month="2026-10")]
    }


def test_publish(world, client_for):
    client = client_for(world.users["bureau_x"])
    response = client.post(PUBLISH_URL, {"month": "2026-10"})
    assert response.status_code == 409
    assert response.json() == {
        "month": [str(assessment.MONTH_NOT_COMPUTED).format(month="2026-10")]
    }
    assessment.store_month(world.bureaus["X"], OCTOBER)
    response = client.post(PUBLISH_URL, {"month": "2026-10"})
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    stored = MonthlyAssessment.objects.get()
    assert stored.published_by == world.persons["bureau_x"]
    assert stored.published_at == NOW
    response = client.post(PUBLISH_URL, {"month": "2026-10"})
    assert response.status_code == 409


def test_another_bureau_is_untouched(world, client_for):
    """Bureau staff act on their own bureau only."""
    assessment.store_month(world.bureaus["Y"], OCTOBER)
    client = client_for(world.users["bureau_x"])
    response = client.post(PUBLISH_URL, {"month": "2026-10"})
    assert response.status_code == 409
    assert MonthlyAssessment.objects.get().status == "computed"
