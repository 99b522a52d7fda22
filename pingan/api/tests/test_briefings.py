"""Briefings: the .docx opens, reads like the county's own and states the KPI module's
numbers; PDF renders; both are archived and listed; out-of-scope regions are 404."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import unquote

import docx

from pingan.analytics.selectors import kpi_table
from pingan.analytics.tests.conftest import act, at, reported
from pingan.core.models import AuditEntry


def _march(cast):
    for day in (3, 5, 12):
        e = reported(cast, at(3, day))
        if day != 12:
            act(cast.gridworker, e, "resolve_on_site", at(3, day, hour=10), result="现场调解")
    reported(cast, at(3, 20), category=cast.fire, town_b=True)
    reported(cast, at(3, 4, year=2024))


def test_docx_states_the_kpi_figures(cast, api_as, settings):
    # Data whole from 2024 and any base enough: the 同比 is stated, not withheld.
    settings.PINGAN_DATA_SINCE = dt.date(2024, 1, 1)
    settings.PINGAN_COMPARE_MIN_BASE = 1
    _march(cast)
    api = api_as(cast.leader)
    r = api.get(
        "/briefings/render", region=cast.county.pk, **{"from": "2025-03-01", "to": "2025-03-31"}
    )
    assert r.status_code == 200
    body = b"".join(r.streaming_content)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)
    k = kpi_table(
        user=cast.leader,
        region_id=cast.county.pk,
        date_from=dt.date(2025, 3, 1),
        date_to=dt.date(2025, 3, 31),
    )
    assert (k["total"], k["dispute_total"], k["closed"]) == (4, 3, 2)
    # All four came from grid workers: the grid phrase and the total agree here.
    assert "2025年3月，全县共受理登记各类事项4件，同比上升300.00%" in text
    assert "其中通过网格共排查录入信息4条，同比上升300.00%。矛盾纠纷3条" in text
    assert f"办结率{k['closure_rate'] * 100:.2f}%（办结 2 / 受理 2）" in text
    for heading in (
        "一、总体情况",
        "二、分类情况",
        "三、来源情况",
        "四、热点区域",
        "五、超期与督办",
        "六、排名情况",
    ):
        assert heading in text
    listed = api.get("/briefings").json()
    assert [b["format"] for b in listed] == ["docx"]
    assert listed[0]["issue"].endswith("年第1期")
    assert listed[0]["issuer"] == "海盐县社会治理指挥中心"
    assert AuditEntry.objects.filter(action="analytics.briefing").count() == 1


def test_pdf_renders_and_is_archived(cast, api_as):
    _march(cast)
    api = api_as(cast.leader)
    r = api.get(
        "/briefings/render",
        region=cast.town_a.pk,
        format="pdf",
        **{"from": "2025-03-01", "to": "2025-03-31"},
    )
    assert r.status_code == 200
    body = b"".join(r.streaming_content)
    assert body.startswith(b"%PDF")
    b = api.get("/briefings").json()[0]
    assert api.get(b["download"].split("/api/v1")[1]).status_code == 200


def test_briefing_of_another_town_is_404(cast, api_as):
    r = api_as(cast.dispatcher_b).get("/briefings/render", region=cast.town_a.pk)
    assert r.status_code == 404
    assert api_as(cast.leader).get("/briefings/render", format="xls").status_code == 422


def test_a_period_of_centuries_is_refused_not_a_server_error(cast, api_as):
    # Found by schemathesis: from=0228-07-17 to=2251-06-03 gave a 500.
    api = api_as(cast.leader)
    r = api.get(
        "/briefings/render", region=cast.county.pk, **{"from": "0228-07-17", "to": "2251-06-03"}
    )
    assert r.status_code == 422
    assert "from" in r.json()["error"]["fields"] or "to" in r.json()["error"]["fields"]
    assert not api.get("/briefings").json()


def test_the_download_is_named_by_the_title_with_an_ascii_fallback(cast, api_as):
    _march(cast)
    r = api_as(cast.leader).get(
        "/briefings/render", region=cast.county.pk, **{"from": "2025-03-01", "to": "2025-03-31"}
    )
    header = r["Content-Disposition"]
    fallback = re.search(r'filename="([^"]+)"', header).group(1)
    encoded = re.search(r"filename\*=UTF-8''(\S+)", header).group(1)
    assert unquote(encoded) == "海盐县基层社会治理工作简报（2025年3月）.docx"
    assert fallback.isascii() and fallback.endswith(".docx")
