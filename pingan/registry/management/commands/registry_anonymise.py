"""`manage.py registry_anonymise [--dry-run]`: anonymise the people who left the county
longer ago than the retention period (`PINGAN_REGISTRY_RETENTION_DAYS`; docs/registry.md,
"Retention"). Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from pingan.registry import retention


class Command(BaseCommand):
    help = "Anonymise the registers' people past the retention period."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only count them")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            self.stdout.write(f"registry: {retention.due().count()} persons past retention")
            return
        done = retention.anonymise_due()
        self.stdout.write(f"registry: {done} persons anonymised")
