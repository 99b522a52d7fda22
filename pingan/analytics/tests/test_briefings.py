"""Briefing words as the seeds use them (grid-collected entries apart from the total of
every channel, 回访满意率, 同比 of rates in 个百分点 and of counts in %, withheld comparisons
said plainly), the 期号 per region and year under the red header, and PDF tables that
never break a code or a date."""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import pytest

from pingan.analytics import briefings, documents
from pingan.analytics.models import Briefing
from pingan.analytics.tests.conftest import act, at, reported
from pingan.core import clock

MARCH = {"date_from": dt.date(2025, 3, 1), "date_to": dt.date(2025, 3, 31)}


def _text(cast, region=None) -> str:
    region = region or cast.county
    fig = briefings.briefing_figures(user=cast.leader, region_id=region.pk, **MARCH)
    parts = briefings.sections(region=region, fig=fig, **MARCH)
    return "\n".join(p for s in parts for p in s["paragraphs"])


def _march(cast):
    """March 2025: four grid-patrol entries (two settled on site), one 12345 call, one
    online lead; March 2024: two grid entries, both accepted, one closed."""
    for day in (3, 5, 12):
        e = reported(cast, at(3, day))
        if day != 12:
            act(cast.gridworker, e, "resolve_on_site", at(3, day, hour=10), result="现场调解")
    reported(cast, at(3, 20), category=cast.fire, town_b=True)
    reported(cast, at(3, 21), source="hotline_12345")
    reported(cast, at(3, 22), category=cast.fire, source="online_opinion")
    e = reported(cast, at(3, 4, year=2024))
    act(cast.gridworker, e, "resolve_on_site", at(3, 4, year=2024, hour=10), result="现场调解")
    e = reported(cast, at(3, 6, year=2024))
    act(cast.county_dispatcher, e, "accept", at(3, 6, year=2024, hour=10))


@pytest.fixture
def compared(settings):
    """Comparisons allowed: the data are whole from 2024, any base is enough."""
    settings.PINGAN_DATA_SINCE = dt.date(2024, 1, 1)
    settings.PINGAN_COMPARE_MIN_BASE = 1


def test_grid_entries_are_counted_apart_from_every_channel(cast, compared):
    _march(cast)
    text = _text(cast)
    # Six matters from every channel; four of them collected by grid workers.
    assert "2025年3月，全县共受理登记各类事项6件，同比上升200.00%" in text
    assert "其中通过网格共排查录入信息4条，同比上升100.00%" in text
    assert "通过网格共排查录入信息6条" not in text
    assert "12345热线1条" in text and "网络舆情1条" in text


def test_rates_change_in_points_and_counts_in_percent(cast, compared):
    _march(cast)
    text = _text(cast)
    # 办结率: 1 of 2 accepted a year before (50.00%), 2 of 2 now: +50 points, not +100%.
    assert "已办结2件，办结率100.00%（办结 2 / 受理 2），同比上升50.00个百分点" in text
    assert "同比上升100.00%（" not in text
    # The 回访 satisfaction is named so, never 群众满意率 or 安全感满意率.
    assert "回访满意率" in text
    assert "群众满意率" not in text and "安全感" not in text


def test_a_withheld_comparison_is_said_plainly(cast, settings):
    _march(cast)
    settings.PINGAN_DATA_SINCE = dt.date(2024, 1, 1)
    settings.PINGAN_COMPARE_MIN_BASE = 10
    text = _text(cast)
    assert "共受理登记各类事项6件，基期样本不足，不作同比" in text
    assert "同比上升" not in text and "同比下降" not in text
    # Data whole only from 2024-03-05: March 2024 is not a complete base.
    settings.PINGAN_DATA_SINCE = dt.date(2024, 3, 5)
    text = _text(cast)
    assert "共受理登记各类事项6件，同比基期数据不完整" in text
    assert "不作同比" not in text
    # February 2025 (the 环比 base) is whole but holds no event.
    assert "基期样本不足，不作环比" in text


def test_change_words_follow_the_unit_of_the_figure():
    assert briefings.change_words("closure_rate", 2.5) == "同比上升2.50个百分点"
    assert briefings.change_words("total", -12.34) == "同比下降12.34%"
    assert briefings.change_words("total", 0.0, noun="环比") == "环比持平"
    reason = "基期样本不足10件"
    assert briefings.change_words("total", None, withheld=reason) == "基期样本不足，不作同比"
    assert (
        briefings.change_words("total", None, withheld="基期数据不完整", complete=False)
        == "同比基期数据不完整"
    )


def test_no_rate_in_a_briefing_is_over_one_hundred_percent(cast, compared):
    _march(cast)
    text = _text(cast)
    rates = [float(v) for v in re.findall(r"率(\d+\.\d+)%", text)]
    assert rates and all(v <= 100 for v in rates)


