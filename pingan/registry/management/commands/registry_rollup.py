"""`manage.py registry_rollup rebuild [--region CODE] [--day YYYY-MM-DD]`: recount the
registers' per-grid figures (`registry.rollup`) of the whole county (or one region). The
daily `registry_visit_tasks` run already ends with it; run it by hand after writing
persons outside the services (a restore, a bulk load). Idempotent (docs/registry.md,
"Figures")."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from pingan.geo.models import Region
from pingan.registry import rollup


class Command(BaseCommand):
    help = "Recount the registers' per-grid figures."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["rebuild"])
        parser.add_argument("--region", help="a region code (default: every grid)")
        parser.add_argument("--day", help="the local date to count for (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        region = None
        if options.get("region"):
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"--region: no region {options['region']!r}")
        day = None
        if options.get("day"):
            day = parse_date(options["day"])
            if day is None:
                raise CommandError("--day: YYYY-MM-DD")
        started = time.monotonic()
        grids = rollup.rebuild(region, day)
        self.stdout.write(
            f"registry rollup: {grids} grids recounted in {time.monotonic() - started:.1f} s"
        )
