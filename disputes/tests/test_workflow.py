"""Transitions of a dispute: allowed, refused, graded, timed."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from disputes import workflow
from disputes.models import Dispute, DisputeEvent, DisputePolicy, ReturnVisit
from disputes.tests.factories import DisputeFactory
from visits.tests.factories import local

pytestmark = pytest.mark.django_db

S = Dispute.Status
ALL_STATUSES = list(S.values)
OPEN = (S.REPORTED, S.ACCEPTED, S.MEDIATING)
TERMS = "一、张三赔偿李四500元；二、双方不再追究。"


@pytest.fixture
def officer(world):
    return world.persons["officer_a"]


def reported(world, colour="green", **kwargs):
    return workflow.report(
        grid=world.grids["A"],
        household=world.households["A"],
        category=Dispute.Category.NEIGHBOURHOOD,
        summary="楼上噪音扰民",
        parties=[{"name": "张三", "phone": "13800000001"}, {"name": "李四"}],
        colour=colour,
        by=world.persons["officer_a"],
        **kwargs,
    )


def in_status(world, status, **kwargs):
    """Return a dispute in grid A put straight into ``status``."""
    return DisputeFactory(
        grid=world.grids["A"],
        reported_by=world.persons["officer_a"],
        status=status,
        **kwargs,
    )


def kinds(dispute):
    return list(dispute.events.values_list("kind", flat=True))


def test_report_records_the_dispute_and_its_event(world, officer):
    dispute = reported(world, at=local(2026, 11, 2, 9, 0))
    assert dispute.status == S.REPORTED
    assert dispute.level == Dispute.Level.WORKSTATION
    assert dispute.reported_by == officer
    assert dispute.first_contact_due == local(2026, 11, 3, 9, 0)
    assert kinds(dispute) == ["reported"]


def test_report_refuses_a_household_of_another_grid(world):
    with pytest.raises(ValidationError) as error:
        workflow.report(
            grid=world.grids["A"],
            household=world.households["B"],
            category="family",
            summary="家庭纠纷",
            parties=[{"name": "王五"}],
            colour="green",
            by=world.persons["officer_a"],
        )
    assert "household" in error.value.message_dict


@pytest.mark.parametrize(
    ("colour", "level"),
    [
        ("green", "workstation"),
        ("yellow", "office"),
        ("orange", "station"),
        ("red", "station"),
    ],
)
def test_default_level_per_colour(world, colour, level):
    assert reported(world, colour).level == level


def test_level_per_colour_follows_the_bureau_policy(world):
    DisputePolicy.objects.create(
        bureau=world.bureaus["X"], level_for_green="office", level_for_red="station"
    )
    assert reported(world, "green").level == "office"
    assert reported(world, "yellow").level == "office"


def test_due_times_across_midnight_local_time(world, officer):
    """24 h after 22:30 local is 22:30 the next day (Asia/Shanghai)."""
    late = local(2026, 11, 2, 22, 30)
    dispute = reported(world, at=late)
    assert timezone.localtime(dispute.first_contact_due) == local(2026, 11, 3, 22, 30)
    with time_machine.travel(local(2026, 11, 2, 23, 50), tick=False):
        workflow.accept(dispute, by=officer)
    dispute.refresh_from_db()
    assert timezone.localtime(dispute.mediation_due) == local(2026, 11, 3, 23, 50)
    assert timezone.localtime(dispute.mediation_due).date() == datetime.date(
        2026, 11, 3
    )
    workflow.hold_session(dispute, by=officer)
    with time_machine.travel(local(2026, 11, 3, 23, 59), tick=False):
        workflow.resolve(dispute, by=officer, terms=TERMS)
    dispute.refresh_from_db()
    assert timezone.localtime(dispute.return_visit_due) == local(2026, 11, 10, 23, 59)


def test_due_times_follow_the_bureau_policy(world, officer):
    DisputePolicy.objects.create(
        bureau=world.bureaus["X"], first_contact_hours=2, mediation_hours=12
    )
    dispute = reported(world, at=local(2026, 11, 2, 22, 30))
    assert dispute.first_contact_due == local(2026, 11, 3, 0, 30)
    with time_machine.travel(local(2026, 11, 2, 23, 0), tick=False):
        workflow.accept(dispute, by=officer)
    dispute.refresh_from_db()
    assert dispute.mediation_due == local(2026, 11, 3, 11, 0)


def test_full_course_from_report_to_close(world, officer):
    dispute = reported(world)
    workflow.accept(dispute, by=officer)
    workflow.hold_session(dispute, by=officer, notes="双方到场")
    workflow.hold_session(dispute, by=officer, notes="第二次调解")
    workflow.resolve(dispute, by=officer, terms=TERMS)
    visit = workflow.record_return_visit(
        dispute, by=officer, outcome="已履行", satisfaction=5
    )
    workflow.close(dispute, by=officer)
    dispute.refresh_from_db()
    assert dispute.status == S.CLOSED
    assert dispute.accepted_at and dispute.resolved_at and dispute.closed_at
    assert visit.satisfaction == 5
    assert kinds(dispute) == [
        "reported",
        "accepted",
        "session_held",
        "session_held",
        "resolved",
        "return_visit",
        "closed",
    ]


#: transition -> (statuses it is allowed from, resulting status, keywords)
TRANSITIONS = {
    workflow.accept: ({S.REPORTED}, S.ACCEPTED, {}),
    workflow.hold_session: ({S.ACCEPTED, S.MEDIATING}, S.MEDIATING, {}),
    workflow.resolve: ({S.MEDIATING}, S.RESOLVED, {"terms": TERMS}),
    workflow.refer: ({S.ACCEPTED, S.MEDIATING}, S.REFERRED, {"reason": "转法院"}),
    workflow.fail: ({S.ACCEPTED, S.MEDIATING}, S.FAILED, {"reason": "拒绝调解"}),
    workflow.close: ({S.REFERRED, S.FAILED}, S.CLOSED, {}),
}


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda f: f.__name__)
def test_transition_allowed_or_refused(world, officer, transition, status):
    allowed, result, kwargs = TRANSITIONS[transition]
    dispute = in_status(world, status)
    if status in allowed:
        transition(dispute, by=officer, **kwargs)
        dispute.refresh_from_db()
        assert dispute.status == result
        assert dispute.events.count() == 1
    else:
        message = workflow.NOT_ALLOWED.format(status=dispute.get_status_display())
        if (transition, status) == (workflow.close, S.RESOLVED):
            message = workflow.RETURN_VISIT_MISSING  # not visited yet
        with pytest.raises(ValidationError) as error:
            transition(dispute, by=officer, **kwargs)
        assert error.value.message_dict["status"] == [message]
        dispute.refresh_from_db()
        assert dispute.status == status
        assert not dispute.events.exists()


def test_close_a_resolved_dispute_needs_a_return_visit(world, officer):
    dispute = in_status(world, S.RESOLVED)
    with pytest.raises(ValidationError) as error:
        workflow.close(dispute, by=officer)
    assert error.value.message_dict["status"] == [workflow.RETURN_VISIT_MISSING]
    workflow.record_return_visit(dispute, by=officer, outcome="满意", satisfaction=4)
    workflow.close(dispute, by=officer)
    dispute.refresh_from_db()
    assert dispute.status == S.CLOSED


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_return_visit_only_when_resolved(world, officer, status):
    dispute = in_status(world, status)
    if status == S.RESOLVED:
        workflow.record_return_visit(dispute, by=officer, outcome="好", satisfaction=3)
        assert ReturnVisit.objects.filter(dispute=dispute).count() == 1
        assert kinds(dispute) == ["return_visit"]
    else:
        with pytest.raises(ValidationError) as error:
            workflow.record_return_visit(
                dispute, by=officer, outcome="好", satisfaction=3
            )
        assert "status" in error.value.message_dict
        assert not ReturnVisit.objects.filter(dispute=dispute).exists()


@pytest.mark.parametrize("satisfaction", [0, 6])
def test_return_visit_satisfaction_is_1_to_5(world, officer, satisfaction):
    dispute = in_status(world, S.RESOLVED)
    with pytest.raises(ValidationError) as error:
        workflow.record_return_visit(
            dispute, by=officer, outcome="好", satisfaction=satisfaction
        )
    assert "satisfaction" in error.value.message_dict
    assert not dispute.events.exists()


@pytest.mark.parametrize("transition", [workflow.refer, workflow.fail])
def test_refer_and_fail_need_a_reason(world, officer, transition):
    dispute = in_status(world, S.MEDIATING)
    with pytest.raises(ValidationError) as error:
        transition(dispute, by=officer, reason="  ")
    assert "reason" in error.value.message_dict
    dispute.refresh_from_db()
    assert dispute.status == S.MEDIATING


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_regrade_only_while_open(world, officer, status):
    dispute = in_status(world, status)
    if status in OPEN:
        workflow.regrade(dispute, colour="yellow", by=officer)
        dispute.refresh_from_db()
        assert dispute.colour == "yellow"
    else:
        with pytest.raises(ValidationError) as error:
            workflow.regrade(dispute, colour="yellow", by=officer)
        assert "status" in error.value.message_dict


def test_regrade_up_raises_the_level_and_records_the_event(world, officer):
    dispute = reported(world, "green")
    workflow.regrade(dispute, colour="red", by=officer)
    dispute.refresh_from_db()
    assert (dispute.colour, dispute.level) == ("red", "station")
    event = dispute.events.get(kind=DisputeEvent.Kind.REGRADED)
    assert (event.from_value, event.to_value, event.by) == ("green", "red", officer)


def test_downgrade_without_reason_is_refused(world, officer):
    dispute = reported(world, "orange")
    with pytest.raises(ValidationError) as error:
        workflow.regrade(dispute, colour="green", reason=" ", by=officer)
    assert error.value.message_dict["reason"] == [workflow.DOWNGRADE_NEEDS_REASON]
    dispute.refresh_from_db()
    assert dispute.colour == "orange"
    assert kinds(dispute) == ["reported"]


def test_downgrade_with_reason_keeps_the_level(world, officer):
    dispute = reported(world, "orange")
    workflow.regrade(dispute, colour="green", reason="双方已和解", by=officer)
    dispute.refresh_from_db()
    assert (dispute.colour, dispute.level) == ("green", "station")
    event = dispute.events.get(kind="regraded")
    assert (event.from_value, event.to_value, event.reason) == (
        "orange",
        "green",
        "双方已和解",
    )


def test_regrade_to_the_same_colour_is_refused(world, officer):
    dispute = reported(world, "yellow")
    with pytest.raises(ValidationError) as error:
        workflow.regrade(dispute, colour="yellow", by=officer)
    assert error.value.message_dict["colour"] == [workflow.SAME_COLOUR]


def test_escalate_one_level_at_a_time(world, officer):
    dispute = reported(world, "green")
    workflow.escalate(dispute, by=officer, reason="涉及多户")
    dispute.refresh_from_db()
    assert dispute.level == "office"
    workflow.escalate(dispute, by=officer, reason="矛盾激化")
    dispute.refresh_from_db()
    assert dispute.level == "station"
    with pytest.raises(ValidationError) as error:
        workflow.escalate(dispute, by=officer, reason="再升级")
    assert error.value.message_dict["level"] == [workflow.ALREADY_AT_STATION]
    events = dispute.events.filter(kind="escalated")
    assert [(e.from_value, e.to_value) for e in events] == [
        ("workstation", "office"),
        ("office", "station"),
    ]


def test_escalate_needs_a_reason_and_an_open_dispute(world, officer):
    with pytest.raises(ValidationError) as error:
        workflow.escalate(reported(world), by=officer, reason="")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        workflow.escalate(in_status(world, S.CLOSED), by=officer, reason="晚了")
    assert "status" in error.value.message_dict


def test_overdue_and_open(world, officer):
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    late_contact = in_status(world, S.REPORTED, first_contact_due=now - hour)
    in_time = in_status(world, S.REPORTED, first_contact_due=now + hour)
    late_mediation = in_status(world, S.ACCEPTED, mediation_due=now - hour)
    mediating = in_status(world, S.MEDIATING, mediation_due=now - hour)
    late_visit = in_status(world, S.RESOLVED, return_visit_due=now - hour)
    visited = in_status(world, S.RESOLVED, return_visit_due=now - hour)
    workflow.record_return_visit(visited, by=officer, outcome="好", satisfaction=5)
    workflow.record_return_visit(visited, by=officer, outcome="好", satisfaction=4)
    closed = in_status(world, S.CLOSED, first_contact_due=now - hour)

    overdue = set(Dispute.objects.overdue())
    assert {late_contact, late_mediation, late_visit} <= overdue
    assert not {in_time, mediating, visited, closed} & overdue
    assert (
        Dispute.objects.overdue(now=now - 2 * hour)
        .filter(pk__in=[late_contact.pk, late_mediation.pk, late_visit.pk])
        .count()
        == 0
    )

    open_ = set(Dispute.objects.open())
    assert {late_contact, in_time, late_mediation, mediating} <= open_
    assert not {late_visit, visited, closed} & open_


def test_apply_event_replays_in_memory_what_the_transitions_save(world, officer):
    """An unsaved dispute given the same events ends as the saved one does."""
    reported_at = local(2026, 11, 2, 9, 0)
    dispute = reported(world, at=reported_at)
    replay = Dispute(colour=dispute.colour, level=dispute.level, status=S.REPORTED)
    policy = DisputePolicy.for_bureau(world.grids["A"].area.station.bureau_id)
    E = DisputeEvent.Kind
    steps = [
        (E.ACCEPTED, "", lambda at: workflow.accept(dispute, by=officer, at=at)),
        (
            E.ESCALATED,
            "",
            lambda at: workflow.escalate(dispute, by=officer, reason="难调", at=at),
        ),
        (
            E.REGRADED,
            "yellow",
            lambda at: workflow.regrade(dispute, colour="yellow", by=officer, at=at),
        ),
        (
            E.SESSION_HELD,
            "",
            lambda at: workflow.hold_session(dispute, by=officer, at=at),
        ),
        (
            E.RESOLVED,
            "",
            lambda at: workflow.resolve(dispute, by=officer, terms=TERMS, at=at),
        ),
        (
            E.RETURN_VISIT,
            "",
            lambda at: workflow.record_return_visit(
                dispute, by=officer, outcome="已履行", satisfaction=5, at=at
            ),
        ),
        (E.CLOSED, "", lambda at: workflow.close(dispute, by=officer, at=at)),
    ]
    for hours, (kind, to_value, transition) in enumerate(steps, 1):
        at = reported_at + datetime.timedelta(hours=hours)
        transition(at)
        workflow.apply_event(replay, kind, at=at, policy=policy, to_value=to_value)
    dispute.refresh_from_db()
    fields = (
        "status",
        "colour",
        "level",
        "accepted_at",
        "mediation_due",
        "resolved_at",
        "return_visit_due",
        "closed_at",
    )
    assert {f: getattr(replay, f) for f in fields} == {
        f: getattr(dispute, f) for f in fields
    }
