"""manage.py import_catalogue FILE --mapping MAP.yaml [--dry-run]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pingan.importer.catalogue import import_catalogue
from pingan.importer.mapping import MappingError


class Command(BaseCommand):
    help = "按映射文件批量导入部门和事件分类（CSV 或 Excel）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--mapping", required=True, help="YAML 映射文件，见 docs/import.md")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            mapping_text = Path(opts["mapping"]).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法读取映射文件：{exc}") from None
        try:
            report = import_catalogue(path=path, mapping_text=mapping_text, dry_run=opts["dry_run"])
        except MappingError as exc:
            raise CommandError(f"映射文件有误：{exc}") from None
        for e in report.errors:
            self.stdout.write(str(e))
        self.stdout.write(report.summary)
