"""`manage.py assessment_score <scheme_id> [--round mid|year]`: score a scheme now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pingan.access.actor import Actor
from pingan.assessment import scoring


class Command(BaseCommand):
    help = "Score every unit of an assessment scheme (idempotent: recomputes)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("scheme_id", type=int)
        parser.add_argument("--round", choices=["mid", "year"], default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        out = scoring.scheme_score(
            actor=Actor.system("assessment"),
            scheme_id=options["scheme_id"],
            round_=options["round"],
        )
        for r, n in out.items():
            self.stdout.write(f"{r}: {n} scores")
