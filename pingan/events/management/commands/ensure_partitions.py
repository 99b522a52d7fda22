"""`manage.py ensure_partitions [--ahead 3]`: create the events table's partitions for this
month and the next ones, and move events that landed in the DEFAULT partition into
partitions of their own months (PostgreSQL; docs/adr/0006-partitioning.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pingan.events.partitions import ensure_partitions


class Command(BaseCommand):
    help = "事件表按月分区：建立本月及之后几个月的分区，把默认分区中的事件移入所属月份的分区"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--ahead", type=int, default=3, help="提前建立几个月的分区（默认 3）")

    def handle(self, *args: Any, **options: Any) -> None:
        ahead = options["ahead"]
        if ahead < 0:
            raise CommandError("--ahead 不能为负数")
        result = ensure_partitions(ahead=ahead, progress=self.stdout.write)
        if not result["partitioned"]:
            self.stdout.write("事件表没有分区（SQLite 或未迁移的 PostgreSQL），无需处理。")
            return
        if not result["created"] and not result["moved"]:
            self.stdout.write(
                f"分区已齐全（本月及之后 {ahead} 个月），默认分区中没有待移出的事件。"
            )
