"""manage.py load_demo: build the demo county (Haiyan, 330424) with a year of events."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from pingan.demo.build import EVENTS, LIVE_DAYS, load_demo


class Command(BaseCommand):
    help = (
        "构建演示县（海盐县 330424）：区划与网格（经 import_regions 导入）、部门、事件分类与"
        "分流规则、演示账号和一年的事件（调用事件服务生成完整流转记录）。可重复运行，不会重复创建。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--events",
            type=int,
            default=EVENTS,
            help=f"一年的事件数（默认 {EVENTS}，与真实县域相当）",
        )
        parser.add_argument(
            "--live-days",
            type=int,
            default=LIVE_DAYS,
            help=f"最近多少天的事件经事件服务逐步流转（默认 {LIVE_DAYS}）；更早的批量写入",
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
        try:
            with override_settings(DEBUG=False):
                r = load_demo(
                    events=options["events"],
                    live_days=options["live_days"],
                    seed=options["seed"],
                    villages_per_town=options["villages_per_town"],
                    grids_per_village=options["grids_per_village"],
                    progress=progress,
                )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        ev = r.events
        written = r.bulk.events if r.bulk else 0
        if ev is not None:
            progress(
                f"事件：近一年计划 {r.planned} 件，此前已有 {r.existed} 件；"
                f"批量写入 {written} 件；最近 {options['live_days']} 天经事件服务新建 "
                f"{ev.created} 件，{ev.steps} 步，出错 {ev.errors} 步，用时 {ev.seconds:.1f} 秒"
            )
        if r.behind_days:
            progress(
                f"注意：演示数据上次生成于 {r.behind_days} 天前。本次已补齐此后的事件"
                f"（较早的批量写入，最近 {options['live_days']} 天经事件服务流转）；"
                "上次运行时仍在办理的事件停在原状态，其中不少已超期。"
                "如需全新的演示县，请删除演示数据库后重新构建（make demo-reset）。"
            )
        progress(f"时限巡检：{r.swept}")
        timings = "，".join(f"{k} {v:.1f}s" for k, v in r.timings.items())
        progress(f"演示县已就绪（{timings}）")
