"""manage.py load_demo: build the demo county (Haiyan, 330424) with a year of events."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings

from pingan.demo.build import load_demo


class Command(BaseCommand):
    help = (
        "构建演示县（海盐县 330424）：区划与网格（经 import_regions 导入）、部门、事件分类与"
        "分流规则、演示账号和一年的事件（调用事件服务生成完整流转记录）。可重复运行，不会重复创建。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--events", type=int, default=6000, help="一年的事件数（默认 6000，约3分钟）"
        )
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument(
            "--villages-per-town",
            type=int,
            default=None,
            help="每个镇街的村社区数（默认约 100 个）",
        )
        parser.add_argument(
            "--grids-per-village",
            type=int,
            default=None,
            help="每个村社区的网格数（默认共约 800 个）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(line: str) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(line)

        # DEBUG makes every query be logged in memory: a tenth of the time here.
        with override_settings(DEBUG=False):
            r = load_demo(
                events=options["events"],
                seed=options["seed"],
                villages_per_town=options["villages_per_town"],
                grids_per_village=options["grids_per_village"],
                progress=progress,
            )
        ev = r.events
        if ev is not None:
            progress(
                f"事件：计划 {ev.planned} 件，已存在跳过 {ev.skipped} 件，新建 {ev.created} 件，"
                f"{ev.steps} 步，出错 {ev.errors} 步，用时 {ev.seconds:.1f} 秒"
            )
        progress(f"时限巡检：{r.swept}")
        timings = "，".join(f"{k} {v:.1f}s" for k, v in r.timings.items())
        progress(f"演示县已就绪（{timings}）")
