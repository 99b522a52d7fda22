"""The demo county's inspections (docs/inspections.md, "Demo"): the year's plans of each
level (county leaders quarterly, the special group's monthly 暗访, the towns' half-monthly
self-checks, the supervision office's monthly check of departments), their tasks, and the
inspections of the months past: every town's quarterly county-leader inspection and the
last six months' 暗访, with failed items (deductions), findings issued as rectification
orders (advanced with `demo.rectification.advance_orders`) and the 暗访 published a few
days later; the last two self-checks of every town.

Written through the services at the moments they happened (`clock.frozen`). Deterministic
(seeded); idempotent: a plan whose name exists for the year is left as it is, and a task
already done is not inspected again."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from pingan.core import clock
from pingan.demo.organisation import Staff
from pingan.demo.rectification import advance_orders
from pingan.geo.models import Region
from pingan.inspections import plans as plan_services
from pingan.inspections import services
from pingan.inspections.choices import Frequency, Kind, Level, TaskStatus
from pingan.inspections.defaults import checklists_ensure
from pingan.inspections.models import InspectionPlan, InspectionTask
from pingan.org.models import Department
from pingan.rectification.models import RectificationOrder

NOTES = {
    "P01": "网格员巡查记录缺少近两周内容",
    "P02": "矛盾纠纷排查台账未按期更新",
    "P03": "重点人员走访记录不全",
    "P04": "出租房屋登记信息与实际不符",
    "P05": "消防通道堆放杂物，灭火器过期",
    "P06": "部分监控点位离线",
    "P07": "随机询问群众，平安建设知晓率偏低",
    "P08": "值班人员不在岗",
    "U01": "夜间巡防力量未按要求在岗",
    "U02": "学校门口护学岗未落实",
    "C01": "上期问题未整改到位",
}


@dataclass
class Written:
    plans: int = 0
    tasks: int = 0
    inspections: int = 0
    orders: int = 0
    fates: dict[str, int] = field(default_factory=dict)


def _plans(
    county: Region, towns: list[Region], staff: Staff, year: int, now: dt.datetime, out: Written
) -> dict[str, InspectionPlan]:
    office = staff.dispatchers[county.code][0]
    inspector = staff.demo.get("demo-inspector")
    leader = staff.leaders.get(county.code)
    group = [u for u in (inspector, leader) if u is not None] or [office]
    depts = list(Department.objects.filter(is_active=True).order_by("code")[:6])
    specs = {
        "leader": (
            f"{year}年县领导平安督查",
            Level.COUNTY_LEADER,
            Kind.SUPERVISION,
            Frequency.QUARTERLY,
            group,
            towns,
            [],
        ),
        "secret": (
            f"{year}年县委专项督查组暗访",
            Level.SPECIAL_GROUP,
            Kind.UNANNOUNCED,
            Frequency.MONTHLY,
            group[:1],
            towns,
            [],
        ),
        "self": (
            f"{year}年乡镇平安自查",
            Level.SELF_CHECK,
            Kind.SELF_CHECK,
            Frequency.HALF_MONTHLY,
            [],
            towns,
            [],
        ),
        "office": (
            f"{year}年督查室部门督查",
            Level.SUPERVISION_OFFICE,
            Kind.SUPERVISION,
            Frequency.MONTHLY,
            group[:1],
            [],
            depts,
        ),
    }
    found: dict[str, InspectionPlan] = {}
    with clock.frozen(dt.datetime(year, 1, 2, 1, 0, tzinfo=dt.UTC)):
        for key, (name, level, kind, freq, people, units, dep) in specs.items():
            plan = InspectionPlan.objects.filter(name=name, year=year).first()
            if plan is None:
                if not units and not dep:
                    continue
                plan = plan_services.plan_create(
                    actor=office,
                    name=name,
                    level=level,
                    kind=kind,
                    frequency=freq,
                    year=year,
                    target_region_ids=[t.pk for t in units],
                    target_department_ids=[d.pk for d in dep],
                    inspector_ids=[u.pk for u in people],
                    return_visits=key == "secret",
                )
                out.plans += 1
            found[key] = plan
    return found


def _answers(task: InspectionTask, rng: random.Random, fail: float) -> list[dict[str, Any]]:
    rows = []
    for item in task.plan.checklist.items.all():
        bad = rng.random() < fail
        rows.append(
            {
                "item": item.code,
                "result": "problem" if bad else "ok",
                "note": NOTES.get(item.code, item.text) if bad else "",
            }
        )
    return rows


def _inspect(
    task: InspectionTask,
    actor: Any,
    at: dt.datetime,
    rng: random.Random,
    fail: float,
    office: Any,
    out: Written,
    publish_after: int | None,
) -> list[int]:
    """Carry out `task` at `at` as `actor`; issue its findings' orders; publish after N
    days (暗访). Returns the orders issued."""
    with clock.frozen(at):
        inspection, created = services.inspection_submit(
            actor=actor,
            client_uuid=uuid.UUID(int=rng.getrandbits(128)),
            task_id=task.pk,
            answers=_answers(task, rng, fail),
            note="检查组按清单逐项检查，现场反馈问题",
        )
    if not created:
        return []
    out.inspections += 1
    orders = []
    with clock.frozen(at + dt.timedelta(hours=2)):
        deadline = timezone.localdate(at) + dt.timedelta(days=rng.choice((10, 15, 20)))
        for finding in inspection.findings.all():
            services.finding_order_issue(
                actor=actor,
                inspection_id=inspection.pk,
                finding_id=finding.pk,
                deadline=deadline,
            )
            finding.refresh_from_db()
            orders.append(finding.order_id)
    if publish_after is not None:
        with clock.frozen(at + dt.timedelta(days=publish_after)):
            services.inspection_publish(actor=office, inspection_id=inspection.pk)
    out.orders += len(orders)
    return [o for o in orders if o is not None]


def build_inspections(
    *,
    county: Region,
    towns: Iterable[Region] | dict[str, Region],
    staff: Staff,
    seed: int,
    now: dt.datetime,
    progress: Callable[[str], None] = lambda s: None,
) -> Written:
    """The demo plans, tasks, inspections and orders (module docstring)."""
    out = Written()
    if not staff.dispatchers.get(county.code):
        return out
    rng = random.Random(f"inspections:{seed}")
    town_list = sorted(towns.values() if isinstance(towns, dict) else towns, key=lambda t: t.path)
    office = staff.dispatchers[county.code][0]
    today = timezone.localdate(now)
    checklists_ensure()
    plans = _plans(county, town_list, staff, today.year, now, out)
    with clock.frozen(now):
        out.tasks = plan_services.tasks_generate(on=today, since=dt.date(today.year, 1, 1)).tasks
    progress(f"inspections: {out.plans} plans, {out.tasks} tasks")
    orders: list[int] = []
    for key, fail, months, publish in (("leader", 0.15, 12, None), ("secret", 0.2, 6, 3)):
        plan = plans.get(key)
        if plan is None:
            continue
        first = today - dt.timedelta(days=31 * months)
        tasks = (
            InspectionTask.objects.filter(
                plan=plan, status=TaskStatus.OPEN, period_end__lt=today, period_start__gte=first
            )
            .select_related("plan__checklist", "unit_region")
            .order_by("period_start", "pk")
        )
        for task in tasks:
            people = list(task.assignees.all())
            if not people:
                continue
            span = (task.due_on - task.period_start).days
            day = task.period_start + dt.timedelta(days=rng.randint(0, max(span - 1, 0)))
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + rng.randint(0, 6), 0)))
            orders += _inspect(task, people[0], at, rng, fail, office, out, publish)
    self_plan = plans.get("self")
    if self_plan is not None:
        recent = (
            InspectionTask.objects.filter(
                plan=self_plan,
                status=TaskStatus.OPEN,
                period_end__lt=today,
                period_start__gte=today - dt.timedelta(days=31),
                unit_region__isnull=False,
            )
            .select_related("plan__checklist")
            .order_by("period_start", "pk")
        )
        for task in recent:
            people = list(task.assignees.all())
            if people:
                at = timezone.make_aware(dt.datetime.combine(task.due_on, dt.time(15, 0)))
                _inspect(task, people[0], at, rng, 0.05, office, out, None)
    out.fates = advance_orders(
        RectificationOrder.objects.filter(pk__in=orders), staff=staff, now=now, rng=rng
    )
    progress(f"inspections: {out.inspections} inspections, {out.orders} orders {out.fates}")
    return out
