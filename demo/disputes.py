# Chinese text takes full-width commas and parentheses.
"""Demo disputes: about sixty disputes reported over the last six weeks.

Called by ``manage.py load_demo`` after the field work. Every dispute goes
through :mod:`disputes.workflow`, with the grid's responsible officer as the
actor, so events, levels and due times are what the workflow gives them. The
report takes its time from the plan; the workflow steps without a time
argument (accept, sessions, regrading, resolution, closing ...) take the time
of the load, and return visits are recorded just after resolution to keep
each timeline in order.

A dispute is keyed on (grid, summary, reported_at): all random draws happen
whatever the database holds, and a planned dispute that already exists is
skipped, so running the loader again on the same day adds nothing.
"""

import datetime
import random

from django.utils import timezone

from demo.common import Clock, name, phone
from disputes import workflow
from disputes.models import (
    Agreement,
    Category,
    Colour,
    Dispute,
    DisputeEvent,
    DisputeParty,
    ReturnVisit,
)
from disputes.models import Status as S
from grids.models import Grid, Household
from stations.models import Assignment

WEEKS = 6

# Final status of each planned dispute; a few resolved ones stay without a
# return visit. The first FRESH_REPORTS were reported yesterday evening, so
# their first contact is due this evening; the other reported ones are
# already past it (overdue).
FRESH_REPORTS = 3
STATUS_PLAN = (
    [S.REPORTED] * 6
    + [S.ACCEPTED] * 5
    + [S.MEDIATING] * 9
    + [S.RESOLVED] * 10
    + [S.REFERRED] * 4
    + [S.FAILED] * 4
    + [S.CLOSED] * 22
)
COLOUR_PLAN = (
    [Colour.GREEN] * 27 + [Colour.YELLOW] * 19 + [Colour.ORANGE] * 9 + [Colour.RED] * 5
)
# How many days before today each final status is reported (inclusive range).
DAYS_AGO = {
    S.REPORTED: (2, 4),
    S.ACCEPTED: (1, 7),
    S.MEDIATING: (2, 14),
    S.RESOLVED: (3, 21),
    S.REFERRED: (5, 35),
    S.FAILED: (5, 35),
    S.CLOSED: (8, 42),
}
CATEGORY_WEIGHTS = {
    Category.NEIGHBOURHOOD: 6,
    Category.FAMILY: 4,
    Category.LAND: 3,
    Category.LABOUR: 2,
    Category.DEBT: 3,
    Category.TRAFFIC: 2,
}
# Summary templates as (text, lowest n, highest n, step of n, second party):
# {a} and {b} are the parties and {n} a distinct detail. The second party is
# anyone (""), a woman ("f"), or a brother or sister with the same surname
# ("m_kin", "f_kin").
SUMMARIES = {
    Category.NEIGHBOURHOOD: (
        (
            "{a}反映楼上{b}家夜间噪音扰民，多次协商未果，双方发生口角（{n}号楼）",
            1,
            30,
            1,
            "",
        ),
        ("{a}与{b}因楼道堆放杂物、占用公共通道发生争执（{n}单元）", 1, 8, 1, ""),
        ("{a}家空调外机滴水至{b}家窗台，双方言语冲突（{n}号楼）", 1, 30, 1, ""),
        ("{a}与{b}因宠物狗无绳出门惊吓老人引发纠纷（{n}号院）", 1, 60, 1, ""),
        (
            "{a}装修渗水导致楼下{b}家天花板受损，赔偿金额有争议（{n}室）",
            101,
            702,
            1,
            "",
        ),
        ("{a}与{b}因宅前排水沟堵塞、污水外溢发生争吵（{n}号）", 1, 120, 1, ""),
    ),
    Category.FAMILY: (
        (
            "{a}与妻子{b}因家庭琐事长期争吵，女方要求民警介入（第{n}次求助）",
            2,
            5,
            1,
            "f",
        ),
        ("{a}与弟弟{b}因父母赡养费用分摊产生矛盾（老人{n}岁）", 68, 92, 1, "m_kin"),
        ("{a}与前妻{b}因子女抚养费支付问题发生纠纷（拖欠{n}个月）", 2, 14, 1, "f"),
        ("{a}与儿媳{b}因老宅居住问题发生争吵（{n}号老宅）", 1, 120, 1, "f"),
        ("{a}与{b}兄妹因父亲遗留房产分割产生分歧（{n}平方米）", 60, 160, 1, "f_kin"),
    ),
    Category.LAND: (
        ("{a}与{b}因承包地界桩移位发生争执，涉及约{n}分地", 2, 30, 1, ""),
        ("{a}反映邻居{b}建房占用其宅基地约{n}平方米", 3, 40, 1, ""),
        ("{a}与{b}因林地边界不清、砍伐树木{n}棵引发纠纷", 3, 60, 1, ""),
        ("{a}与{b}因灌溉用水轮灌顺序发生争吵（{n}号水渠）", 1, 20, 1, ""),
        ("{a}与{b}因土地流转租金{n}元未按期支付产生纠纷", 1200, 20000, 100, ""),
    ),
    Category.LABOUR: (
        ("{a}等工人反映包工头{b}拖欠工资约{n}元", 8000, 60000, 500, ""),
        ("{a}在{b}经营的饭店务工，被辞退后追讨工资{n}元", 1500, 9000, 100, ""),
        ("{a}在工地受伤，与雇主{b}就医疗费{n}元承担发生争议", 2000, 30000, 100, ""),
        ("{a}与{b}因装修工程款结算差额{n}元发生争执", 1000, 20000, 100, ""),
    ),
    Category.DEBT: (
        ("{a}称{b}借款{n}元逾期未还，多次催要无果", 2000, 80000, 500, ""),
        ("{a}与{b}因合伙养殖分红{n}元产生债务纠纷", 3000, 50000, 500, ""),
        ("{a}向{b}购买农机，尾款{n}元迟迟未付", 2000, 30000, 500, ""),
        ("{a}与{b}因代购化肥欠款{n}元发生争吵", 800, 12000, 100, ""),
    ),
    Category.TRAFFIC: (
        (
            "{a}驾驶电动车与{b}的小轿车发生刮擦，就维修费{n}元协商不成",
            300,
            6000,
            100,
            "",
        ),
        ("{a}骑摩托车撞伤行人{b}，医疗费约{n}元赔偿有争议", 1000, 20000, 100, ""),
        ("{a}倒车时碰撞{b}停放的三轮车，损失约{n}元", 200, 3000, 100, ""),
        ("{a}与{b}因农用车会车刮擦发生争执，损失约{n}元", 300, 5000, 100, ""),
    ),
}
SESSION_NOTES = (
    "组织双方到警务室面对面调解，各自陈述诉求",
    "邀请村（居）委会调解员共同参与调解",
    "入户分别做双方思想工作，情绪基本稳定",
    "现场查看并拍照固定，约定再次协商时间",
)
UPGRADE_REASONS = (
    "双方情绪激动，有升级为肢体冲突的风险",
    "涉及人数增多，一方扬言上访",
    "争议金额较大，基层调解难度增加",
)
DOWNGRADE_REASONS = (
    "经初步调解，双方情绪缓和，愿意协商",
    "核实后争议事实清楚，矛盾较小",
)
ESCALATE_REASONS = (
    "工作站调解未果，提请警务室协调",
    "涉及多个部门职责，需派出所统筹处理",
    "当事人对调解人员有异议，请求上级处理",
)
REFER_REASONS = (
    "属民事诉讼范围，引导当事人向人民法院起诉",
    "涉及劳动报酬争议，移交人社部门劳动监察处理",
    "涉及土地权属确认，移交乡镇人民政府处理",
    "移交司法所人民调解委员会继续调解",
)
FAIL_REASONS = (
    "双方分歧过大，均不接受调解方案",
    "一方拒绝参加调解，经多次联系无果",
    "赔偿金额差距悬殊，调解终止，告知诉讼途径",
)
AGREEMENT_TERMS = (
    "一、{b}于本协议签订之日起十日内一次性支付{a}补偿款人民币{n}元；\n"
    "二、双方今后互相尊重、友好相处，不再因此事发生争执；\n"
    "三、本协议履行完毕后，双方就此纠纷再无其他争议。",
    "一、双方确认争议事实，{b}向{a}赔礼道歉；\n"
    "二、{b}于七日内恢复原状，所需费用由{b}承担；\n"
    "三、双方自愿达成本协议，今后不得再因此事滋事。",
    "一、双方同意按照现场测量结果确定界线，各自在界内使用；\n"
    "二、界线上的费用由双方各承担一半；\n"
    "三、任何一方违反本协议，由警务室组织再次调解。",
)
PLACES = ("社区警务室", "村警务工作站", "派出所调解室", "村委会会议室")
VISIT_OUTCOMES = (
    "双方已按调解协议履行，关系恢复正常",
    "赔偿款已全部付清，双方无异议",
    "电话回访，当事人表示问题已解决",
    "入户回访，邻里关系明显改善",
    "协议部分履行，已督促按期完成",
)


