"""manage.py load_field_demo: patrols, meetings, reviews, pay bands and a ranking for the
demo county (run after load_demo)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings

from pingan.demo.field import build_field_demo


class Command(BaseCommand):
    help = "为演示县生成巡查轨迹、工作例会、事后倒查、绩效档次和季度排名（在 load_demo 之后运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workers", type=int, default=20, help="生成巡查的网格员人数（默认 20）"
        )
        parser.add_argument("--months", type=int, default=3, help="最近几个月（默认 3）")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        with override_settings(DEBUG=False):
            build_field_demo(
                workers=options["workers"],
                months=options["months"],
                seed=options["seed"],
                progress=self.stdout.write,
            )
