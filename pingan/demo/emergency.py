"""The demo county's emergency handling (「一三五」, docs/emergency.md): four plans, one past
activation of the 集体讨薪 plan on a labour-dispute event with its full timeline and
response times, the duty roster of the county and the towns for the two weeks before and
after today, and a few drills.

* Plans (through `emergency.services.plan_create`, by the county's dispatcher): 集体讨薪
  群体性事件, 防汛防台, 安全生产事故, 大型活动; groups with the demo departments as leads
  (谈判组 police, 安抚组 market supervision, 现场对接组 the town's dispatchers…), task
  templates in natural minutes, a checklist.
* The past activation: the latest 拖欠工资 / 欠薪 event at least three days old, written as
  the workflow would have (activated a few minutes after the report, groups acknowledged,
  tasks done, situation reports, on site, under control, stood down with a summary and
  lessons), with its 启动预案 and 备注 rows on the event's timeline.
* The roster: a 带班领导 and a 值班员 per day and night shift at the county and each town,
  from the demo's dispatchers and leaders.
* Drills: two held (with participants and findings), one planned, one cancelled.

Deterministic (seeded) and idempotent: plans are found by name, the activation by its
event, shifts by their unique key, drills by title.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from pingan.access.actor import Actor
from pingan.core import clock
from pingan.demo.organisation import Staff
from pingan.emergency.choices import DrillState, DutyLevel, DutyRole, Shift, Status
from pingan.emergency.models import (
    Activation,
    ActivationTransition,
    Drill,
    DutyShift,
    EmergencyPlan,
    SituationReport,
)
from pingan.emergency.services import _call_up, _next_code, plan_create
from pingan.events.choices import Status as EventStatus
from pingan.events.models import Event, EventTransition
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.org.choices import Role
from pingan.org.models import Department

WAGE_PLAN = "集体讨薪群体性事件应急预案"


@dataclass
class Written:
    plans: int = 0
    activations: int = 0
    shifts: int = 0
    drills: int = 0


def _dept(county: Region, abbr: str) -> int | None:
    d = Department.objects.filter(code=f"{county.code}-{abbr}").first()
    return d.pk if d else None


def _plans(county: Region) -> list[dict[str, Any]]:
    ga, sj, zj, zf, mz, jt, sf = (
        _dept(county, a) for a in ("GA", "SJ", "ZJ", "ZF", "MZ", "JT", "SF")
    )
    return [
        {
            "name": WAGE_PLAN,
            "kind": "mass_incident",
            "levels": ["II", "III", "IV"],
            "summary": "企业、工地拖欠工资引发的群体聚集、讨薪事件。",
            "groups": [
                {
                    "name": "谈判组",
                    "duty": "与讨薪代表对话，督促欠薪方拿出支付方案",
                    "lead_department": sj,
                    "member_departments": [sf],
                    "tasks": [
                        {"title": "确定对话代表并开始对话", "minutes": 30},
                        {"title": "形成工资支付方案", "minutes": 240},
                    ],
                },
                {
                    "name": "安抚组",
                    "duty": "稳定现场群众情绪，做好解释疏导",
                    "lead_department": mz,
                    "tasks": [{"title": "核实欠薪人员名单与金额", "minutes": 120}],
                },
                {
                    "name": "现场对接组",
                    "duty": "维护现场秩序，保障交通，防止过激行为",
                    "lead_department": ga,
                    "member_departments": [jt],
                    "tasks": [
                        {"title": "到场维持秩序", "minutes": 20},
                        {"title": "疏导周边交通", "minutes": 45},
                    ],
                },
            ],
            "steps": [
                "接报核实人数与诉求",
                "启动预案、通知各组",
                "各组到场处置",
                "形成支付方案并公开",
                "现场恢复正常后终止响应",
                "总结评估",
            ],
        },
        {
            "name": "防汛防台应急预案",
            "kind": "natural_disaster",
            "levels": ["I", "II", "III", "IV"],
            "summary": "台风、暴雨、洪涝的防御与群众转移安置。",
            "groups": [
                {
                    "name": "转移安置组",
                    "lead_department": mz,
                    "member_departments": [zj],
                    "tasks": [{"title": "转移危旧房、低洼地群众", "minutes": 180}],
                },
                {
                    "name": "抢险救援组",
                    "lead_department": zf,
                    "tasks": [{"title": "巡查堤塘、排涝点位", "minutes": 60}],
                },
                {
                    "name": "交通保障组",
                    "lead_department": jt,
                    "tasks": [{"title": "封闭积水路段", "minutes": 45}],
                },
            ],
            "steps": ["发布预警", "分级响应", "人员转移", "巡查抢险", "解除响应", "灾后恢复"],
        },
        {
            "name": "安全生产事故应急预案",
            "kind": "accident",
            "levels": ["II", "III", "IV"],
            "groups": [
                {
                    "name": "现场救援组",
                    "lead_department": zf,
                    "tasks": [{"title": "划定警戒区、组织救援", "minutes": 30}],
                },
                {
                    "name": "事故调查组",
                    "lead_department": sj,
                    "member_departments": [ga],
                    "tasks": [{"title": "保全现场、收集证据", "minutes": 120}],
                },
                {
                    "name": "善后处置组",
                    "lead_department": mz,
                    "tasks": [{"title": "联系伤亡人员家属", "minutes": 180}],
                },
            ],
            "steps": ["接报核实", "启动响应", "现场救援", "事故调查", "善后处置"],
        },
        {
            "name": "大型活动安全保障预案",
            "kind": "large_event",
            "levels": ["III", "IV"],
            "groups": [
                {
                    "name": "安保组",
                    "lead_department": ga,
                    "tasks": [{"title": "安检口与巡逻力量到位", "minutes": 60}],
                },
                {
                    "name": "交通组",
                    "lead_department": jt,
                    "tasks": [{"title": "落实临时交通管制", "minutes": 60}],
                },
                {
                    "name": "医疗保障组",
                    "lead_department": mz,
                    "tasks": [{"title": "医疗点与救护车就位", "minutes": 90}],
                },
            ],
            "steps": ["方案审定", "人员到位", "活动保障", "人员疏散", "总结"],
        },
    ]


def ensure_plans(
    county: Region, office: Any, now: dt.datetime
) -> tuple[dict[str, EmergencyPlan], int]:
    out: dict[str, EmergencyPlan] = {}
    made = 0
    for spec in _plans(county):
        plan = EmergencyPlan.objects.filter(name=spec["name"], region=county).first()
        if plan is None:
            spec = dict(spec)
            for g in spec["groups"]:
                g["member_departments"] = [d for d in g.get("member_departments", []) if d]
            with clock.frozen(now):
                plan = plan_create(actor=office, region=county.pk, **spec)
            made += 1
        out[plan.name] = plan
    return out, made


def _wage_event(county: Region, now: dt.datetime) -> Event | None:
    """The latest labour-dispute event about unpaid wages at least three days old."""
    return (
        Event.objects.filter(
            within_q("region_path", [county.path]),
            category__code__endswith="labour",
            reported_at__lte=now - dt.timedelta(days=3),
            reported_at__gte=now - dt.timedelta(days=120),
            status__in=[EventStatus.CLOSED, EventStatus.RESOLVED],
        )
        .select_related("region")
        .order_by("-reported_at")
        .first()
    )


def past_activation(
    *, county: Region, plan: EmergencyPlan, staff: Staff, seed: int, now: dt.datetime
) -> Activation | None:
    """The 集体讨薪 activation on a past event, its whole timeline written as it happened."""
    event = _wage_event(county, now)
    if event is None or Activation.objects.filter(event=event).exists():
        return None
    rng = random.Random(seed * 7 + 22)
    town = next(
        (r for r in Region.objects.filter(code__in=event.region.ancestor_codes(), level="town")),
        county,
    )
    crew = staff.dispatchers.get(town.code) or staff.dispatchers.get(county.code) or []
    commander = crew[0] if crew else None
    t0 = event.reported_at + dt.timedelta(minutes=rng.randint(6, 14))
    moments = {
        "on_site": t0 + dt.timedelta(minutes=rng.randint(18, 28)),
        "control": t0 + dt.timedelta(minutes=rng.randint(95, 140)),
        "stand_down": t0 + dt.timedelta(minutes=rng.randint(260, 330)),
    }
    role = Role.DISPATCHER
    with transaction.atomic():
        a = Activation.objects.create(
            code=_next_code(event.region, t0),
            event=event,
            plan=plan,
            level="IV",
            status=Status.STOOD_DOWN,
            region=event.region,
            region_path=event.region_path,
            sensitivity=event.sensitivity,
            commander=commander,
            lat=event.lat,
            lng=event.lng,
            reported_at=event.reported_at,
            activated_at=t0,
            on_site_at=moments["on_site"],
            under_control_at=moments["control"],
            stood_down_at=moments["stand_down"],
            summary="欠薪企业当场承诺并于次日支付拖欠工资，现场人员劝离，无过激行为。",
            lessons="谈判组到场偏慢；建议将重点企业欠薪情况纳入每周排查，提前预警。",
            created_by=commander,
        )
        _call_up(a, plan, t0)

        def row(
            action: str, at: dt.datetime, from_s: str, to_s: str, note: str = "", **data: Any
        ) -> None:
            ActivationTransition.objects.create(
                activation=a,
                action=action,
                from_status=from_s,
                to_status=to_s,
                actor=None if action.endswith("overdue") else commander,
                actor_role=role,
                note=note,
                data=data,
                at=at,
            )

        row("activate", t0, "", Status.ACTIVATED, event=event.pk, plan=plan.pk, level="IV")
        for i, g in enumerate(a.groups.order_by("order")):
            ack = t0 + dt.timedelta(minutes=3 + 4 * i + (13 if i == 0 else 0))
            late = ack > g.ack_due_at
            if late:
                g.escalated_at = g.ack_due_at + dt.timedelta(minutes=1)
                row(
                    "ack_overdue",
                    g.escalated_at,
                    Status.ACTIVATED,
                    Status.ACTIVATED,
                    group=g.pk,
                    group_name=g.name,
                )
            g.acknowledged_at = ack
            g.acknowledged_by = next(iter(g.people.all()), None) or commander
            g.save()
            row(
                "acknowledge",
                ack,
                Status.ACTIVATED,
                Status.ACTIVATED,
                group=g.pk,
                group_name=g.name,
                late=late,
            )
            for t in g.tasks.all():
                t.done_at = min(
                    t.due_at - dt.timedelta(minutes=rng.randint(1, 9)), moments["stand_down"]
                )
                t.done_by = g.acknowledged_by
                t.note = "已完成"
                t.save()
        row("arrive", moments["on_site"], Status.ACTIVATED, Status.ON_SITE)
        reports = [
            (
                moments["on_site"] + dt.timedelta(minutes=2),
                "厂门口聚集约40人，情绪激动，已拉横幅",
                40,
            ),
            (moments["on_site"] + dt.timedelta(minutes=45), "谈判组与工人代表5人在会议室对话", 35),
            (
                moments["control"] - dt.timedelta(minutes=5),
                "企业负责人到场承诺次日支付，人员陆续散去",
                12,
            ),
            (moments["stand_down"] - dt.timedelta(minutes=10), "现场人员全部离开，交通恢复", 0),
        ]
        for at, text, n in reports:
            r = SituationReport.objects.create(
                activation=a,
                at=at,
                text=text,
                people_count=n,
                lat=event.lat,
                lng=event.lng,
                by=commander,
            )
            row("situation", at, Status.ON_SITE, Status.ON_SITE, report=r.pk, people_count=n)
        row("control", moments["control"], Status.ON_SITE, Status.UNDER_CONTROL)
        row("stand_down", moments["stand_down"], Status.UNDER_CONTROL, Status.STOOD_DOWN)
        # The event's own timeline, as the handover and the stand-down wrote it.
        for action, at, note in (
            ("activate_plan", t0, f"启动预案：{plan.name} Ⅳ级（一般）（{a.code}）"),
            ("comment", moments["stand_down"], f"应急响应终止（{a.code}）：{a.summary}"),
        ):
            EventTransition.objects.create(
                event=event,
                action=action,
                from_status=event.status,
                to_status=event.status,
                actor=commander,
                actor_role=role,
                note=note,
                data={"activation": a.pk, "activation_code": a.code},
                at=at,
            )
    return a


def ensure_roster(
    *, county: Region, towns: list[Region], staff: Staff, seed: int, today: dt.date
) -> int:
    """A 带班领导 and a 值班员 per shift at the county and each town, 14 days either side."""
    made = 0
    rng = random.Random(seed * 11 + 5)
    # A slot (day, shift, region, role) already filled is left as it is.
    have = set(
        DutyShift.objects.filter(
            date__gte=today - dt.timedelta(days=14), date__lte=today + dt.timedelta(days=14)
        ).values_list("date", "shift", "region_id", "role")
    )
    rows = []
    for region in [county, *towns]:
        officers = sorted(staff.dispatchers.get(region.code) or [], key=lambda u: u.pk)
        leaders = [u for u in (staff.leaders.get(region.code),) if u is not None] or officers[:1]
        if not officers:
            continue
        level = DutyLevel.COUNTY if region.pk == county.pk else DutyLevel.TOWN
        for offset in range(-14, 15):
            day = today + dt.timedelta(days=offset)
            for shift in (Shift.DAY, Shift.NIGHT):
                leader = rng.choice(leaders)
                others = [u for u in officers if u.pk != leader.pk]
                pairs = [(DutyRole.LEADER, leader)]
                if others:  # one person is never both on one shift
                    pairs.append((DutyRole.OFFICER, rng.choice(others)))
                for role, user in pairs:
                    key = (day, shift, region.pk, role)
                    if key in have:
                        continue
                    have.add(key)
                    rows.append(
                        DutyShift(
                            date=day,
                            shift=shift,
                            level=level,
                            region=region,
                            region_path=region.path,
                            user=user,
                            role=role,
                            phone=f"0573-8{rng.randint(1000000, 9999999)}",
                        )
                    )
    DutyShift.objects.bulk_create(rows, batch_size=1000)
    made += len(rows)
    return made


def ensure_drills(*, county: Region, plans: dict[str, EmergencyPlan], today: dt.date) -> int:
    specs = [
        (
            "集体讨薪处置桌面推演",
            WAGE_PLAN,
            -40,
            DrillState.HELD,
            36,
            "县市场监管局、县公安局、县民政局",
            "谈判组与安抚组分工不清，已修订预案分工表。",
        ),
        (
            "防台风人员转移实战演练",
            "防汛防台应急预案",
            -75,
            DrillState.HELD,
            120,
            "县民政局、县住建局、各镇街",
            "低洼地名单更新不及时；转移车辆调度偏慢。",
        ),
        (
            "化工企业泄漏事故演练",
            "安全生产事故应急预案",
            -10,
            DrillState.CANCELLED,
            None,
            "",
            "因台风预警推迟。",
        ),
        ("元宵灯会安保演练", "大型活动安全保障预案", 20, DrillState.PLANNED, None, "", ""),
    ]
    made = 0
    for title, plan_name, offset, state, n, units, findings in specs:
        plan = plans.get(plan_name)
        if plan is None or Drill.objects.filter(title=title, plan=plan).exists():
            continue
        day = today + dt.timedelta(days=offset)
        Drill.objects.create(
            plan=plan,
            title=title,
            region=county,
            region_path=county.path,
            state=state,
            planned_on=day,
            held_on=day if state == DrillState.HELD else None,
            participants=n,
            units=units,
            findings=findings,
        )
        made += 1
    return made


def build_emergency(
    *,
    county: Region,
    towns: list[Region],
    staff: Staff,
    seed: int,
    now: dt.datetime,
    progress: Callable[[str], None] = lambda s: None,
) -> Written:
    out = Written()
    office_users = staff.dispatchers.get(county.code) or []
    if not office_users:
        return out
    office_user = office_users[0]
    office = Actor.for_user(office_user)
    plans, out.plans = ensure_plans(county, office, now)
    if past_activation(county=county, plan=plans[WAGE_PLAN], staff=staff, seed=seed, now=now):
        out.activations = 1
    today = timezone.localdate(now)
    out.shifts = ensure_roster(county=county, towns=towns, staff=staff, seed=seed, today=today)
    out.drills = ensure_drills(county=county, plans=plans, today=today)
    progress(
        f"应急：新建预案 {out.plans} 个、历史启动 {out.activations} 次、"
        f"值班 {out.shifts} 班次、演练 {out.drills} 次"
    )
    return out
