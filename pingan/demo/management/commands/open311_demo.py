"""A few service requests from an Open311 client in the demo county (called by
`make demo` after `channel_demo`), so the Open311 source shows in lists and figures.
A second run adds nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pingan.events.models import Category
from pingan.geo.choices import Level
from pingan.geo.geometry import to_shape
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.intake.choices import Channel
from pingan.intake.models import Integration
from pingan.open311 import selectors
from pingan.open311.models import Open311Request
from pingan.open311.services import open311_request_create

# (words that pick the category by name, the request's text, the requester's mobile)
DEMO_REQUESTS = [
    (("路灯", "照明", "市政"), "小区门口两盏路灯不亮已有一周，晚上出行不便，请尽快维修。", ""),
    (("河道", "水", "环境", "卫生"), "河道里漂着不少生活垃圾，天热后气味难闻。", "13957300001"),
    (("噪音", "纠纷", "邻里"), "楼下商铺夜间装修噪音很大，影响休息。", ""),
]


def _without_fields(category: Category) -> bool:
    return not selectors.attribute_specs(category)


def _pick(leaves: list[Category], words: tuple[str, ...]) -> Category:
    for word in words:
        for cat in leaves:
            if word in cat.name or (cat.parent is not None and word in cat.parent.name):
                return cat
    return leaves[0]


class Command(BaseCommand):
    help = "在演示县创建几条 Open311 诉求（已有则跳过）"

    def handle(self, *args: Any, **opts: Any) -> None:
        integration = (
            Integration.objects.select_related("acting_user", "region")
            .filter(channel=Channel.OPEN311, is_active=True)
            .first()
        )
        if integration is None:
            self.stderr.write("Open311 渠道未开通：请先运行 channel_demo")
            return
        if Open311Request.objects.exists():
            self.stdout.write("已有 Open311 诉求，跳过")
            return
        leaves = [c for c in selectors.services() if _without_fields(c)]
        if not leaves:
            self.stderr.write("没有可用的分类")
            return
        grids = list(
            Region.objects.filter(
                within_q("path", [integration.region.path]),
                level=Level.GRID,
                geometry__isnull=False,
            ).order_by("code")[: len(DEMO_REQUESTS)]
        )
        for i, (words, text, phone) in enumerate(DEMO_REQUESTS):
            data = {"service_code": _pick(leaves, words).code, "description": text}
            geometry = grids[i].geometry if i < len(grids) else None
            if geometry:
                point = to_shape(geometry).representative_point()
                data.update({"lat": str(point.y), "long": str(point.x)})
            else:
                data["address_string"] = integration.region.name
            if phone:
                data["phone"] = phone
            row = open311_request_create(
                actor=integration.acting_user, integration=integration, data=data, attributes={}
            )
            self.stdout.write(f"Open311 {row.event.code} {row.service_code}")
