"""Moving the demo's rectification orders (整改通知, docs/rectification.md) through their
workflow at realistic moments: the inspections demo issues the orders from its findings
and then calls `advance_orders`.

Each published order gets a fate drawn from the seeded `rng` and the time it has had:
closed on time (签收 → 佐证 → 反馈 → 复查通过 → 销号), overdue (not answered by its
deadline: the overdue sweep marks it and deducts, some answered late afterwards), one
failed re-check at least (back to 整改中 with a new deadline and a deduction), or still
open (recent orders). Everything goes through the services under `core.clock.frozen`, so
the timeline, audit rows and deductions are the ones the workflow writes. Unpublished
(暗访) orders are left alone; orders already past `issued` are skipped (idempotent).
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from pingan.core import clock
from pingan.demo.organisation import Staff
from pingan.geo.selectors import county_code_of
from pingan.rectification.deadlines import order_mark_overdue
from pingan.rectification.models import RectificationOrder
from pingan.rectification.services import evidence_add, rectification_transition

RESULTS = (
    "已组织人员现场清理，问题已整改到位，并建立日常巡查台账。",
    "已约谈责任人，完成整改并在社区公示栏公示整改情况。",
    "已落实专人负责，相关设施已修复，经自查符合要求。",
)
FAILED_NOTES = (
    "复查发现问题反弹，整改不彻底。",
    "佐证材料与现场情况不符，需重新整改。",
)


def _photo(rng: random.Random) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    colour = (rng.randint(60, 200), rng.randint(60, 200), rng.randint(60, 200))
    Image.new("RGB", (64, 48), colour).save(buf, format="JPEG", quality=70)
    return buf.getvalue()


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _people(order: RectificationOrder, staff: Staff) -> tuple[Any, Any] | None:
    """(the owner unit's user, the county office's user), or None when the demo has none."""
    units: list[Any] = []
    if order.unit_region is not None:
        units = list(staff.dispatchers.get(order.unit_region.code) or [])
    elif order.unit_department is not None:
        units = list(staff.handlers.get(order.unit_department.code) or [])
    offices = list(staff.dispatchers.get(county_code_of(order.region)) or [])
    if not units or not offices:
        return None
    return units[0], offices[0]


def _moment(order: RectificationOrder, day: dt.date, hour: int, now: dt.datetime) -> dt.datetime:
    """10:00-ish on `day`, never before the order was issued nor after now."""
    return min(max(_at(day, hour), order.issued_at + dt.timedelta(minutes=5)), now)


def _fire(
    order: RectificationOrder, user: Any, action: str, at: dt.datetime, **payload: Any
) -> None:
    with clock.frozen(at):
        rectification_transition(actor=user, order_id=order.pk, action=action, payload=payload)


def _evidence(order: RectificationOrder, user: Any, at: dt.datetime, rng: random.Random) -> None:
    with clock.frozen(at):
        evidence_add(
            actor=user,
            order_id=order.pk,
            upload=_photo(rng),
            name=f"整改照片-{order.code}.jpg",
            note="整改后现场",
        )


def _answer(
    order: RectificationOrder, unit: Any, day: dt.date, now: dt.datetime, rng: random.Random
) -> None:
    """Evidence, then 反馈, on `day`."""
    _evidence(order, unit, _moment(order, day, 10, now), rng)
    _fire(order, unit, "submit", _moment(order, day, 11, now), result=rng.choice(RESULTS))


def _advance(
    order: RectificationOrder,
    unit: Any,
    office: Any,
    *,
    now: dt.datetime,
    rng: random.Random,
    fail: bool,
) -> str:
    """One order's fate (module docstring); `fail`: the failed re-check is still owed."""
    today = timezone.localdate(now)
    issued = timezone.localdate(order.issued_at)
    if (today - issued).days < 2:
        return "open"
    _fire(order, unit, "acknowledge", _moment(order, issued + dt.timedelta(days=1), 9, now))
    span = (order.deadline - issued).days
    answered = issued + dt.timedelta(days=max(2, int(span * rng.uniform(0.4, 0.9))))
    roll = rng.random()
    if fail and answered + dt.timedelta(days=3) < today:
        _answer(order, unit, answered, now, rng)
        recheck = answered + dt.timedelta(days=2)
        _fire(
            order,
            office,
            "recheck",
            _moment(order, recheck, 15, now),
            passed=False,
            note=rng.choice(FAILED_NOTES),
            deadline=(max(recheck, today) + dt.timedelta(days=10)).isoformat(),
        )
        return "failed_recheck"
    if roll < 0.25 and order.deadline + dt.timedelta(days=1) < today:
        # Not answered by the deadline: the sweep marks it the next morning.
        order_mark_overdue(
            order_id=order.pk, now=_moment(order, order.deadline + dt.timedelta(days=1), 7, now)
        )
        late = order.deadline + dt.timedelta(days=rng.randint(3, 12))
        if late < today and rng.random() < 0.5:
            _answer(order, unit, late, now, rng)
        return "overdue"
    if answered + dt.timedelta(days=4) < today:
        _answer(order, unit, answered, now, rng)
        recheck = answered + dt.timedelta(days=2)
        _fire(order, office, "recheck", _moment(order, recheck, 15, now), passed=True)
        _fire(order, office, "close_out", _moment(order, recheck + dt.timedelta(days=1), 10, now))
        return "closed"
    return "open"


def advance_orders(
    orders: Iterable[RectificationOrder],
    *,
    staff: Staff,
    now: dt.datetime,
    rng: random.Random,
) -> dict[str, int]:
    """Move `orders` through the workflow (module docstring); returns how many ended in
    each fate: {"closed", "overdue", "failed_recheck", "open", "skipped"}."""
    counts = {"closed": 0, "overdue": 0, "failed_recheck": 0, "open": 0, "skipped": 0}
    ids = [o.pk for o in orders]
    todo = RectificationOrder.objects.filter(pk__in=ids).select_related(
        "region", "unit_region", "unit_department"
    )
    for order in sorted(todo, key=lambda o: (o.issued_at, o.pk)):
        people = _people(order, staff)
        if not order.published or order.status != "issued" or people is None:
            counts["skipped"] += 1
            continue
        fate = _advance(order, *people, now=now, rng=rng, fail=counts["failed_recheck"] == 0)
        counts[fate] += 1
    return counts
