"""`manage.py screening_rounds [--date D] [--since D]`: the daily run of the screening
rounds (generate the current periods' rounds and their units' reports, close the old
rounds, remind the units due today). Idempotent: run it daily (cron) or again at will."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pingan.screening import services


def _date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--{name}: YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "Generate, close and remind dispute screening rounds (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to run for (default: today, local)")
        parser.add_argument("--since", help="also make the rounds of the periods since this day")

    def handle(self, *args: Any, **options: Any) -> None:
        out = services.daily(
            on=_date(options["date"], "date"), since=_date(options["since"], "since")
        )
        self.stdout.write(
            f"rounds created {out.rounds}, reports created {out.reports}, "
            f"rounds closed {out.closed}, reports reminded {out.reminded}"
        )
