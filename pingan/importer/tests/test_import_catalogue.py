"""manage.py import_catalogue: a city's departments and categories in bulk, from the
examples shipped in docs/examples and from files with mistakes in them."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from pingan.core.models import AuditEntry
from pingan.events.models import Category, CategoryDeadline
from pingan.org.models import Department

EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples"


def _run(path: Path, mapping: Path | str, *extra: str) -> tuple[dict[str, int], list[str]]:
    """The summary's counts and the error lines."""
    if isinstance(mapping, str):
        mapping_path = path.with_suffix(".yaml")
        mapping_path.write_text(mapping, encoding="utf-8")
        mapping = mapping_path
    out = io.StringIO()
    call_command("import_catalogue", str(path), "--mapping", str(mapping), *extra, stdout=out)
    lines = out.getvalue().strip().splitlines()
    counts = {k: int(v) for k, v in (p.split("=") for p in lines[-1].split("（")[0].split())}
    return counts, lines[:-1]


def _snapshot() -> tuple[int, int, int]:
    return (Department.objects.count(), Category.objects.count(), CategoryDeadline.objects.count())


def test_a_311_export_becomes_departments_and_a_two_level_tree(cast):
    csv_path, mapping = EXAMPLES / "catalogue-311.csv", EXAMPLES / "catalogue-311-mapping.yaml"
    before = _snapshot()
    audits = AuditEntry.objects.filter(action="importer.catalogue").count()

    dry, errors = _run(csv_path, mapping, "--dry-run")
    assert errors == []
    assert _snapshot() == before  # a dry run writes nothing...
    assert AuditEntry.objects.filter(action="importer.catalogue").count() == audits

    first, errors = _run(csv_path, mapping)
    assert first == dry  # ...and reports what the run does
    assert errors == []
    assert first["total"] == 21
    assert first["departments_created"] == 7  # agencies
    assert first["categories_created"] == 21 + 7  # request types + their groups

    pothole = Category.objects.get(code="STR-001")
    assert pothole.name == "Pothole"
    assert pothole.parent is not None and pothole.parent.code == "311-streets-sidewalks"
    assert pothole.parent.parent_id is None
    assert pothole.default_department == Department.objects.get(code="DOT")
    assert Department.objects.get(code="DOT").region == cast.county  # the only county
    normal = pothole.deadlines.get(urgency="normal")
    assert (normal.ack_amount, normal.ack_unit, normal.handle_amount, normal.handle_unit) == (
        Decimal(24),
        "hours",
        Decimal(10),
        "days",
    )
    urgent = pothole.deadlines.get(urgency="urgent")
    assert (urgent.ack_amount, urgent.handle_amount, urgent.handle_unit) == (
        Decimal(1),
        Decimal(48),
        "hours",
    )
    # No urgent allowance in the export: no urgent deadline.
    assert not Category.objects.get(code="SAN-001").deadlines.filter(urgency="urgent").exists()
    signal = Category.objects.get(code="STR-003").deadlines.get(urgency="normal")
    assert (signal.handle_amount, signal.handle_unit) == (Decimal(24), "hours")
    assert Category.objects.get(code="SAF-003").sensitivity == "petition"
    assert Category.objects.get(code="SAF-001").sensitivity == ""
    # Two agencies share a group.
    housing = Category.objects.get(code="311-housing-buildings")
    assert {c.default_department.code for c in housing.children.all()} == {"HPD", "DOB"}
    entry = AuditEntry.objects.filter(action="importer.catalogue").latest("seq")
    assert entry.detail["categories"] == {"created": 28, "updated": 0, "unchanged": 0}
    assert entry.detail["file"] == "catalogue-311.csv"

    snapshot = _snapshot()
    second, errors = _run(csv_path, mapping)
    assert errors == []
    assert second["departments_unchanged"] == 7
    assert second["categories_unchanged"] == 28
    assert second["departments_created"] == second["departments_updated"] == 0
    assert second["categories_created"] == second["categories_updated"] == 0
    assert _snapshot() == snapshot


