"""manage.py import_register KIND FILE --mapping MAP.yaml [--dry-run] [--user USERNAME]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pingan.access.actor import Actor
from pingan.accounts.models import User
from pingan.importer.mapping import MappingError
from pingan.importer.registers import RegisterReport, import_register
from pingan.importer.registers_mapping import KINDS


class Command(BaseCommand):
    help = "按映射文件导入登记册：人员、户、重点人员、出租房、重点场所、视频点位（CSV 或 Excel）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS))
        parser.add_argument("file")
        parser.add_argument(
            "--mapping", required=True, help="YAML 映射文件，见 docs/import-registers.md"
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--user", help="记在谁的名下（用户名；缺省为系统导入）")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            mapping_text = Path(opts["mapping"]).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法读取映射文件：{exc}") from None
        actor = None
        if opts["user"]:
            user = User.objects.filter(username=opts["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"用户不存在：{opts['user']}")
            actor = Actor.for_user(user)

        def progress(report: RegisterReport) -> None:
            if report.total % 10000 < 1000 and report.total >= 10000:
                self.stderr.write(f"… {report.total} rows")

        try:
            report = import_register(
                kind=opts["kind"],
                path=path,
                mapping_text=mapping_text,
                actor=actor,
                dry_run=opts["dry_run"],
                progress=progress,
            )
        except MappingError as exc:
            raise CommandError(f"映射文件有误：{exc}") from None
        for e in report.errors:
            self.stdout.write(str(e))
        for note in report.notes:
            self.stdout.write(note)
        self.stdout.write(report.summary)
