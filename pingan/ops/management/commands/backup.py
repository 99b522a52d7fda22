"""`manage.py backup --output DIR`: the database and the media files into DIR."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pingan.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库和照片文件到指定目录（PostgreSQL 用 pg_dump；SQLite 用在线备份）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", required=True, help="备份目录（不存在或为空）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(output=options["output"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        counts = "，".join(f"{k} {v}" for k, v in manifest["counts"].items())
        self.stdout.write(
            f"已备份到 {options['output']}：{manifest['engine']}，"
            f"照片等文件 {manifest['media_files']} 个；{counts}"
        )
