"""Major matters for tests, built through the services: a matter in 城东社区第一网格
(town A) registered by the county dispatcher (the county's Ping'an office), owned by the
police, with its point in the grid and a 500 m radius."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pingan.core import clock
from pingan.risk.models import MajorMatter
from pingan.risk.services import matter_create, risk_transition


def new_matter(cast: Any, actor: Any = None, **kw: Any) -> MajorMatter:
    lat, lng = cast.point_a1
    fields: dict[str, Any] = {
        "title": "城东社区旧城改造征收",
        "kind": "land",
        "owner_department": cast.police.pk,
        "region": cast.grid_a1.pk,
        "lat": lat,
        "lng": lng,
        "radius_m": 500,
        "people_affected": 320,
        "description": "涉及住户约120户",
    }
    fields.update(kw)
    return matter_create(actor=actor or cast.county_dispatcher, **fields)


def fire(matter: MajorMatter, user: Any, action: str, **payload: Any) -> MajorMatter:
    return risk_transition(actor=user, matter_id=matter.pk, action=action, payload=payload)


def today() -> dt.date:
    return timezone.localdate(clock.now())


def assessed(cast: Any, matter: MajorMatter, *, grade: str = "medium") -> MajorMatter:
    """Started, one survey recorded, graded."""
    d = cast.county_dispatcher
    matter = fire(matter, d, "start")
    matter = fire(
        matter,
        d,
        "record_step",
        step_kind="survey",
        held_on=today().isoformat(),
        summary="走访120户，支持率85%",
    )
    return fire(matter, d, "grade", grade=grade, reasons="部分住户对补偿标准有异议")


def measured(cast: Any, matter: MajorMatter, *, days: int = 10, department: Any = None) -> int:
    """Adds one measure due in `days` days; returns its id."""
    fire(
        matter,
        cast.county_dispatcher,
        "add_measure",
        measure="逐户上门解释补偿政策",
        owner_department=(department or cast.police).pk,
        deadline=(today() + dt.timedelta(days=days)).isoformat(),
    )
    return int(matter.measures.order_by("-id").values_list("id", flat=True)[0])


def decided(cast: Any, matter: MajorMatter, decision: str = "implement") -> MajorMatter:
    return fire(matter, cast.county_dispatcher, "decide", decision=decision, note="经研究决定")
