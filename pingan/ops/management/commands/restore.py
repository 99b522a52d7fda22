"""`manage.py restore DIR`: replace the database and the media with a backup."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pingan.ops.backup import BackupError, backup_restore, read_manifest


class Command(BaseCommand):
    help = "从备份目录恢复数据库和照片文件（会覆盖当前数据）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", help="backup 命令生成的目录")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="不询问确认",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = read_manifest(options["source"])
            if options["interactive"]:
                answer = input(
                    f"将用 {manifest['created_at']} 的备份覆盖当前数据库和照片，输入 yes 继续："
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("已取消")
            manifest = backup_restore(source=options["source"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已恢复 {manifest['created_at']} 的备份，行数核对一致")