def load_disputes(*, seed: int, today: datetime.date | None = None) -> dict[str, int]:
    """Write the demo disputes; return the number of rows of each kind."""
    rng = random.Random(seed)
    today = today or timezone.localdate()

    officers = {
        a.grid_id: a.person
        for a in Assignment.objects.current(on=today)
        .filter(grid__isnull=False, role=Assignment.Role.RESPONSIBLE)
        .select_related("person")
        .order_by("grid_id", "pk")
    }
    grids = list(
        Grid.objects.filter(pk__in=officers)
        .select_related("area__station")
        .order_by("code")
    )
    if grids:
        households = {grid.pk: [] for grid in grids}
        for household in Household.objects.filter(grid__in=grids).order_by("pk"):
            households[household.grid_id].append(household)
        existing = set(
            Dispute.objects.filter(grid__in=grids).values_list(
                "grid_id", "summary", "reported_at"
            )
        )
        statuses, colours = list(STATUS_PLAN), list(COLOUR_PLAN)
        rng.shuffle(colours)
        summaries: set[str] = set()
        for index, (status, colour) in enumerate(zip(statuses, colours, strict=True)):
            grid = rng.choice(grids)
            fresh = index < FRESH_REPORTS
            plan = _plan(rng, status, colour, today, summaries, fresh=fresh)
            choices = households[grid.pk]
            household = rng.choice(choices) if choices and rng.random() < 0.6 else None
            if (grid.pk, plan["summary"], plan["reported_at"]) in existing:
                continue
            _run(plan, grid=grid, household=household, officer=officers[grid.pk])

    # The chiefs find the late ones in their notifications, as beat would do.
    workflow.notify_overdue()
    return {
        model.__name__: model.objects.count()
        for model in (Dispute, DisputeParty, DisputeEvent, Agreement, ReturnVisit)
    }


