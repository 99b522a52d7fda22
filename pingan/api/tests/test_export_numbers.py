"""Exports hold numbers as numbers (counts whole, rates as percentages, a rate's 同比 in
个百分点, a count's in %, with the rate's numerator and denominator beside it) and are
named in Chinese: what, where, when (RFC 5987 `filename*`, an ASCII fallback)."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import quote, unquote

import pytest
from openpyxl import load_workbook

from pingan.analytics.exports import content_disposition
from pingan.analytics.tests.conftest import act, at, reported

MARCH = {"from": "2025-03-01", "to": "2025-03-31"}


def _names(response) -> tuple[str, str]:
    """(the Chinese name, the ASCII fallback) of a download."""
    header = response["Content-Disposition"]
    assert header.startswith("attachment;")
    fallback = re.search(r'filename="([^"]+)"', header)
    encoded = re.search(r"filename\*=UTF-8''(\S+)", header)
    assert fallback is not None and encoded is not None
    return unquote(encoded.group(1)), fallback.group(1)


@pytest.fixture
def march(cast, settings):
    """March 2025: three grid entries (two settled on site) and a 12345 call; March 2024:
    two grid entries, both accepted, one settled. Comparisons allowed on any base."""
    settings.PINGAN_DATA_SINCE = dt.date(2024, 1, 1)
    settings.PINGAN_COMPARE_MIN_BASE = 1
    for day in (3, 5, 12):
        e = reported(cast, at(3, day))
        if day != 12:
            act(cast.gridworker, e, "resolve_on_site", at(3, day, hour=10), result="现场调解")
    reported(cast, at(3, 21), source="hotline_12345")
    e = reported(cast, at(3, 4, year=2024))
    act(cast.gridworker, e, "resolve_on_site", at(3, 4, year=2024, hour=10), result="现场调解")
    e = reported(cast, at(3, 6, year=2024))
    act(cast.county_dispatcher, e, "accept", at(3, 6, year=2024, hour=10))


def _kpi_book(cast, api_as):
    r = api_as(cast.leader).get("/stats/kpis/export", region=cast.county.pk, **MARCH)
    assert r.status_code == 200
    return r, load_workbook(io.BytesIO(r.content))


def test_kpi_figures_are_numbers_with_number_formats(cast, api_as, march):
    _r, wb = _kpi_book(cast, api_as)
    ws = wb["考核指标"]
    headers = [c.value for c in ws[4]]
    assert headers[:7] == ["指标", "本期", "分子", "分母", "计算口径", "上年同期", "同比"]
    rows = {row[0].value: row for row in ws.iter_rows(min_row=5)}

    total = rows["受理登记总量"]
    assert (total[1].value, total[1].data_type, total[1].number_format) == (4, "n", "0")
    # 4 against 2 a year before: +100%, held as the fraction 1.0 shown as a percentage.
    assert total[6].data_type == "n" and total[6].value == pytest.approx(1.0)
    assert total[6].number_format.startswith("+0.00%")

    closure = rows["办结率"]
    assert closure[1].data_type == "n" and closure[1].value == pytest.approx(1.0)
    assert closure[1].number_format == "0.00%"
    assert (closure[2].value, closure[3].value, closure[4].value) == (2, 2, "办结 ÷ 受理")
    assert closure[5].value == pytest.approx(0.5)
    # 50.00% → 100.00%: +50 points, a number shown as 「+50.00 个百分点」.
    assert closure[6].value == pytest.approx(50.0)
    assert "个百分点" in closure[6].number_format

    days = rows["平均处置用时(工作日)"]
    assert days[1].data_type == "n" and days[1].number_format == "0.00"


def test_a_withheld_change_is_empty_with_its_reason(cast, api_as, march, settings):
    settings.PINGAN_COMPARE_MIN_BASE = 10
    _r, wb = _kpi_book(cast, api_as)
    rows = {row[0].value: row for row in wb["考核指标"].iter_rows(min_row=5)}
    total = rows["受理登记总量"]
    assert total[6].value is None
    assert total[7].value == "基期样本不足10件"


def test_category_and_source_sheets_carry_counts_rates_and_their_change(cast, api_as, march):
    _r, wb = _kpi_book(cast, api_as)
    ws = wb["来源统计"]
    headers = [c.value for c in ws[4]]
    rows = {row[0].value: row for row in ws.iter_rows(min_row=5)}
    grid = rows["网格巡查"]
    col = {h: grid[i] for i, h in enumerate(headers)}
    assert (col["数量"].value, col["上年同期"].value) == (3, 2)
    assert col["同比"].value == pytest.approx(0.5) and col["同比"].data_type == "n"
    assert (col["受理"].value, col["办结"].value) == (2, 2)
    assert col["办结率"].value == pytest.approx(1.0) and col["办结率"].number_format == "0.00%"
    assert rows["12345热线"][1].value == 1


def test_kpi_export_is_named_in_chinese(cast, api_as, march):
    r, _wb = _kpi_book(cast, api_as)
    name, fallback = _names(r)
    assert name == "指标_海盐县_20250301-20250331.xlsx"
    assert fallback.isascii() and fallback.startswith("kpis-") and fallback.endswith(".xlsx")


def test_event_exports_are_named_by_region_and_period(cast, api_as, client, march):
    r = api_as(cast.leader).get(
        "/events/export",
        region=cast.town_a.pk,
        reported_from="2025-03-01",
        reported_to="2025-03-31",
    )
    assert r.status_code == 200
    assert _names(r)[0] == "事件清单_武原街道_20250301-20250331.xlsx"
    client.force_login(cast.dispatcher)
    params = {"region": cast.town_a.pk, "reported_from": "2025-03-01", "reported_to": "2025-03-31"}
    assert (
        _names(client.get("/events/export.xlsx", params))[0]
        == "事件清单_武原街道_20250301-20250331.xlsx"
    )
    csv_name, csv_fallback = _names(client.get("/events/export.csv", params))
    assert csv_name == "事件清单_武原街道_20250301-20250331.csv"
    assert csv_fallback.startswith("events-") and csv_fallback.endswith(".csv")


def test_a_queued_export_file_has_the_chinese_name(
    cast, api_as, settings, march, django_capture_on_commit_callbacks
):
    settings.PINGAN_EXPORT_SYNC_MAX = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    api = api_as(cast.leader)
    with django_capture_on_commit_callbacks(execute=True):
        r = api.get("/events/export", reported_from="2025-03-01", reported_to="2025-03-31")
    assert r.status_code == 202
    f = api.get(f"/exports/{r.json()['id']}/file")
    name, fallback = _names(f)
    # The leader's own region when no region is chosen.
    assert name == "事件清单_海盐县_20250301-20250331.xlsx"
    assert fallback.startswith("events-")


def test_a_download_name_holds_no_character_a_file_system_refuses():
    header = content_disposition('武原/街道"简报*.docx', 'brief"ing/1.docx')
    assert 'filename="briefing1.docx"' in header
    assert header.endswith("filename*=UTF-8''" + quote("武原街道简报.docx", safe=""))
