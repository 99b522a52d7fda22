"""`manage.py pii rotate|reindex|check`: re-encrypt personal data with the newest key,
recompute blind indexes, or prove that every stored value opens (docs/privacy.md)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from pingan.core import pii

CHUNK = 500


def encrypted_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, pii.EncryptedTextField)]


def blind_indexes(model: type[models.Model]) -> dict[str, tuple[str, str]]:
    """`PII_INDEXES = {"<index column>": ("<encrypted field>", "<kind>")}` on the model."""
    return dict(getattr(model, "PII_INDEXES", {}) or {})


class Command(BaseCommand):
    help = "个人信息：rotate 用最新密钥重新加密；reindex 重算盲索引；check 检查每个密文可解密"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["rotate", "reindex", "check"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        pii.check_keys()
        failures = 0
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            indexes = blind_indexes(model) if action != "check" else {}
            done, bad = self._walk(
                model, fields, indexes, write=action != "check", rotate=action == "rotate"
            )
            failures += bad
            problem = f", {bad} do not decrypt" if bad else ""
            self.stdout.write(f"{model._meta.label}: {done} rows ({action}){problem}")
        if failures:
            raise CommandError(f"{failures} rows do not decrypt with PINGAN_PII_KEYS")

    def _walk(
        self,
        model: type[models.Model],
        fields: list[str],
        indexes: dict[str, tuple[str, str]],
        *,
        write: bool,
        rotate: bool,
    ) -> tuple[int, int]:
        manager = model._base_manager
        done = bad = 0
        last = 0
        while True:
            pks = list(
                manager.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK]
            )
            if not pks:
                return done, bad
            last = pks[-1]
            with transaction.atomic():
                for pk in pks:
                    try:
                        row = manager.filter(pk=pk).values(*fields).get()
                    except pii.DecryptionError:
                        bad += 1
                        continue
                    done += 1
                    if not write:
                        continue
                    changes: dict[str, Any] = {}
                    if rotate:
                        # Saving the plaintext encrypts it again with the newest key.
                        changes.update(row)
                    for column, (source, kind) in indexes.items():
                        changes[column] = pii.blind_index(row[source], kind=kind)
                    if changes:
                        manager.filter(pk=pk).update(**changes)
