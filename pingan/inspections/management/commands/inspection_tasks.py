"""`manage.py inspection_tasks [--date D] [--since D]`: the daily run that makes the
inspection tasks of the current periods (one per plan, period and target unit).
Idempotent: run it daily (the systemd timer) or again at will."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pingan.inspections.plans import tasks_generate


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--{name}: YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Generate the inspection tasks of the current periods (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to run for (default: today, local)")
        parser.add_argument("--since", help="also make the tasks of the periods since this day")

    def handle(self, *args: Any, **options: Any) -> None:
        out = tasks_generate(
            on=_date(options["date"], "date"), since=_date(options["since"], "since")
        )
        self.stdout.write(f"tasks created {out.tasks}")
