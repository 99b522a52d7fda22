"""Excel exports: filters written, Chinese headers, contacts masked unless the role needs
them, an audit row per export, large exports as a task with a download link."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from pingan.analytics.masking import mask_name, mask_phone
from pingan.api.tests.helpers import report
from pingan.core.models import AuditEntry


def _reported(cast, **kw):
    return report(cast, reporter_name="张三丰", reporter_phone="13812345678", **kw)


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return load_workbook(io.BytesIO(response.content)).active


def test_masking_helpers():
    assert mask_name("张三丰") == "张**"
    assert mask_name("李四") == "李*"
    assert mask_phone("13812345678") == "138****5678"


def test_leader_export_is_masked_filtered_and_audited(cast, api_as):
    _reported(cast)
    _reported(cast, point="point_b1", user=cast.gridworker_b)
    api = api_as(cast.leader)
    ws = _sheet(api.get("/events/export", region=cast.town_a.pk))
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "事件清单"
    assert rows[1][0] == "筛选条件：区划：武原街道"
    assert rows[3][:3] == ("事件编号", "标题", "分类")
    data = rows[4:]
    assert len(data) == 1  # town A only
    assert data[0][12:14] == ("张**", "138****5678")
    entry = AuditEntry.objects.get(action="analytics.export")
    assert entry.actor == cast.leader
    assert entry.detail["filters"] == {"region": str(cast.town_a.pk)}
    assert entry.detail["rows"] == 1
    assert "13812345678" not in str(entry.detail)


def test_dispatcher_sees_the_contact(cast, api_as):
    _reported(cast)
    ws = _sheet(api_as(cast.dispatcher).get("/events/export"))
    assert list(ws.iter_rows(values_only=True))[4][12:14] == ("张三丰", "13812345678")


def test_bad_filter_is_422(cast, api_as):
    r = api_as(cast.leader).get("/events/export", reported_from="2026-13-01")
    assert r.status_code == 422


def test_large_export_runs_as_a_task_with_a_download_link(
    cast, api_as, settings, django_capture_on_commit_callbacks
):
    settings.PINGAN_EXPORT_SYNC_MAX = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _reported(cast)
    _reported(cast, point="point_a2")
    api = api_as(cast.leader)
    with django_capture_on_commit_callbacks(execute=True):
        r = api.get("/events/export")
    assert r.status_code == 202
    job = r.json()
    status = api.get(f"/exports/{job['id']}").json()
    assert (status["state"], status["total"], status["done"]) == ("done", 2, 2)
    assert status["download"].endswith(f"/api/v1/exports/{job['id']}/file")
    f = api.get(f"/exports/{job['id']}/file")
    body = b"".join(f.streaming_content)
    ws = load_workbook(io.BytesIO(body)).active
    assert len(list(ws.iter_rows(values_only=True))) == 4 + 2
    # Someone else's job is not there.
    assert api_as(cast.county_dispatcher).get(f"/exports/{job['id']}").status_code == 404


def test_kpi_table_export_has_the_figures(cast, api_as):
    _reported(cast)
    _reported(cast, point="point_b1", user=cast.gridworker_b)
    ws = _sheet(api_as(cast.leader).get("/stats/kpis/export", region=cast.county.pk))
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert rows["受理登记总量"][1] == 2
    assert AuditEntry.objects.filter(action="analytics.export", object_type="kpi").count() == 1