def test_two_files_departments_then_categories_with_parents_later_in_the_file(cast):
    depts, errors = _run(
        EXAMPLES / "catalogue-departments.csv", EXAMPLES / "catalogue-departments-mapping.yaml"
    )
    assert errors == []
    assert depts["departments_created"] == 6
    assert Department.objects.get(code="330424-ZJ").region == cast.county  # by name
    assert Department.objects.get(code="330424106-ZZB").region == cast.town_b
    assert Department.objects.get(code="330424-SJ").email == "scjg@example.gov.cn"

    cats, errors = _run(
        EXAMPLES / "catalogue-categories.csv", EXAMPLES / "catalogue-categories-mapping.yaml"
    )
    assert errors == []
    # city and food are new; hazard was already there (the cast's), now with a sort.
    assert (cats["categories_created"], cats["categories_updated"]) == (7, 1)
    stalls = Category.objects.get(code="city.stalls")
    assert stalls.parent == Category.objects.get(code="city")  # its row comes later
    assert stalls.default_department == Department.objects.get(code="330424-ZF")  # by name
    building = Category.objects.get(code="hazard.building")
    assert building.parent == cast.hazard  # named by its name, 安全隐患
    gas = Category.objects.get(code="hazard.gas").deadlines.get(urgency="normal")
    assert (gas.ack_amount, gas.handle_amount, gas.handle_unit) == (
        Decimal(1),
        Decimal(48),
        "hours",
    )
    assert Category.objects.get(code="hazard").sort == 20


def test_bad_rows_are_reported_and_good_rows_applied(cast, tmp_path):
    data = tmp_path / "types.csv"
    data.write_text(
        "code,name,group,dept,dept_name,ack,handle\n"
        "pk.bench,Broken Bench,Parks,PARKS,Parks Department,24,10\n"  # 1 good, new group
        "pk.swing,Broken Swing,pk.bench,PARKS,Parks Department,24,10\n"  # 2 parent is a leaf
        "pk.fence,Broken Fence,Parks,ZOO,Zoo Board,0,10\n"  # 3 zero ack: ZOO never created
        "pk.bench,Bench Again,Parks,PARKS,Parks Department,24,10\n"  # 4 duplicate code
        "pk.path,Muddy Path,Nowhere Group,PARKS,Parks Department,24,10\n"  # 5 gets a group
        "pk.lake,Dirty Lake,Parks,PARKS,Park Dept,24,10\n"  # 6 department renamed in file
        "pk.gate,Broken Gate,pk.gate,PARKS,Parks Department,24,10\n"  # 7 parent is itself
        "pk.wall,Graffiti Wall,dispute.neighbour,PARKS,Parks Department,24,10\n"  # 8 leaf
        "pk.toilet,Toilet,Parks,PARKS,Parks Department,24,ten\n"  # 9 amount not a number
        "pk.kiosk,Kiosk,Parks!,PARKS,Parks Department,24,10\n",  # 10 group code taken
        encoding="utf-8",
    )
    mapping = (
        "kind: categories\ncode: code\nname: name\nparent: group\ncreate_parents: true\n"
        "parent_code_prefix: 'g-'\ndepartment: {code: dept, name: dept_name}\n"
        "deadlines: {ack_amount: ack, handle_amount: handle}\n"
    )
    counts, errors = _run(data, mapping)
    assert counts["errors"] == 8
    assert errors == [
        "第2条（编号 pk.swing） parent: 分类只有两级：上级分类“pk.bench”本身是小类",
        "第3条（编号 pk.fence） ack_amount: 时限应大于0",
        "第4条（编号 pk.bench） code: 文件内编码重复",
        "第6条（编号 pk.lake） department.name: "
        "部门“PARKS”在文件中的名称不一致（Parks Department）",
        "第7条（编号 pk.gate） parent: 上级分类不能是自身",
        "第8条（编号 pk.wall） parent: 分类只有两级：上级分类“邻里纠纷”本身是小类",
        "第9条（编号 pk.toilet） handle_amount: 时限应为数字",
        "第10条（编号 pk.kiosk） parent: 为“Parks!”生成的编码“g-parks”已被其他分类使用",
    ]
    assert counts["categories_created"] == 4  # two leaves, two generated groups
    assert counts["departments_created"] == 1
    assert not Department.objects.filter(code="ZOO").exists()  # row 3 not half-applied
    assert Category.objects.get(code="pk.bench").name == "Broken Bench"
    assert Category.objects.get(code="pk.path").parent.name == "Nowhere Group"
    assert not Category.objects.filter(code__in=["pk.swing", "pk.fence", "pk.gate"]).exists()


