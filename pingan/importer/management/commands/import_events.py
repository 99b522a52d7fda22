"""manage.py import_events FILE --mapping MAP.yaml [--dry-run] [--background]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pingan.importer import services
from pingan.importer.mapping import MappingError


class Command(BaseCommand):
    help = "按映射文件导入历史事件（CSV 或 Excel）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--mapping", required=True, help="YAML 映射文件，见 docs/import.md")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument(
            "--background", action="store_true", help="作为后台任务运行（进度见后台“导入任务”）"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            mapping_text = Path(opts["mapping"]).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法读取映射文件：{exc}") from None
        try:
            if opts["background"]:
                job = services.import_job_create(
                    path=str(path.resolve()), mapping_text=mapping_text, dry_run=opts["dry_run"]
                )
                self.stdout.write(f"job={job.pk} queued")
                return

            shown = {0}

            def progress(report: services.Report, n: int) -> None:
                if n % 5000 == 0 and n not in shown:
                    shown.add(n)
                    self.stderr.write(f"… {n} rows")

            report = services.import_file(
                path=path, mapping_text=mapping_text, dry_run=opts["dry_run"], progress=progress
            )
        except MappingError as exc:
            raise CommandError(f"映射文件有误：{exc}") from None
        for e in report.errors:
            self.stdout.write(str(e))
        for note in report.notes:
            self.stdout.write(note)
        self.stdout.write(report.summary)
