# Chinese text takes full-width commas and parentheses.
"""Demo cases: about a hundred cases over the last fourteen months.

Called by ``manage.py load_demo`` after the disputes. Every case goes
through :mod:`cases.workflow` with an officer of the grid's station in
charge, so numbers, events and times are what the workflow gives them.
Cases from the same months a year earlier make the year-on-year change
meaningful. One solved case of the demo officer's grid has a fixed query
code, :data:`DEMO_CODE`, and a victim whose phone ends in
:data:`DEMO_PHONE_TAIL`, so anyone can follow it on ``/track/`` and rate the
officer (README).

A case is keyed on (grid, summary, reported_at): all random draws happen
whatever the database holds, and a planned case that already exists is
skipped, so running the loader again on the same day adds nothing.
"""

import datetime
import random
from collections import defaultdict

from django.utils import timezone

from cases import workflow
from cases.models import (
    Case,
    CaseEvent,
    CaseParty,
    Category,
    Kind,
    PartyRole,
    Rating,
)
from cases.models import Status as S
from demo.common import Clock, name, phone
from grids.models import Grid
from stations.models import Assignment, Person

MONTHS = 14
CASES = 100
#: the first cases after the demo's own: reported this week, still open
FRESH = (S.REPORTED, S.ACCEPTED, S.INVESTIGATING, S.ACCEPTED, S.REPORTED)
DEMO_CODE = "2026-DEMA-CASE"
DEMO_PHONE = "13800138000"
DEMO_PHONE_TAIL = DEMO_PHONE[-4:]

#: category -> (kind, weight, summary templates); {a} victim, {b} other, {n} amount
CATEGORIES = {
    Category.THEFT: (Kind.CRIMINAL, 8, ("{a}停放在楼下的电动自行车被盗，价值约{n}元",)),
    Category.BURGLARY: (
        Kind.CRIMINAL,
        3,
        ("{a}家中被入室盗窃，丢失现金{n}元及金首饰一件",),
    ),
    Category.TELECOM_FRAUD: (
        Kind.CRIMINAL,
        6,
        (
            "{a}接到冒充电商客服的电话，按对方要求转账{n}元",
            "{a}在网上刷单返利被骗{n}元",
        ),
    ),
    Category.FRAUD: (Kind.CRIMINAL, 2, ("{a}在二手平台购买手机，付款{n}元后对方失联",)),
    Category.ROBBERY: (
        Kind.CRIMINAL,
        1,
        ("{a}夜间步行回家途中挎包被抢夺，内有现金{n}元",),
    ),
    Category.ASSAULT: (
        Kind.CRIMINAL,
        1,
        ("{a}与{b}因宅基地纠纷发生冲突，{a}被打致轻伤",),
    ),
    Category.FIGHTING: (Kind.ADMINISTRATIVE, 4, ("{a}与{b}在烧烤摊因口角互相殴打",)),
    Category.PROPERTY_DAMAGE: (
        Kind.ADMINISTRATIVE,
        3,
        ("{a}停放在路边的轿车被人故意划伤，修理费约{n}元",),
    ),
    Category.GAMBLING: (Kind.ADMINISTRATIVE, 1, ("群众{a}举报村内棋牌室有人聚众赌博",)),
    Category.PUBLIC_ORDER: (
        Kind.ADMINISTRATIVE,
        2,
        ("{b}醉酒后在{a}经营的饭店内滋事",),
    ),
}
ACCEPT_TEXTS = ("已受理，民警已到现场勘查", "已受理，正在调取周边监控录像")
INVESTIGATE_TEXTS = ("已立案侦查", "已开展调查取证")
PROGRESS_TEXTS = (
    ("已调取沿途监控，正在比对嫌疑人身份", True),
    ("已向银行发出止付通知，冻结部分涉案资金", True),
    ("嫌疑人疑似流窜作案，已串并相关案件", False),
    ("已询问目击证人两名，笔录附卷", False),
)
SOLVE_TEXTS = {
    Kind.CRIMINAL: (
        "嫌疑人已被抓获，部分涉案财物已追回，将依法发还",
        "嫌疑人已到案并如实供述，案件移送审查起诉",
    ),
    Kind.ADMINISTRATIVE: (
        "违法行为人已被依法处以行政拘留",
        "违法行为人已被依法处以罚款，并责令赔偿损失",
    ),
}
DROP_REASONS = (
    "经调查，不构成刑事案件，已告知当事人可通过民事途径解决",
    "报案人撤回报案，经核实属实",
)
RETURN_VISIT_OUTCOMES = (
    "电话回访，告知案件进展，当事人表示理解",
    "上门回访，发还追回财物，当事人表示感谢",
)
RATING_COMMENTS = (
    "民警出警及时，态度很好",
    "办案认真负责，谢谢",
    "",
    "希望尽快追回损失",
)


