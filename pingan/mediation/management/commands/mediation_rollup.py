"""`manage.py mediation_rollup`: recount the mediation figures' monthly rollup from the
cases (after cases were written in bulk, outside the services)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from pingan.mediation import rollup


class Command(BaseCommand):
    help = "Recount the mediation figures' monthly rollup from the cases."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        rows = rollup.rebuild()
        self.stdout.write(f"mediation rollup: {rows} rows in {time.monotonic() - started:.1f} s")
