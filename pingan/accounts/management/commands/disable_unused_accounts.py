"""manage.py disable_unused_accounts [--days N] [--enqueue]: disable accounts that have not
signed in nor used an API token for N (90) days. Run it daily (cron, or --enqueue for the
task worker)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pingan.accounts import services, tasks


class Command(BaseCommand):
    help = "停用长期（默认 90 天）未使用的账号。Disable accounts unused for 90 days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="未使用天数（默认 90）")
        parser.add_argument("--enqueue", action="store_true", help="交给后台任务执行")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = tasks.disable_unused_accounts.enqueue()
            self.stdout.write(f"已加入后台任务：{result.id}")
            return
        names = services.accounts_disable_unused(days=options["days"])
        self.stdout.write(f"已停用 {len(names)} 个长期未使用的账号。")
        for name in names:
            self.stdout.write(f"  {name}")
