"""The grid six systems: monthly scores of grid workers (floating pay).

`GET /grid-workers/scores?month=YYYY-MM&region=` → `[{user, grid, score, rank,
pay_coefficient, parts}]` within the caller's scope; ranks are within each town.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Schema
from pydantic import Field

from pingan.access.actor import actor_of
from pingan.core import params
from pingan.core.errors import NotFound, invalid
from pingan.geo.models import Region
from pingan.gridsys.selectors import score_rows

router = Router(tags=["gridsys"])


class ScoreQuery(Schema):
    month: str = Field(description="YYYY-MM")
    region: int | None = Field(None, description="区划（含其下所有网格）")


class ScoreOut(Schema):
    user: int
    user_name: str
    grid: int
    grid_name: str
    town: int | None
    town_name: str
    score: float
    rank: int
    of: int
    pay_coefficient: float
    parts: dict[str, int]


def parse_month(raw: str) -> dt.date:
    month = params.parse_month(raw, "month")
    if month is None:
        raise invalid("month", gettext("月份格式应为 YYYY-MM"))
    return month


@router.get("/grid-workers/scores", response=list[ScoreOut], summary="网格员月度考核得分与绩效系数")
def scores(request: HttpRequest, q: Query[ScoreQuery]) -> Any:
    month = parse_month(q.month)
    region = None
    if q.region is not None:
        region = Region.objects.filter(pk=q.region).first()
        if region is None:
            raise NotFound("区划不存在")
    rows = score_rows(user=actor_of(request), month=month, region=region)
    return [
        {
            "user": r.user_id,
            "user_name": r.name,
            "grid": r.grid_id,
            "grid_name": r.grid_name,
            "town": r.town_id,
            "town_name": r.town_name,
            "score": r.score,
            "rank": r.rank,
            "of": r.of,
            "pay_coefficient": float(r.pay_coefficient),
            "parts": r.parts,
        }
        for r in rows
    ]
