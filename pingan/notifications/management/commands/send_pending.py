"""`manage.py send_pending`: send outbox rows that are due (new or due for a retry)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pingan.notifications.services import send_pending


class Command(BaseCommand):
    help = "发送到期的外发消息（邮件、Webhook），含失败重试"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=1000, help="本次最多发送条数")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_pending(limit=options["limit"])
        if options["verbosity"] >= 1:
            self.stdout.write(f"已发送 {sent} 条")