def _plan(rng, status, colour, today, summaries, *, fresh: bool) -> dict:
    """Draw one dispute: its text, report time and the steps it goes through.

    The number of draws does not depend on the database, so every run on the
    same day plans the same disputes.
    """
    categories = list(CATEGORY_WEIGHTS)
    category = rng.choices(categories, weights=CATEGORY_WEIGHTS.values())[0]
    template, low, high, step, second = rng.choice(SUMMARIES[category])
    while True:
        # The first party of a family dispute is the husband, son or brother.
        a = name(rng, female=category != Category.FAMILY and rng.random() < 0.3)
        b = name(
            rng,
            female=second.startswith("f") or (not second and rng.random() < 0.3),
            surname=a[0] if second.endswith("kin") else "",
        )
        n = rng.randrange(low, high + 1, step)
        summary = template.format(a=a, b=b, n=n)
        if a != b and summary not in summaries:
            break
    summaries.add(summary)
    parties = [{"name": a, "phone": phone(rng)}, {"name": b, "phone": phone(rng)}]
    terms = rng.choice(AGREEMENT_TERMS).format(a=a, b=b, n=n)
    place = rng.choice(PLACES)

    low, high = (1, 1) if fresh else DAYS_AGO[status]
    day = today - datetime.timedelta(days=rng.randint(low, high))
    minutes = (
        rng.randrange(20 * 60, 24 * 60) if fresh else rng.randrange(8 * 60, 20 * 60)
    )
    reported_at = timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60))
    )

    # Closed disputes end after resolution, referral or failure.
    ending = status
    if status == S.CLOSED:
        ending = rng.choices([S.RESOLVED, S.REFERRED, S.FAILED], weights=[7, 1, 1])[0]
    sessions = 0
    if status == S.MEDIATING or ending in (S.RESOLVED, S.FAILED):
        sessions = rng.choice((1, 1, 2, 3))
    elif ending == S.REFERRED:
        sessions = rng.choice((0, 1))
    opened = status != S.REPORTED
    regrade = None
    if opened and rng.random() < 0.2:
        rank = Colour.values.index(colour)
        if rank < len(Colour.values) - 1 and (rank == 0 or rng.random() < 0.6):
            regrade = (Colour.values[rank + 1], rng.choice(UPGRADE_REASONS))
        elif rank > 0:
            regrade = (Colour.values[rank - 1], rng.choice(DOWNGRADE_REASONS))
    escalate = opened and colour != Colour.RED and rng.random() < 0.12
    visited = status == S.CLOSED and ending == S.RESOLVED
    if status == S.RESOLVED:
        visited = rng.random() < 0.6
    return {
        "category": category,
        "summary": summary,
        "parties": parties,
        "terms": terms,
        "place": place,
        "colour": colour,
        "reported_at": reported_at,
        "status": status,
        "ending": ending,
        "sessions": sessions,
        "session_notes": [rng.choice(SESSION_NOTES) for _ in range(sessions)],
        "regrade": regrade,
        "escalate": rng.choice(ESCALATE_REASONS) if escalate else "",
        "reason": rng.choice(REFER_REASONS if ending == S.REFERRED else FAIL_REASONS),
        "visit": (rng.choice(VISIT_OUTCOMES), rng.choice((3, 3, 4, 4, 5, 5, 5)))
        if visited
        else None,
    }


