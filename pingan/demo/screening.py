"""The demo county's dispute screening (矛盾纠纷排查): the rounds of the last eight weeks at
the three levels (villages weekly, towns half-monthly, the county monthly), most units
reported on time, some late, some "none", some missing; what they found became events,
mediation cases or was already being handled. Dates from the demo clock; every choice
from a seeded generator per report, so a second build changes nothing."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from pingan.core import clock
from pingan.core.errors import DomainError
from pingan.demo.organisation import Staff, person_name
from pingan.events.models import Category
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.screening.models import ScreeningReport
from pingan.screening.services import item_dispose, report_submit, rounds_close, rounds_generate

WEEKS = 8
MISSING = 0.08  # units that never reported a past round
LATE = 0.07
NONE_FOUND = 0.6

# What a unit finds: kind, summary, risk, the event category it would be reported under.
FINDINGS: tuple[tuple[str, str, str, str], ...] = (
    ("dispute", "两户村民因宅基地边界界桩位置发生争执", "medium", "dispute.land"),
    ("dispute", "楼上住户装修漏水殃及楼下，双方协商未果", "low", "dispute.neighbour"),
    ("dispute", "夫妻因抚养费问题多次争吵，邻居反映", "low", "dispute.family"),
    ("dispute", "小区业主与物业因停车收费产生矛盾", "medium", "dispute.property"),
    ("dispute", "个体户之间因货款结算拖欠引发纠纷", "low", "dispute.debt"),
    ("risk", "老旧厂房外墙开裂，存在坠落隐患", "high", "hazard.building"),
    ("risk", "小作坊违规使用明火作业，安全条件差", "medium", "hazard.production"),
    (
        "instability",
        "征迁范围内部分农户对补偿标准有异议，酝酿集体上访",
        "high",
        "dispute.demolition",
    ),
    ("instability", "某企业拖欠工资传闻，员工在群内串联", "high", "dispute.debt"),
)
PLACES = ("村委会附近", "老街", "工业区", "安置小区", "菜市场旁", "村道沿线")


@dataclass
class Written:
    rounds: int = 0
    reports: int = 0
    none_found: int = 0
    items: int = 0
    events: int = 0
    cases: int = 0
    missing: int = 0


def _reporter(report: ScreeningReport, staff: Staff) -> Any:
    code = report.unit.code
    if report.unit.level == "village":
        return staff.grid_leaders.get(code)
    people = staff.dispatchers.get(code) or []
    return people[0] if people else staff.leaders.get(code)


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def build_screening(
    *,
    county: Region,
    staff: Staff,
    seed: int,
    now: dt.datetime,
    muted: Callable[[], Any],
    progress: Callable[[str], None] = lambda s: None,
) -> Written:
    """The rounds since eight weeks ago and their reports (module docstring)."""
    out = Written()
    today = timezone.localdate(now)
    with clock.frozen(now):
        made = rounds_generate(on=today, since=today - dt.timedelta(weeks=WEEKS))
    out.rounds = made.rounds
    categories = {
        c.code: c.pk
        for c in Category.objects.filter(code__in={f[3] for f in FINDINGS}, is_active=True)
    }
    reports = (
        ScreeningReport.objects.filter(
            within_q("region_path", [county.path]), status="pending", round__status="open"
        )
        .select_related("round", "unit")
        .order_by("round__period_start", "region_path")
    )
    for report in reports:
        rnd = report.round
        rng = random.Random(f"screening:{seed}:{report.unit.code}:{rnd.level}:{rnd.period_start}")
        past_due = today > rnd.due_on
        if past_due and rng.random() < MISSING:
            out.missing += 1
            continue
        if not past_due and rng.random() < 0.5:
            continue  # the current period: half the units have not reported yet
        user = _reporter(report, staff)
        if user is None:
            continue
        if past_due and rng.random() < LATE:
            day = min(rnd.due_on + dt.timedelta(days=rng.randint(1, 3)), today)
        else:
            day = max(rnd.period_end - dt.timedelta(days=rng.randint(0, 3)), rnd.period_start)
            day = min(day, today)
        at = min(_at(day, rng), now)
        none = rng.random() < NONE_FOUND
        findings = [] if none else rng.sample(FINDINGS, k=rng.choice((1, 1, 2, 3)))
        items = [
            {
                "kind": kind,
                "summary": summary,
                "parties_count": rng.randint(2, 30) if kind == "instability" else rng.randint(2, 6),
                "place": report.unit.name + rng.choice(PLACES),
                "risk_level": risk,
            }
            for kind, summary, risk, _code in findings
        ]
        with muted(), clock.frozen(at):
            try:
                done = report_submit(
                    actor=user,
                    round_id=rnd.pk,
                    unit=report.unit_id,
                    none_found=none,
                    items=items,
                )
            except DomainError:
                continue
        out.reports += 1
        out.none_found += int(none)
        out.items += len(items)
        later = min(at + dt.timedelta(hours=rng.randint(1, 30)), now)
        for found, (_k, _s, _r, code) in zip(done.items.order_by("pk"), findings, strict=False):
            out.events += _dispose(found, code, categories, user, rng, later, muted, out)
    with clock.frozen(now):
        rounds_close(on=today)
    progress(
        f"矛盾纠纷排查：新建轮次 {out.rounds} 个，报告 {out.reports} 份"
        f"（报“无” {out.none_found} 份），发现事项 {out.items} 项"
        f"（转事件 {out.events} 件、转调解 {out.cases} 件），未报 {out.missing} 个"
    )
    return out


def _dispose(
    found: Any,
    code: str,
    categories: dict[str, int],
    user: Any,
    rng: random.Random,
    at: dt.datetime,
    muted: Callable[[], Any],
    out: Written,
) -> int:
    """Make an item an event (most), a mediation case (disputes, some) or leave it handled
    in the village; returns 1 when it became an event."""
    roll = rng.random()
    with muted(), clock.frozen(at):
        try:
            if roll < 0.45 and code in categories:
                item_dispose(
                    actor=user,
                    item_id=found.pk,
                    disposition="event",
                    payload={"category": categories[code]},
                )
                return 1
            if roll < 0.65 and found.kind == "dispute":
                parties = [
                    {"role": "applicant", "name": person_name(rng)},
                    {"role": "respondent", "name": person_name(rng)},
                ]
                item_dispose(
                    actor=user,
                    item_id=found.pk,
                    disposition="mediation",
                    payload={"parties": parties},
                )
                out.cases += 1
                return 0
            if roll < 0.85:
                item_dispose(
                    actor=user,
                    item_id=found.pk,
                    disposition="handled",
                    payload={"note": "村（社区）调解委员会已介入调处"},
                )
        except DomainError:
            return 0
    return 0
