"""Safety production: entering a month's figures (scope, evidence), the workbook import
(all or nothing, 第N行), 三个零增长 per town and county, the page and the API."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import Workbook

from pingan.core.errors import Forbidden, Invalid
from pingan.safety.models import SafetyFigure
from pingan.safety.selectors import year_grid, zero_growth
from pingan.safety.services import figure_save, figures_import

pytestmark = pytest.mark.django_db


def put(cast, town, month, a, d, loss, who=None):
    return figure_save(
        actor=who or cast.county_dispatcher,
        town_id=town.pk,
        month=month,
        data={"accidents": a, "deaths": d, "direct_loss": loss},
    )[0]


def test_towns_enter_their_own_and_the_office_any(cast):
    put(cast, cast.town_a, "2026-03", 1, 0, "2.5", who=cast.dispatcher)
    with pytest.raises(Forbidden):
        put(cast, cast.town_b, "2026-03", 1, 0, "0", who=cast.dispatcher)
    with pytest.raises(Forbidden):
        put(cast, cast.town_a, "2026-03", 1, 0, "0", who=cast.leader)
    f = put(cast, cast.town_a, "2026-03", 2, 1, "3.10")  # the office corrects it
    assert SafetyFigure.objects.count() == 1
    assert (f.accidents, f.deaths, f.direct_loss, f.month) == (
        2,
        1,
        Decimal("3.10"),
        dt.date(2026, 3, 1),
    )
    with pytest.raises(Invalid) as e:
        put(cast, cast.town_a, "2026-13", 0, 0, "0")
    assert "month" in e.value.fields
    with pytest.raises(Invalid) as e:
        put(cast, cast.town_a, "2026-04", -1, 0, "0")
    assert "accidents" in e.value.fields
    with pytest.raises(Invalid) as e:
        put(cast, cast.town_a, "2026-04", 0, 0, "1.234")
    assert "direct_loss" in e.value.fields


def test_zero_growth_per_town_and_county(cast):
    for m in (1, 2, 3):
        put(cast, cast.town_a, f"2025-{m:02d}", 2, 1, "10")
        put(cast, cast.town_b, f"2025-{m:02d}", 1, 0, "1")
        put(cast, cast.town_a, f"2026-{m:02d}", 1, 0, "5")
    put(cast, cast.town_b, "2026-02", 4, 0, "0.5")  # B: more accidents than last year (3)
    put(cast, cast.town_a, "2026-04", 9, 9, "99")  # after month_to: not counted
    a = zero_growth(region_id=cast.town_a.pk, year=2026, month_to=3)
    assert a["accidents"] == {"now": 3, "before": 6, "ok": True}
    assert a["loss"]["now"] == Decimal("15.00") and a["achieved"] is True
    b = zero_growth(region_id=cast.town_b.pk, year=2026, month_to=3)
    assert b["accidents"] == {"now": 4, "before": 3, "ok": False} and b["achieved"] is False
    assert b["deaths"]["ok"] and b["loss"]["ok"]
    county = zero_growth(region_id=cast.county.pk, year=2026, month_to=3)
    assert county["accidents"] == {"now": 7, "before": 9, "ok": True}
    assert county["deaths"] == {"now": 0, "before": 3, "ok": True}
    assert county["achieved"] is True
    grid = year_grid(cast.leader, year=2026, month_to=3)
    flags = {r["id"]: r["achieved"] for r in grid["towns"]}
    assert flags == {cast.town_a.pk: True, cast.town_b.pk: False}
    assert [r["id"] for r in year_grid(cast.dispatcher, year=2026)["towns"]] == [cast.town_a.pk]


def book(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(
        ["镇街代码", "镇街名称", "月份", "事故起数", "死亡人数", "直接经济损失（万元）", "备注"]
    )
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_import_is_all_or_nothing_naming_the_row(cast):
    rows = [
        [cast.town_a.code, "武原街道", "2026-01", 1, 0, 2.5, ""],
        [cast.town_b.code, "通元镇", "2026-01", 0, 0, 0, ""],
        [cast.town_b.code, "通元镇", "2026-02", "两起", 0, 0, ""],
    ]
    with pytest.raises(Invalid) as e:
        figures_import(actor=cast.county_dispatcher, upload=book(rows))
    assert e.value.fields["file"].startswith("第4行 accidents:")
    assert SafetyFigure.objects.count() == 0
    rows[2][3] = 2
    got = figures_import(actor=cast.county_dispatcher, upload=book(rows))
    assert got == {"created": 3, "updated": 0}
    assert SafetyFigure.objects.filter(source="imported").count() == 3
    with pytest.raises(Invalid) as e:  # a town's dispatcher: his town only
        figures_import(actor=cast.dispatcher, upload=book(rows))
    assert e.value.fields["file"].startswith("第3行 town:")


def test_page_and_api(cast):
    put(cast, cast.town_a, "2026-01", 1, 0, "2")
    c = Client()
    c.force_login(cast.county_dispatcher)
    page = c.get("/safety/?year=2026")
    assert page.status_code == 200 and "三个零增长" in page.content.decode()
    gw = Client()
    gw.force_login(cast.gridworker)
    assert gw.get("/safety/").status_code == 403
    tpl = c.get("/safety/template.xlsx?year=2026")
    assert tpl.status_code == 200
    got = c.get(f"/api/v1/safety/zero-growth?year=2026&month=1&region={cast.county.pk}").json()
    assert {t["town"] for t in got["towns"]} == {cast.town_a.pk, cast.town_b.pk}
    a = next(t for t in got["towns"] if t["town"] == cast.town_a.pk)
    assert a["accidents"] == {"now": 1, "before": 0, "ok": False}
    posted = c.post(
        "/api/v1/safety/figures",
        {
            "town": cast.town_b.pk,
            "month": "2026-02",
            "accidents": 0,
            "deaths": 0,
            "direct_loss": "0",
            "evidence": io.BytesIO(b"%PDF-1.4 test %%EOF"),
        },
    )
    assert posted.status_code == 201 and posted.json()["has_evidence"] is True
    fid = posted.json()["id"]
    assert c.get(f"/safety/figures/{fid}/evidence/").status_code == 200
    patched = c.patch(
        f"/api/v1/safety/figures/{fid}", '{"deaths": 1}', content_type="application/json"
    )
    assert patched.json()["deaths"] == 1 and patched.json()["has_evidence"] is True
    listed = c.get("/api/v1/safety/figures?year=2026").json()
    assert len(listed) == 2
