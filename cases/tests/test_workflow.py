"""Transitions of a case: allowed, refused, numbered, coded."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import tracking, workflow
from cases.models import Case, CaseEvent, CaseParty
from cases.tests.factories import CaseFactory
from visits.tests.factories import local

pytestmark = pytest.mark.django_db

S = Case.Status
PARTIES = [
    {"role": "victim", "name": "王建国", "phone": "13800001234"},
    {"role": "suspect", "name": "嫌疑人甲"},
]


@pytest.fixture
def officer(world):
    return world.persons["officer_a"]


def opened(world, **kwargs):
    return workflow.open_case(
        grid=world.grids["A"],
        kind=kwargs.pop("kind", Case.Kind.CRIMINAL),
        category=Case.Category.THEFT,
        summary="电动车被盗",
        parties=kwargs.pop("parties", PARTIES),
        by=world.persons["officer_a"],
        **kwargs,
    )


def in_status(world, status):
    return CaseFactory(
        grid=world.grids["A"], officer=world.persons["officer_a"], status=status
    )


def test_open_case_numbers_it_and_records_the_report(world, officer):
    case = opened(world, at=local(2026, 3, 2, 9, 0))
    station = world.grids["A"].area.station_id
    assert case.number == f"XS-2026-S{station:04d}-00001"
    assert opened(world, at=local(2026, 3, 2, 10, 0)).number.endswith("-00002")
    administrative = opened(world, kind=Case.Kind.ADMINISTRATIVE)
    assert administrative.number.startswith("ZA-")
    assert case.status == S.REPORTED
    assert case.officer == officer
    assert list(case.events.values_list("kind", "public")) == [("reported", True)]
    victim, suspect = case.parties.all()
    assert (victim.role, victim.phone_tail) == ("victim", "1234")
    assert (suspect.role, suspect.phone_tail) == ("suspect", "")


@pytest.mark.parametrize(
    ("parties", "message"),
    [
        ([], "Name at least one party."),
        ([{"role": "victim", "name": "王"}], "phone"),
        ([{"role": "victim", "name": "王", "phone": "123"}], "mobile"),
        ([{"role": "witness", "phone": "13800001234"}], "name"),
    ],
)
def test_bad_parties_store_nothing(world, parties, message):
    with pytest.raises(ValidationError) as error:
        opened(world, parties=parties)
    assert message in str(error.value.message_dict["parties"])
    assert not Case.objects.filter(summary="电动车被盗").exists()


def test_the_officer_in_charge_is_a_police_officer_of_the_station(world):
    for name in ("officer_c", "auxiliary_a"):
        with pytest.raises(ValidationError) as error:
            opened(world, officer=world.persons[name])
        assert "officer" in error.value.message_dict
    assert not Case.objects.filter(summary="电动车被盗").exists()


def test_full_course(world, officer):
    case = opened(world)
    workflow.accept(case, by=officer, text="已受理")
    workflow.start_investigation(case, by=officer)
    workflow.add_progress(case, by=officer, text="内部线索", public=False)
    workflow.add_progress(case, by=officer, text="已调取监控", public=True)
    workflow.solve(case, by=officer, text="嫌疑人已抓获")
    victim = case.parties.get(role="victim")
    workflow.record_return_visit(case, by=officer, party=victim, outcome="已告知")
    workflow.close(case, by=officer)
    case.refresh_from_db()
    assert case.status == S.CLOSED
    assert case.accepted_at and case.solved_at and case.closed_at
    events = list(case.events.values_list("kind", "public"))
    assert events == [
        ("reported", True),
        ("accepted", True),
        ("investigating", True),
        ("progress", False),
        ("progress", True),
        ("solved", True),
        ("return_visit", False),
        ("closed", True),
    ]


#: transition -> (keywords, resulting status)
TRANSITIONS = {
    workflow.accept: ({}, S.ACCEPTED),
    workflow.start_investigation: ({}, S.INVESTIGATING),
    workflow.solve: ({"text": "已破案"}, S.SOLVED),
    workflow.close: ({}, S.CLOSED),
    workflow.drop: ({"reason": "不构成案件"}, S.DROPPED),
}


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda f: f.__name__)
def test_transition_allowed_or_refused(world, officer, transition, status):
    kwargs, result = TRANSITIONS[transition]
    case = in_status(world, status)
    if transition.__name__ in workflow.ACTIONS[status]:
        transition(case, by=officer, **kwargs)
        case.refresh_from_db()
        assert case.status == result
        assert case.events.count() == 1
    else:
        with pytest.raises(ValidationError) as error:
            transition(case, by=officer, **kwargs)
        assert error.value.message_dict["status"] == [
            workflow.NOT_ALLOWED.format(status=case.get_status_display())
        ]
        case.refresh_from_db()
        assert case.status == status
        assert not case.events.exists()


def test_the_table_of_actions_is_what_the_workflow_enforces():
    """Every status can end; closed and dropped cases are final."""
    assert workflow.ACTIONS[S.CLOSED] == ("record_return_visit", "issue_query_code")
    assert "drop" not in workflow.ACTIONS[S.SOLVED]
    for status in (S.REPORTED, S.ACCEPTED, S.INVESTIGATING):
        assert "drop" in workflow.ACTIONS[status]


@pytest.mark.parametrize(
    ("transition", "kwargs", "field"),
    [
        (workflow.solve, {"text": " "}, "text"),
        (workflow.drop, {"reason": ""}, "reason"),
        (workflow.add_progress, {"text": ""}, "text"),
    ],
)
def test_texts_the_parties_read_are_required(world, officer, transition, kwargs, field):
    case = in_status(world, S.INVESTIGATING)
    with pytest.raises(ValidationError) as error:
        transition(case, by=officer, **kwargs)
    assert field in error.value.message_dict
    case.refresh_from_db()
    assert case.status == S.INVESTIGATING


def test_a_return_visit_is_to_a_party_of_this_case(world, officer):
    case = in_status(world, S.SOLVED)
    other = CaseParty.objects.exclude(case=case).first()
    with pytest.raises(ValidationError) as error:
        workflow.record_return_visit(case, by=officer, party=other, outcome="好")
    assert "party" in error.value.message_dict
    assert not case.return_visits.exists()


def test_a_new_query_code_retires_the_old_one(world, officer):
    case = opened(world)
    first = workflow.issue_query_code(case, by=officer)
    assert len(first) == tracking.CODE_LENGTH
    assert set(first) <= set(tracking.ALPHABET)
    case.refresh_from_db()
    assert case.query_code_hash == tracking.code_hash(first)
    assert first not in case.query_code_hash
    assert tracking.find(first, "1234", client="127.0.0.1").case == case

    second = workflow.issue_query_code(case, by=officer)
    assert second != first
    assert tracking.find(first, "1234", client="127.0.0.1") is None
    assert tracking.find(tracking.display(second).lower(), "1234", client="::1")
    issued = case.events.filter(kind=CaseEvent.Kind.CODE_ISSUED)
    assert issued.count() == 2
    assert not issued.filter(public=True).exists()


def test_codes_are_random_and_read_forgivingly():
    codes = {tracking.new_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert tracking.normalize("2o26-dema-case") == "2026DEMACASE"
    assert tracking.normalize(" 1il ") == "111"
    assert tracking.display("2026DEMACASE") == "2026-DEMA-CASE"


def test_a_case_cannot_happen_after_its_report(world):
    with pytest.raises(ValidationError) as error:
        opened(world, at=local(2026, 3, 2, 9, 0), occurred_at=local(2026, 3, 2, 10, 0))
    assert "occurred_at" in error.value.message_dict
    case = opened(world, at=local(2026, 3, 2, 9, 0), occurred_at=local(2026, 3, 1))
    assert case.occurred_at == local(2026, 3, 1)


def test_numbers_follow_the_highest_issued_one(world):
    first = opened(world, at=local(2026, 3, 2, 9, 0))
    second = opened(world, at=local(2026, 3, 2, 10, 0))
    first.delete()
    third = opened(world, at=local(2026, 3, 2, 11, 0))
    assert third.number.endswith("-00003")
    assert second.number.endswith("-00002")


def test_apply_event_replays_in_memory_what_the_transitions_save(world, officer):
    """An unsaved case given the same events ends as the saved one does."""
    reported_at = local(2026, 11, 2, 9, 0)
    case = opened(world, at=reported_at)
    replay = Case(status=S.REPORTED)
    E = CaseEvent.Kind
    steps = [
        (E.ACCEPTED, lambda at: workflow.accept(case, by=officer, at=at)),
        (
            E.INVESTIGATING,
            lambda at: workflow.start_investigation(case, by=officer, at=at),
        ),
        (E.SOLVED, lambda at: workflow.solve(case, by=officer, text="已破案", at=at)),
        (E.CLOSED, lambda at: workflow.close(case, by=officer, at=at)),
    ]
    for hours, (kind, transition) in enumerate(steps, 1):
        at = reported_at + datetime.timedelta(hours=hours)
        transition(at)
        workflow.apply_event(replay, kind, at=at)
    case.refresh_from_db()
    fields = ("status", "accepted_at", "solved_at", "closed_at")
    assert {f: getattr(replay, f) for f in fields} == {
        f: getattr(case, f) for f in fields
    }
