"""manage.py rollup rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--sql]"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pingan.analytics.rebuild import rollup_rebuild


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "统计汇总：rebuild 按事件重算事实表与日汇总（已封账的日期保持不变）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])
        parser.add_argument("--from", dest="date_from", type=_date, default=None)
        parser.add_argument("--to", dest="date_to", type=_date, default=None)
        parser.add_argument(
            "--sql",
            action="store_true",
            help="在数据库中一次性推算事实表（PostgreSQL，结果与逐条重算相同，适合千万级）",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.monotonic()
        done = rollup_rebuild(date_from=opts["date_from"], date_to=opts["date_to"], sql=opts["sql"])
        self.stdout.write(
            f"重算完成：事件 {done['facts']} 条，汇总行 {done['rollups']} 行，"
            f"用时 {time.monotonic() - started:.1f} 秒"
        )
