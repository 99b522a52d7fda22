"""manage.py import_regions: load a region tree from CSV and polygons from GeoJSON."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pingan.geo.management.regions_import import RegionImportError, apply

HELP = """导入区划树（CSV）和边界（GeoJSON）。Load a region tree and its polygons.

CSV（UTF-8，可带 BOM），首行为列名：
  code         区划代码（唯一；县6位、镇街9位、村社区12位、网格15位）
  name         名称
  level        层级：city / county / town / village / grid（也可写 县、镇、街道、村、社区、网格）
  parent_code  上级代码（县级以上可空；上级可在同一文件中，也可已在系统中）
  is_special   可选列：1 表示专属网格（工业园区、市场、学校等），0 或空表示否

GeoJSON：FeatureCollection，每个要素的几何为 Polygon 或 MultiPolygon（[经度, 纬度]，
WGS84），属性中用 --code-prop 指定代码字段、--name-prop 指定名称字段。要素的代码须在
CSV 中或已在系统中；任何层级都可以有边界。

先校验全部内容，逐行报告错误（CSV 行号、GeoJSON 要素序号）；有错误则什么都不写入。
无错误时在一个事务中写入；与系统中相同的行不写，因此重复导入不做任何改动。
边界变化后，坐标→网格定位索引会自动重建。详见 docs/import-regions.md。
"""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        from argparse import RawDescriptionHelpFormatter

        kwargs["formatter_class"] = RawDescriptionHelpFormatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", dest="csv", help="区划树 CSV 文件")
        parser.add_argument("--geojson", dest="geojson", help="边界 GeoJSON 文件")
        parser.add_argument(
            "--code-prop", default="code", help="GeoJSON 中区划代码的属性名（默认 code）"
        )
        parser.add_argument(
            "--name-prop", default="name", help="GeoJSON 中名称的属性名（默认 name）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只校验并统计，不写入数据库")

    def handle(self, *args: Any, **options: Any) -> str:
        if not options["csv"] and not options["geojson"]:
            raise CommandError("请至少提供 --csv 或 --geojson")
        try:
            result = apply(
                csv_path=options["csv"],
                geojson_path=options["geojson"],
                code_prop=options["code_prop"],
                name_prop=options["name_prop"] or None,
                dry_run=options["dry_run"],
            )
        except FileNotFoundError as exc:
            raise CommandError(f"文件不存在：{exc.filename}") from None
        except RegionImportError as exc:
            shown = exc.errors[:50]
            more = len(exc.errors) - len(shown)
            lines = [f"导入失败，共 {len(exc.errors)} 处错误，未写入任何数据："]
            lines += [f"  {e}" for e in shown]
            if more:
                lines.append(f"  ……另有 {more} 处错误")
            raise CommandError("\n".join(lines)) from None
        prefix = "校验通过（未写入）：" if options["dry_run"] else "导入完成："
        return prefix + result.summary()
