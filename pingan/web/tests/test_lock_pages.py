"""The period locking page (封账): who sees it, locking a month or a year with a reason,
bad input and overlaps, unlocking; audited as through the API."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from pingan.analytics.models import PeriodLock
from pingan.analytics.tests.conftest import act, at, reported
from pingan.core import clock
from pingan.core.models import AuditEntry

TODAY = dt.datetime(2025, 6, 10, 9, tzinfo=dt.UTC)


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_county_leader_locks_a_month_and_a_year_and_unlocks(cast):
    e = reported(cast, at(3, 3))
    act(cast.gridworker, e, "resolve_on_site", at(3, 3, hour=10), result="现场调解")
    c = client_for(cast.leader)
    with clock.frozen(TODAY):
        page = c.get("/dashboard/locks/")
        assert page.status_code == 200
        assert "还没有封账期间" in page.content.decode()
        # The dashboard links here for this role.
        assert "/dashboard/locks/" in c.get("/dashboard/").content.decode()
        r = c.post(
            "/dashboard/locks/new", {"kind": "month", "month": "2025-03", "note": "3月数据已上报"}
        )
        assert r.status_code == 302
        lock = PeriodLock.objects.get()
        assert (lock.date_from, lock.date_to, lock.note) == (
            dt.date(2025, 3, 1),
            dt.date(2025, 3, 31),
            "3月数据已上报",
        )
        entry = AuditEntry.objects.get(action="analytics.period_lock")
        assert (entry.actor, entry.detail["from"], entry.detail["to"]) == (
            cast.leader,
            "2025-03-01",
            "2025-03-31",
        )
        listed = c.get("/dashboard/locks/").content.decode()
        assert "2025-03-01 — 2025-03-31" in listed and "3月数据已上报" in listed
        # The same month again overlaps: 409, nothing written.
        r = c.post("/dashboard/locks/new", {"kind": "month", "month": "2025-03", "note": "再次"})
        assert r.status_code == 409 and "重叠" in r.content.decode()
        assert PeriodLock.objects.count() == 1
        r = c.post("/dashboard/locks/new", {"kind": "year", "year": "2024", "note": "年度封账"})
        assert r.status_code == 302
        assert PeriodLock.objects.filter(
            date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31)
        ).exists()
        r = c.post(f"/dashboard/locks/{lock.pk}/unlock")
        assert r.status_code == 302
        assert not PeriodLock.objects.filter(pk=lock.pk).exists()
        assert AuditEntry.objects.filter(action="analytics.period_unlock").count() == 1


def test_bad_input_is_422_with_the_field_in_chinese_and_nothing_written(cast):
    c = client_for(cast.county_dispatcher)
    with clock.frozen(TODAY):
        for data, words in (
            ({"kind": "month", "month": "2025-13", "note": "说明"}, "月份格式"),
            ({"kind": "month", "month": "三月", "note": "说明"}, "月份格式"),
            ({"kind": "year", "year": "25", "note": "说明"}, "年份"),
            ({"kind": "month", "month": "2025-03", "note": " "}, "封账说明"),
            ({"kind": "week", "note": "说明"}, "按月或按年"),
            # A period that has not ended yet.
            ({"kind": "month", "month": "2025-06", "note": "说明"}, "已经结束"),
        ):
            r = c.post("/dashboard/locks/new", data)
            assert r.status_code == 422, data
            assert words in r.content.decode(), data
    assert not PeriodLock.objects.exists()
    assert not AuditEntry.objects.filter(action="analytics.period_lock").exists()


def test_others_get_403_and_see_no_link(cast):
    for user in (cast.leader_b, cast.dispatcher, cast.gridworker, cast.handler):
        c = client_for(user)
        assert c.get("/dashboard/locks/").status_code == 403
        r = c.post("/dashboard/locks/new", {"kind": "month", "month": "2021-01", "note": "x"})
        assert r.status_code == 403
    assert not PeriodLock.objects.exists()
    html = client_for(cast.leader_b).get("/dashboard/").content.decode()
    assert "/dashboard/locks/" not in html
