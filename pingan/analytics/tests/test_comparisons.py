"""同比/环比 as a Chinese official reads them: rates in percentage points, counts in
percent, two decimals; withheld against an incomplete or too small base; coloured by
good or bad news."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from pingan.analytics import kpis
from pingan.analytics.selectors import summary

MARCH_2025 = {"date_from": dt.date(2025, 3, 1), "date_to": dt.date(2025, 3, 31)}


def test_a_rate_changes_in_percentage_points_a_count_in_percent():
    # The seeds: 安全感满意率 94.7% → 97.2% is 上升2.5个百分点, not 2.64%.
    assert kpis.change("satisfaction_rate", 0.972, 0.947) == 2.5
    assert kpis.format_change("satisfaction_rate", 2.5) == "+2.50个百分点"
    assert kpis.change("total", 1238, 1000) == 23.8
    assert kpis.change("total", 12374, 10000) == 23.74
    assert kpis.format_change("total", 23.74) == "+23.74%"
    assert kpis.format_change("overdue", -50.0) == "-50.00%"
    # Nothing to compare with: a count from 0, a rate with no figure a year before.
    assert kpis.change("total", 5, 0) is None
    assert kpis.change("closure_rate", 0.5, None) is None
    # A rate can fall to or rise from 0 and still compare.
    assert kpis.change("closure_rate", 0.0, 0.25) == -25.0


def test_values_are_written_with_two_decimals_from_the_same_number():
    assert kpis.format_value("closure_rate", 0.952) == "95.20%"
    assert kpis.format_value("closure_rate", None) == "—"
    assert kpis.format_value("handle_days_avg", 3.25) == "3.25"
    assert kpis.format_value("total", 1494) == "1494"
    figures = {"closed": 958, "accepted": 1006, "closure_rate": kpis.rate(958, 1006)}
    assert kpis.parts_text("closure_rate", figures) == "办结 958 / 受理 1006"
    assert kpis.parts_text("total", figures) == ""


def test_colour_says_good_or_bad_news_not_direction():
    assert kpis.verdict("closure_rate", 2.5) == "good"
    assert kpis.verdict("closure_rate", -2.5) == "bad"
    assert kpis.verdict("overdue", -10.0) == "good"
    assert kpis.verdict("handle_days_avg", 12.0) == "bad"
    assert kpis.verdict("total", 300.0) == ""  # more reports: neither
    assert kpis.verdict("closure_rate", None) == ""


def test_a_base_period_before_the_first_day_with_data_is_withheld(world, settings):
    # The county's records are whole only from June 2024: March 2024 is no base.
    settings.PINGAN_DATA_SINCE = dt.date(2024, 6, 1)
    settings.PINGAN_COMPARE_MIN_BASE = 1
    s = summary(user=world.leader, **MARCH_2025)
    assert s["previous_period"]["total"] == 2  # the figures are there …
    assert s["yoy"]["total"] is None  # … the comparison is not
    assert s["yoy_withheld"]["total"] == "基期数据不完整"
    assert s["yoy_withheld"]["closure_rate"] == "基期数据不完整"
    assert s["first_day"] == "2024-06-01"
    # The same for every category and source row.
    assert all(c["yoy"]["total"] is None for c in s["by_category"])


def test_without_the_setting_the_first_reported_day_decides(world, settings):
    settings.PINGAN_DATA_SINCE = None
    settings.PINGAN_COMPARE_MIN_BASE = 1
    s = summary(user=world.leader, **MARCH_2025)
    first = dt.date.fromisoformat(s["first_day"])
    # The fixture's first event is reported in March 2024, after 1 March: the base
    # month is partial.
    assert dt.date(2024, 3, 1) < first <= dt.date(2024, 3, 31)
    assert s["yoy"]["total"] is None and s["yoy_withheld"]["total"] == "基期数据不完整"
    # April against March 2025 (both after the first day) compares.
    april = summary(user=world.leader, date_from=dt.date(2025, 4, 1), date_to=dt.date(2025, 4, 30))
    assert april["mom"]["total"] == round((1 - 6) / 6 * 100, 2)
    assert april["mom_withheld"] == {} or "total" not in april["mom_withheld"]


def test_a_base_under_the_minimum_is_withheld(world, settings):
    settings.PINGAN_DATA_SINCE = dt.date(2024, 1, 1)
    settings.PINGAN_COMPARE_MIN_BASE = 10
    s = summary(user=world.leader, **MARCH_2025)
    # March 2024 had 2 events, 2 accepted: too few for either comparison.
    assert s["yoy"]["total"] is None
    assert s["yoy_withheld"]["total"] == "基期样本不足10件"
    assert s["yoy_withheld"]["closure_rate"] == "基期样本不足10件"
    settings.PINGAN_COMPARE_MIN_BASE = 2
    s = summary(user=world.leader, **MARCH_2025)
    assert s["yoy"]["total"] == 200.0
    assert s["yoy"]["closure_rate"] == 25.0  # accepted 2 ≥ 2
    assert s["yoy"]["on_time_rate"] is None  # rests on 1 closed event
    assert s["yoy_withheld"]["on_time_rate"] == "基期样本不足2件"


def test_category_and_source_rows_compare_with_the_year_before(world, settings):
    settings.PINGAN_DATA_SINCE = dt.date(2024, 1, 1)
    settings.PINGAN_COMPARE_MIN_BASE = 1
    s = summary(user=world.leader, **MARCH_2025)
    before = summary(user=world.leader, date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31))
    then = {c["category"]: c for c in before["by_category"]}
    for c in s["by_category"]:
        old = then.get(c["category"])
        assert c["previous"] == (old["count"] if old else 0)
        if old:
            assert c["yoy"]["total"] == kpis.change("total", c["count"], old["count"])
            assert c["yoy"]["closure_rate"] == kpis.change(
                "closure_rate", c["closure_rate"], old["closure_rate"]
            )


@pytest.mark.django_db
def test_the_dashboard_shows_parts_both_comparisons_and_why_one_is_missing(world, settings):
    settings.PINGAN_DATA_SINCE = dt.date(2024, 6, 1)
    c = Client()
    c.force_login(world.leader)
    r = c.get("/dashboard/", {"region": world.county.pk, "from": "2025-03-01", "to": "2025-03-31"})
    assert r.status_code == 200
    html = r.content.decode()
    cards = {card["key"]: card for card in r.context["cards"]}
    assert cards["closure_rate"]["value"] == "75.00%"
    assert cards["closure_rate"]["parts"] == "办结 3 / 受理 4"
    assert 'data-testid="kpi-parts-closure_rate">办结 3 / 受理 4<' in html
    assert cards["closure_rate"]["yoy"]["withheld"] == "基期数据不完整"
    assert "同比 —" in html and "基期数据不完整" in html
    assert cards["closure_rate"]["mom"] is not None  # 环比 on screen for a whole month
    assert "dispute_resolution_rate" in cards
    settings.PINGAN_DATA_SINCE = dt.date(2024, 1, 1)
    settings.PINGAN_COMPARE_MIN_BASE = 1
    r = c.get("/dashboard/", {"region": world.county.pk, "from": "2025-03-01", "to": "2025-03-31"})
    cards = {card["key"]: card for card in r.context["cards"]}
    assert cards["closure_rate"]["yoy"] == {
        "text": "+25.00个百分点",
        "verdict": "good",
        "withheld": "",
    }
    assert cards["on_time_rate"]["yoy"]["verdict"] == "bad"
    assert cards["total"]["yoy"]["verdict"] == ""