def _briefing(cast, region, when):
    with clock.frozen(when):
        return briefings.briefing_render(user=cast.leader, region_id=region.pk, fmt="docx", **MARCH)


def test_issue_numbers_count_per_region_and_year(cast):
    first = _briefing(cast, cast.county, at(12, 1, year=2026))
    second = _briefing(cast, cast.county, at(12, 2, year=2026))
    town = _briefing(cast, cast.town_a, at(12, 2, year=2026))
    next_year = _briefing(cast, cast.county, at(1, 5, year=2027))
    assert [first.issue_text, second.issue_text] == ["2026年第1期", "2026年第2期"]
    assert town.issue_text == "2026年第1期"
    assert next_year.issue_text == "2027年第1期"
    assert Briefing.objects.filter(region=cast.county, issue_year=2026).count() == 2


def test_the_document_has_the_red_header(cast, settings):
    b = _briefing(cast, cast.county, at(12, 2, year=2026))
    d = docx.Document(io.BytesIO(b.file.open("rb").read()))
    lines = [p.text for p in d.paragraphs]
    assert lines[:3] == [
        "海盐县基层社会治理工作简报",
        "2026年第1期",
        "海盐县社会治理指挥中心\t2026年12月2日",
    ]
    masthead = d.paragraphs[0].runs[0]
    assert str(masthead.font.color.rgb) == documents.RED
    # The red rule under the issuer line.
    assert 'w:color="FF0000"' in d.paragraphs[2]._p.xml
    settings.PINGAN_BRIEFING_ISSUER = "中共海盐县委政法委员会"
    b = _briefing(cast, cast.county, at(12, 3, year=2026))
    d = docx.Document(io.BytesIO(b.file.open("rb").read()))
    assert d.paragraphs[2].text == "中共海盐县委政法委员会\t2026年12月3日"
    assert (b.issuer, b.issue_text) == ("中共海盐县委政法委员会", "2026年第2期")


CODE = "330424-20260302-000001"
DUE = "2026-03-09 17:00"


def _overdue_table(rows: int = 3, title: str = "城东小区楼道堆放杂物影响消防通道" * 2):
    return {
        "headers": ["事件编号", "标题", "区域", "主办部门", "办理期限", "超期天数（自然日）"],
        "kinds": [
            documents.NOWRAP,
            documents.TEXT,
            documents.TEXT,
            documents.TEXT,
            documents.NOWRAP,
            documents.NUMBER,
        ],
        "rows": [[CODE, title, "城东社区第一网格", "县住建局", DUE, 23.7]] * rows,
    }


def test_pdf_columns_fit_codes_and_dates_on_one_line():
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.pdfbase.pdfmetrics import stringWidth

    available = A4[0] - 4 * cm
    t = _overdue_table()
    widths, size = documents.column_widths(t["headers"], t["rows"], t["kinds"], available=available)
    assert sum(widths) <= available + 0.01
    # Code and date columns hold their text on one line (cell padding 4 + 4 points).
    assert widths[0] >= stringWidth(CODE, documents.PDF_FONT, size) + 8
    assert widths[4] >= stringWidth(DUE, documents.PDF_FONT, size) + 8
    # The long title wraps instead: it gets the widest share of what is left.
    assert widths[1] == max(widths[1], widths[2], widths[3])


def test_pdf_table_shrinks_the_font_rather_than_break_a_code():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    headers = ["编号"] * 5 + ["说明"]
    kinds = [documents.NOWRAP] * 5 + [documents.TEXT]
    rows = [[CODE] * 5 + ["说明文字"]]
    widths, size = documents.column_widths(headers, rows, kinds, available=481)
    assert size < 9
    assert all(w >= stringWidth(CODE, documents.PDF_FONT, size) + 8 for w in widths[:5])


def test_pdf_code_cells_never_wrap():
    from reportlab.platypus import Paragraph

    table = documents.pdf_table(_overdue_table(rows=1), available=481)
    row = table._cellvalues[1]
    # A plain string cell is drawn on one line; text cells are paragraphs that wrap.
    assert row[0] == CODE and row[4] == DUE
    assert isinstance(row[1], Paragraph)
    _w, height = table.wrap(481, 800)
    assert height > 0


def test_pdf_briefing_renders_with_the_header(cast):
    with clock.frozen(at(12, 2, year=2026)):
        b = briefings.briefing_render(
            user=cast.leader, region_id=cast.county.pk, fmt="pdf", **MARCH
        )
    assert b.file.open("rb").read(5) == b"%PDF-"
    assert b.issue_text == "2026年第1期"
