"""`manage.py registry_visit_tasks [--day YYYY-MM-DD]`: the registers' daily run — open
visit tasks past their due date marked missed, the next task of every supervised key
person created, issued residence permits past their expiry marked expired. Idempotent:
run it as often as you like (daily from cron; docs/registry.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from pingan.registry.services import visit_tasks_generate


class Command(BaseCommand):
    help = "Mark missed visits, create the next visit tasks, expire residence permits."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--day", help="the local date to run for (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options.get("day"):
            day = parse_date(options["day"])
            if day is None:
                raise CommandError("--day: YYYY-MM-DD")
        counts = visit_tasks_generate(day)
        self.stdout.write(
            "registry: {created} visit tasks created, {missed} marked missed, "
            "{permits_expired} permits expired".format(**counts)
        )
