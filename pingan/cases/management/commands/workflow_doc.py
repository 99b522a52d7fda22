"""`manage.py workflow_doc KIND`: print the workflow document of a case kind, generated
from its declaration. `make workflow-doc` writes docs/workflow.md (`events`); a test fails
when that file is stale."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pingan.cases.docs import render
from pingan.cases.kind import get_kind, kinds


class Command(BaseCommand):
    help = "输出某类案件由流程声明生成的流程文档（Markdown），如 workflow_doc events。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="案件类型：" + "、".join(k.name for k in kinds()))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            kind = get_kind(options["kind"])
        except LookupError:
            names = "、".join(k.name for k in kinds())
            raise CommandError(f"未知的案件类型：{options['kind']}（可选：{names}）") from None
        self.stdout.write(render(kind), ending="")