def load_cases(*, seed: int, today: datetime.date | None = None) -> dict[str, int]:
    """Write the demo cases; return the number of rows of each kind."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    grids = list(Grid.objects.select_related("area").order_by("code"))
    officers = defaultdict(list)
    for person in Person.objects.officers().exclude(station=None).order_by("pk"):
        officers[person.station_id].append(person)
    responsible = {
        a.grid_id: a.person
        for a in Assignment.objects.current(on=today)
        .filter(grid__isnull=False, role=Assignment.Role.RESPONSIBLE)
        .select_related("person")
    }
    if not grids:
        return {}
    existing = set(Case.objects.values_list("grid_id", "summary", "reported_at"))
    demo_grid = _demo_grid(grids, responsible)
    for index in range(CASES):
        grid = demo_grid if index == 0 else rng.choice(grids)
        fresh = FRESH[index - 1] if 0 < index <= len(FRESH) else None
        plan = _plan(rng, today, first=index == 0, fresh=fresh)
        officer = responsible.get(grid.pk)
        if officer is None or officer.kind != Person.Kind.OFFICER:
            officer = rng.choice(officers[grid.area.station_id])
        if (grid.pk, plan["summary"], plan["reported_at"]) in existing:
            continue
        case = _run(plan, grid=grid, officer=officer)
        if index == 0:
            workflow.issue_query_code(case, by=officer, code=DEMO_CODE)
    return {
        model.__name__: model.objects.count()
        for model in (Case, CaseParty, CaseEvent, Rating)
    }


def _demo_grid(grids, responsible):
    """The grid of the demo login ``officer``, else the first grid."""
    for grid in grids:
        person = responsible.get(grid.pk)
        if person and person.user_id and person.user.username == "officer":
            return grid
    return grids[0]


def _plan(rng: random.Random, today: datetime.date, *, first: bool, fresh) -> dict:
    categories = list(CATEGORIES)
    category = rng.choices(categories, weights=[CATEGORIES[c][1] for c in categories])[
        0
    ]
    kind, _weight, templates = CATEGORIES[category]
    a, b = name(rng), name(rng)
    summary = rng.choice(templates).format(a=a, b=b, n=rng.randrange(300, 30000, 100))
    days_ago = rng.randint(0, MONTHS * 30)
    if first or fresh:
        days_ago = 6 if first else rng.randint(0, 5)
    moment = datetime.time(rng.randrange(7, 23), rng.randrange(60))
    reported_at = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=days_ago), moment)
    )
    # Older cases have run their course; recent ones are still open.
    if first:
        status = S.SOLVED
    elif fresh:
        status = fresh
    elif days_ago < 7:
        status = rng.choice((S.REPORTED, S.ACCEPTED, S.INVESTIGATING))
    elif days_ago < 45:
        status = rng.choice((S.INVESTIGATING, S.SOLVED, S.SOLVED, S.DROPPED))
    else:
        status = rng.choices(
            (S.CLOSED, S.SOLVED, S.DROPPED, S.INVESTIGATING), (6, 1, 1, 2)
        )[0]
    victim_phone = DEMO_PHONE if first else phone(rng)
    parties = [{"role": PartyRole.VICTIM, "name": a, "phone": victim_phone}]
    if b in summary:
        parties.append({"role": PartyRole.SUSPECT, "name": b, "phone": phone(rng)})
    return {
        "kind": kind,
        "category": category,
        "summary": summary,
        "reported_at": reported_at,
        "status": status,
        "parties": parties,
        "accept": rng.choice(ACCEPT_TEXTS),
        "investigate": rng.choice(INVESTIGATE_TEXTS),
        "progress": rng.choice(PROGRESS_TEXTS),
        "solve": rng.choice(SOLVE_TEXTS[kind]),
        "drop": rng.choice(DROP_REASONS),
        "visit": rng.choice(RETURN_VISIT_OUTCOMES),
        "rating": (rng.choice((3, 4, 5, 5, 5)), rng.choice(RATING_COMMENTS))
        if not first and rng.random() < 0.5
        else None,
    }


def _run(plan: dict, *, grid, officer) -> Case:
    """Take one planned case through the workflow to its final status."""
    clock = Clock(plan["reported_at"])
    case = workflow.open_case(
        grid=grid,
        kind=plan["kind"],
        category=plan["category"],
        summary=plan["summary"],
        parties=plan["parties"],
        by=officer,
        at=plan["reported_at"],
    )
    status = plan["status"]
    if status == S.REPORTED:
        return case
    workflow.accept(case, by=officer, text=plan["accept"], at=clock.after(hours=1))
    if status == S.ACCEPTED:
        return case
    if status == S.DROPPED:
        workflow.drop(case, by=officer, reason=plan["drop"], at=clock.after(hours=48))
        return case
    workflow.start_investigation(
        case, by=officer, text=plan["investigate"], at=clock.after(hours=4)
    )
    text, public = plan["progress"]
    workflow.add_progress(
        case, by=officer, text=text, public=public, at=clock.after(hours=24)
    )
    if status == S.INVESTIGATING:
        return case
    workflow.solve(case, by=officer, text=plan["solve"], at=clock.after(hours=120))
    victim = case.parties.get(role=PartyRole.VICTIM)
    workflow.record_return_visit(
        case, by=officer, party=victim, outcome=plan["visit"], at=clock.after(hours=24)
    )
    if plan["rating"]:
        score, comment = plan["rating"]
        Rating.objects.create(
            case=case, party=victim, officer=officer, score=score, comment=comment
        )
    if status == S.CLOSED:
        workflow.close(case, by=officer, at=clock.after(hours=240))
    return case
