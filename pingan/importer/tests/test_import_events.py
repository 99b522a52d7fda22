"""The importer on the real message export (mixed date formats, newlines and tabs in
cells): every row imported or reported, none lost; a second run changes nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from pingan.conftest import shared_or_skip
from pingan.events.choices import Status
from pingan.events.models import Event, EventTransition
from pingan.importer import services
from pingan.importer.choices import JobStatus
from pingan.importer.models import ImportedRecord, ImportJob
from pingan.triage.labelled import MESSAGES

MAPPING = Path(settings.BASE_DIR) / "docs" / "examples" / "messages-mapping.yaml"


def _rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def _run(path: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command("import_events", str(path), "--mapping", str(MAPPING), *extra, stdout=out)
    return out.getvalue()


def _summary(text: str) -> dict[str, int]:
    last = text.strip().splitlines()[-1]
    return {k: int(v) for k, v in (p.split("=") for p in last.split("（")[0].split())}


def test_real_messages_every_row_imported_or_reported_and_rerun_changes_nothing(cast):
    path = shared_or_skip(MESSAGES)
    total = _rows(path)
    dry = _summary(_run(path, "--dry-run"))
    assert dry["total"] == total
    assert Event.objects.count() == 0  # a dry run writes nothing

    out = _run(path)
    first = _summary(out)
    assert first["total"] == total
    assert first["imported"] + first["errors"] == total
    assert first["imported"] == dry["would_import"]
    error_lines = [ln for ln in out.splitlines() if ln.startswith("第")]
    assert len(error_lines) >= first["errors"]
    assert Event.objects.count() == first["imported"] == ImportedRecord.objects.count()
    assert first["imported"] > 2700

    e = Event.objects.get(extra__import__external_id="2549")
    assert e.status == Status.CLOSED
    assert e.title == "A2区景蓉华苑物业管理有问题"
    assert e.description.startswith("2019年4月以来")
    assert "\t" not in e.description
    assert e.reported_at < e.closed_at
    (line,) = e.timeline.all()
    assert line.action == "imported" and line.note.startswith("现将网友")
    assert line.at == e.closed_at

    snapshot = (Event.objects.count(), EventTransition.objects.count())
    second = _summary(_run(path))
    assert second["imported"] == 0
    assert second["unchanged"] == first["imported"]
    assert second["errors"] == first["errors"]
    assert (Event.objects.count(), EventTransition.objects.count()) == snapshot


def test_value_maps_mixed_dates_and_row_errors(cast, tmp_path):
    data = tmp_path / "old.csv"
    data.write_text(
        "编号,内容,时间,办结,类别,部门,状态,纬度,经度\n"
        "1,楼道堆物,2024/3/5 9:01:02,2024-03-06 10:00:00,邻里,公安,办结,30.525,120.945\n"
        "2,店铺消防通道堵塞,2024年3月7日,2024/3/8,消防,住建,不受理,,\n"
        "3,时间坏了,昨天,,邻里,公安,办结,,\n"
        "4,未知分类,2024/3/5,2024/3/6,别的,公安,办结,,\n"
        "1,重复编号,2024/3/5,2024/3/6,邻里,公安,办结,,\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        """
source: old-system
external_id: 编号
description: [内容]
reported_at: 时间
closed_at: 办结
lat: 纬度
lng: 经度
region: {default: "330424001"}
category: {column: 类别, map: {邻里: dispute.neighbour, 消防: hazard.fire}}
department: {column: 部门, map: {公安: D-GA, 住建: D-ZJ}}
status: {column: 状态, map: {办结: closed, 不受理: rejected}}
date_formats: ["%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y年%m月%d日", "%Y/%m/%d"]
""",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_events", str(data), "--mapping", str(mapping), stdout=out)
    text = out.getvalue()
    assert "第3条（编号 3） reported_at: 无法识别的时间“昨天”" in text
    assert "第4条（编号 4） category: 取值“别的”不在映射表中" in text
    assert "第5条（编号 1） external_id: 文件内外部编号重复" in text
    one = Event.objects.get(extra__import__external_id="1")
    assert one.region == cast.grid_a1  # located by its coordinates
    assert one.lead_department == cast.police and one.category == cast.neighbour
    two = Event.objects.get(extra__import__external_id="2")
    assert two.status == Status.REJECTED and two.closed_at is None
    assert two.region == cast.town_a


def test_bad_mapping_is_refused_before_any_row(cast, tmp_path):
    data = tmp_path / "x.csv"
    data.write_text("a\n1\n", encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("source: s\nexternal_id: a\nstatus: {default: in_progress}\n")
    with pytest.raises(CommandError, match="缺少必填键"):
        call_command("import_events", str(data), "--mapping", str(mapping))


def test_excel_file_through_a_background_job_with_progress(cast, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "text", "at"])
    for i in range(1, 1201):
        ws.append([i, f"第{i}号历史事件", f"2023/1/{1 + i % 28} 8:00:00"])
    path = tmp_path / "old.xlsx"
    wb.save(path)
    mapping = (
        "source: xl\nexternal_id: id\ndescription: text\nreported_at: at\n"
        "closed_at: at\nregion: {default: '330424'}\ncategory: {default: dispute.neighbour}\n"
    )
    job = services.import_job_create(path=str(path), mapping_text=mapping)
    services.import_job_run(job_id=job.pk)
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == JobStatus.DONE
    assert (job.total, job.processed, job.imported, job.failed) == (1200, 1200, 1200, 0)
    assert Event.objects.filter(extra__import__source="xl").count() == 1200


def test_gb18030_csv_is_read(cast, tmp_path):
    data = tmp_path / "gbk.csv"
    data.write_bytes("编号,内容,时间\n7,楼道堆放杂物,2024/3/5 9:01:02\n".encode("gb18030"))
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "source: gbk\nexternal_id: 编号\ndescription: 内容\nreported_at: 时间\n"
        "closed_at: 时间\nregion: {default: '330424'}\ncategory: {default: dispute.neighbour}\n",
        encoding="utf-8",
    )
    call_command("import_events", str(data), "--mapping", str(mapping), stdout=io.StringIO())
    assert Event.objects.get(extra__import__external_id="7").description == "楼道堆放杂物"
