"""`manage.py generate_events --count N`: realistic events for scale and load tests."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pingan.demo.generate import generate_events


class Command(BaseCommand):
    help = "生成大量逼真的事件数据（PostgreSQL 用 COPY），用于容量与性能测试；不要在生产库运行"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--count", type=int, required=True, help="生成多少条事件")
        parser.add_argument("--grids", type=int, default=5237, help="分布在多少个网格（默认 5237）")
        parser.add_argument("--years", type=int, default=5, help="跨越多少年（默认 5）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子")
        parser.add_argument("--batch", type=int, default=50_000, help="每批行数")
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="大批量时也不先删除再重建事件表的二级索引",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["count"] <= 0:
            raise CommandError("--count 应为正整数")
        if options["grids"] <= 0 or options["years"] <= 0:
            raise CommandError("--grids 和 --years 应为正整数")
        verbose = options["verbosity"] >= 1
        try:
            result = generate_events(
                count=options["count"],
                grids=options["grids"],
                years=options["years"],
                seed=options["seed"],
                batch=options["batch"],
                drop_indexes=False if options["keep_indexes"] else None,
                progress=(lambda m: self.stdout.write(m)) if verbose else (lambda m: None),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"已生成 {result['events']} 条事件、{result['assignments']} 条派遣，"
            f"分布在 {result['grids']} 个网格，用时 {result['seconds']} 秒"
        )