def test_without_create_parents_an_unknown_parent_is_a_row_error(cast, tmp_path):
    data = tmp_path / "types.csv"
    data.write_text("code,name,group\nx.one,One,Unknown Group\n", encoding="utf-8")
    counts, errors = _run(data, "kind: categories\ncode: code\nname: name\nparent: group\n")
    assert errors == ["第1条（编号 x.one） parent: 上级分类“Unknown Group”不存在"]
    assert counts["categories_created"] == 0


def test_an_edited_file_updates_only_what_changed(cast, tmp_path):
    mapping = (
        "kind: categories\ncode: code\nname: name\nparent: parent\n"
        "deadlines: {ack_amount: ack, handle_amount: days}\n"
    )
    data = tmp_path / "cats.csv"
    data.write_text(
        "code,name,parent,ack,days\ntop,大类,,,\ntop.a,甲,top,4,5\ntop.b,乙,top,4,5\n",
        encoding="utf-8",
    )
    first, _errors = _run(data, mapping)
    assert first["categories_created"] == 3
    data.write_text(
        "code,name,parent,ack,days\ntop,大类,,,\ntop.a,甲,top,4,5\ntop.b,乙,top,4,7\n",
        encoding="utf-8",
    )
    second, _errors = _run(data, mapping)
    assert (second["categories_updated"], second["categories_unchanged"]) == (1, 2)
    assert Category.objects.get(code="top.b").deadlines.get().handle_amount == Decimal(7)


def test_an_excel_file_reads_like_its_csv(cast, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["部门编码", "部门名称", "所属区划"])
    ws.append(["X-1", "县信访局", 330424])
    ws.append(["X-2", "武原街道司法所", "330424001"])
    path = tmp_path / "depts.xlsx"
    wb.save(path)
    counts, errors = _run(
        path, "kind: departments\ncode: 部门编码\nname: 部门名称\nregion: 所属区划\n"
    )
    assert errors == []
    assert counts["departments_created"] == 2
    assert Department.objects.get(code="X-2").region == cast.town_a


def test_departments_keep_their_email_when_the_file_has_none(cast, tmp_path):
    Department.objects.filter(pk=cast.police.pk).update(email="ga@example.gov.cn")
    data = tmp_path / "d.csv"
    data.write_text("code,name\nD-GA,县公安局\n", encoding="utf-8")
    counts, _errors = _run(data, "kind: departments\ncode: code\nname: name\n")
    assert counts["departments_unchanged"] == 1
    cast.police.refresh_from_db()
    assert cast.police.email == "ga@example.gov.cn"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("kind: things\ncode: a\nname: b\n", "kind"),
        ("kind: categories\nname: b\n", "缺少必填键：code"),
        ("kind: categories\ncode: a\nname: b\ncolour: c\n", "未知的键：colour"),
        ("kind: categories\ncode: a\nname: b\ndeadlines: {ack_amount: x}\n", "handle_amount"),
        ("kind: departments\ncode: a\nname: b\nparent: c\n", "未知的键：parent"),
    ],
)
def test_a_wrong_mapping_stops_before_any_row(cast, tmp_path, mapping, message):
    data = tmp_path / "d.csv"
    data.write_text("a,b\n1,2\n", encoding="utf-8")
    before = _snapshot()
    with pytest.raises(CommandError, match=message):
        _run(data, mapping)
    assert _snapshot() == before


def test_groups_named_in_chinese_get_stable_codes(cast, tmp_path):
    data = tmp_path / "types.csv"
    data.write_text(
        "编码,名称,大类\nc.stalls,占道经营,城市管理\nc.ads,违规广告,城市管理\n", "utf-8"
    )
    mapping = "kind: categories\ncode: 编码\nname: 名称\nparent: 大类\ncreate_parents: true\n"
    first, _errors = _run(data, mapping)
    assert first["categories_created"] == 3
    group = Category.objects.get(code="c.stalls").parent
    assert group.name == "城市管理" and group.code.isascii()
    assert Category.objects.get(code="c.ads").parent == group
    second, _errors = _run(data, mapping)
    assert (second["categories_created"], second["categories_unchanged"]) == (0, 3)
