"""manage.py alert_rules install-defaults: bring the current default risk rules."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from pingan.core import audit
from pingan.triage.alerts import alert_rules_install_defaults


class Command(BaseCommand):
    help = "风险预警规则：安装当前的默认规则（多条件），停用未经修改的首版单词规则"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["install-defaults"])

    def handle(self, *args: Any, **options: Any) -> None:
        added = alert_rules_install_defaults()
        audit.record(
            action="triage.alert_rules_install_defaults",
            object_type="alert_rule",
            detail={"added": added},
        )
        self.stdout.write(f"新增默认规则 {added} 条")
