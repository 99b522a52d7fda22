"""Bulk-export approval over a rolling window (issue 16, finding 7): the rows one user
exported in the last PINGAN_EXPORT_WINDOW_HOURS count towards PINGAN_EXPORT_APPROVAL_ROWS,
so splitting a large export into small ones does not get past the second person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings

from pingan.api.tests.helpers import report
from pingan.core import clock
from pingan.core.models import AuditEntry
from pingan.privacy.models import ExportRequest
from pingan.privacy.services import (
    ExportNeedsApproval,
    export_request_create,
    export_request_decide,
    export_request_use,
    export_rows_claim,
)


def _three_events(cast):
    """Two events in grid A1, one in grid A2."""
    report(cast)
    report(cast)
    report(cast, point="point_a2", user=cast.gridleader)


def test_the_window_is_24_hours_by_default():
    assert django_settings.PINGAN_EXPORT_WINDOW_HOURS == 24


def test_split_csv_and_excel_exports_add_up_to_the_threshold(cast, client, settings):
    settings.PINGAN_EXPORT_APPROVAL_ROWS = 2
    _three_events(cast)
    client.force_login(cast.dispatcher)
    r = client.get("/events/export.csv", {"region": cast.grid_a1.pk})
    assert r.status_code == 200
    b"".join(r.streaming_content)
    # Grid A2 alone is one row, under the threshold; with the two already exported, over.
    for url in ("/events/export.csv", "/events/export.xlsx"):
        r = client.get(url, {"region": cast.grid_a2.pk})
        assert r.status_code == 403, url
        page = r.content.decode()
        assert "需要审批" in page and "24 小时内已导出 2 条" in page
    assert AuditEntry.objects.filter(action="event.export").count() == 1
    assert not AuditEntry.objects.filter(action="analytics.export").exists()
    # Another user's exports do not count against this one.
    client.force_login(cast.county_dispatcher)
    assert client.get("/events/export.csv", {"region": cast.grid_a2.pk}).status_code == 200


def test_an_approved_download_is_served_and_its_rows_count(cast, client, settings):
    settings.PINGAN_EXPORT_APPROVAL_ROWS = 2
    _three_events(cast)
    client.force_login(cast.dispatcher)
    assert client.get("/events/export.csv", {"region": cast.grid_a1.pk}).status_code == 200
    assert client.get("/events/export.csv", {"region": cast.grid_a2.pk}).status_code == 403
    client.post("/exports/new/", {"f_region": str(cast.grid_a2.pk), "reason": "周报"})
    req = ExportRequest.objects.get()
    assert req.row_count == 1
    export_request_decide(user=cast.leader, request_id=req.pk, approve=True)
    r = client.get(f"/exports/{req.pk}/download/")
    assert r.status_code == 200
    # The approval served one download; the window is still full.
    r = client.get("/events/export.csv", {"region": cast.grid_a2.pk})
    assert r.status_code == 403 and "已导出 3 条" in r.content.decode()


def test_rows_leave_the_window_after_the_configured_hours(cast, settings):
    settings.PINGAN_EXPORT_APPROVAL_ROWS = 10
    t0 = clock.now()
    with clock.frozen(t0):
        export_rows_claim(user=cast.dispatcher, kind="events", rows=8)
    with clock.frozen(t0 + dt.timedelta(hours=23, minutes=59)):
        with pytest.raises(ExportNeedsApproval) as err:
            export_rows_claim(user=cast.dispatcher, kind="events", rows=3)
        assert (err.value.count, err.value.recent, err.value.threshold) == (3, 8, 10)
        export_rows_claim(user=cast.dispatcher, kind="events", rows=2)  # 8 + 2 = 10: allowed
    with clock.frozen(t0 + dt.timedelta(hours=24, seconds=1)):
        export_rows_claim(user=cast.dispatcher, kind="events", rows=8)  # only the 2 remain
    settings.PINGAN_EXPORT_WINDOW_HOURS = 1
    with clock.frozen(t0 + dt.timedelta(hours=25, minutes=30)):
        export_rows_claim(user=cast.dispatcher, kind="events", rows=10)


def test_an_approval_lets_one_export_past_the_window(cast, settings):
    settings.PINGAN_EXPORT_APPROVAL_ROWS = 10
    export_rows_claim(user=cast.dispatcher, kind="events", rows=10)
    req = export_request_create(
        user=cast.dispatcher, kind="events", filters={}, row_count=50, reason="年度分析"
    )
    export_request_decide(user=cast.leader, request_id=req.pk, approve=True)
    used = export_request_use(user=cast.dispatcher, request_id=req.pk)
    export_rows_claim(user=cast.dispatcher, kind="events", rows=50, approval=used)
    with pytest.raises(ExportNeedsApproval) as err:
        export_rows_claim(user=cast.dispatcher, kind="events", rows=1)
    assert err.value.recent == 60
