"""manage.py load_catalogue: the default departments, categories and routing rules."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pingan.routing.catalogue import catalogue_county, load_catalogue


class Command(BaseCommand):
    help = (
        "载入默认目录：县级部门与各镇街站所、两级事件分类（含各紧急程度的签收/办理时限、附加字段、"
        "默认主办部门）和分流规则。可重复运行。区划需先用 import_regions 导入。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--county", help="县级区划代码（系统中只有一个县时可省略）", default=None
        )
        parser.add_argument("--no-town-rules", action="store_true", help="不创建镇街属地分流规则")

    def handle(self, *args: Any, **options: Any) -> str:
        code = options["county"]
        county = catalogue_county(code)
        if county is None:
            raise CommandError(
                f"找不到县级区划「{code}」" if code else "请用 --county 指定县级区划代码"
            )
        r = load_catalogue(county=county, with_town_rules=not options["no_town_rules"])
        return (
            f"{county.name}：部门 {len(r.county_departments) + len(r.town_departments)} 个，"
            f"事件小类 {len(r.categories)} 个，分流规则 {r.rules} 条"
        )
