"""`manage.py sweep_deadlines [--every SECONDS]`: mark warnings and overdue events, then
send due outbox rows; once, or in a loop that stops cleanly on SIGTERM / SIGINT."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

from pingan.notifications.services import send_pending
from pingan.sla.services import sweep

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "时限巡检：标记临期预警和超期事件、超期自动提级、跟踪复查提醒，并发送待发消息"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--every", type=float, default=None, help="每隔多少秒巡检一次（不给则只运行一次）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every is not None and every <= 0:
            raise CommandError("--every 应为正数（秒）")
        stop = threading.Event()
        previous: dict[signal.Signals, Any] = {}
        if every is not None:

            def request_stop(signum: int, frame: Any) -> None:
                stop.set()

            for sig in (signal.SIGTERM, signal.SIGINT):
                previous[sig] = signal.signal(sig, request_stop)
        try:
            while True:
                if not connection.in_atomic_block:
                    # Long-running loop: drop connections that broke or grew old.
                    close_old_connections()
                try:
                    self._once(options["verbosity"])
                except Exception:
                    if every is None:
                        raise
                    # A loop keeps going: the next round retries what failed.
                    log.exception("sweep failed")
                if every is None or stop.wait(every):
                    break
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if every is not None and options["verbosity"] >= 1:
            self.stdout.write("已停止")

    def _once(self, verbosity: int) -> None:
        run = sweep()
        sent = send_pending(limit=1000)
        if verbosity >= 1:
            self.stdout.write(
                f"临期 {run.warned}，超期 {run.overdue}，自动提级 {run.escalated}，"
                f"复查提醒 {run.reminded}，发送 {sent}"
            )