def _run(plan: dict, *, grid, household, officer) -> Dispute:
    """Take one planned dispute through the workflow to its final status.

    Steps are dated after the report as a station would work (accepted within
    hours, sessions half a day apart, a return visit days after resolution),
    never later than now.
    """
    clock = Clock(plan["reported_at"])
    # Seed (Qujing): first contact within the day; a few are late.
    first_contact = 30 if len(plan["summary"]) % 7 == 0 else 3
    dispute = workflow.report(
        grid=grid,
        household=household,
        category=plan["category"],
        summary=plan["summary"],
        parties=plan["parties"],
        colour=plan["colour"],
        by=officer,
        at=plan["reported_at"],
    )
    status, ending = plan["status"], plan["ending"]
    if status == S.REPORTED:
        return dispute
    dispute = workflow.accept(dispute, by=officer, at=clock.after(hours=first_contact))
    if plan["regrade"]:
        colour, reason = plan["regrade"]
        dispute = workflow.regrade(
            dispute, colour=colour, reason=reason, by=officer, at=clock.after(hours=1)
        )
    if plan["escalate"] and dispute.level != Dispute.Level.STATION:
        dispute = workflow.escalate(
            dispute, by=officer, reason=plan["escalate"], at=clock.after(hours=1)
        )
    for notes in plan["session_notes"]:
        workflow.hold_session(
            dispute,
            by=officer,
            place=plan["place"],
            participants="、".join(party["name"] for party in plan["parties"]),
            notes=notes,
            at=clock.after(hours=12),
        )
        dispute.refresh_from_db()
    if status in (S.ACCEPTED, S.MEDIATING):
        return dispute
    ended_at = clock.after(hours=24)
    if ending == S.REFERRED:
        dispute = workflow.refer(
            dispute, by=officer, reason=plan["reason"], at=ended_at
        )
    elif ending == S.FAILED:
        dispute = workflow.fail(dispute, by=officer, reason=plan["reason"], at=ended_at)
    else:
        workflow.resolve(
            dispute,
            by=officer,
            terms=plan["terms"],
            place=plan["place"],
            at=ended_at,
        )
        dispute.refresh_from_db()
        if plan["visit"]:
            outcome, satisfaction = plan["visit"]
            workflow.record_return_visit(
                dispute,
                by=officer,
                outcome=outcome,
                satisfaction=satisfaction,
                at=clock.after(hours=72),
            )
    if status == S.CLOSED:
        dispute = workflow.close(dispute, by=officer, at=clock.after(hours=24))
    return dispute
