"""The screening pages: the rounds, a round with its summary and report form, the
disposition form and the .xlsx summary."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from pingan.events.models import Event
from pingan.screening.tests.factories import item, submit, village_round

pytestmark = pytest.mark.django_db


def signed_in(cast, user):
    c = Client()
    assert c.login(username=user.username, password=cast.password)
    return c


def test_the_rounds_page_puts_the_units_pending_reports_first_and_flags_missing(cast):
    village_round(past=True)
    village_round()
    page = signed_in(cast, cast.gridleader).get("/screenings/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "本单位待报" in html and "未报（已过截止日）" in html
    assert html.index("screening-pending") < html.index("screening-rounds")
    assert signed_in(cast, cast.handler).get("/screenings/").status_code == 200


def test_a_village_reports_none_on_the_round_page(cast):
    found = village_round()
    c = signed_in(cast, cast.gridleader)
    page = c.get(f"/screenings/{found.pk}/")
    assert page.status_code == 200
    assert "城东社区的排查报告" in page.content.decode()
    r = c.post(
        f"/screenings/{found.pk}/", {"unit": cast.village_a.pk, "none_found": "1", "rows": "0"}
    )
    assert r.status_code == 302
    report = found.reports.get(unit=cast.village_a)
    assert report.status == "submitted" and report.none_found


def test_a_bad_item_row_comes_back_with_its_error_and_nothing_saved(cast):
    found = village_round()
    c = signed_in(cast, cast.gridleader)
    post = {
        "unit": cast.village_a.pk,
        "none_found": "0",
        "rows": "2",
        "item-0-kind": "dispute",
        "item-0-summary": "邻里争执",
        "item-0-risk_level": "low",
        "item-1-kind": "",
        "item-1-summary": "漏填类别",
        "item-1-risk_level": "low",
    }
    r = c.post(f"/screenings/{found.pk}/", post)
    assert r.status_code == 422
    html = r.content.decode()
    assert "类别不正确" in html and "漏填类别" in html
    assert found.reports.get(unit=cast.village_a).status == "pending"


def test_the_county_sees_the_summary_and_missing_units(cast):
    found = village_round(past=True)
    submit(cast, found, items=[item()])
    html = signed_in(cast, cast.county_dispatcher).get(f"/screenings/{found.pk}/").content.decode()
    assert "screening-missing" in html and "通元村" in html
    assert "50.00%（1/2）" in html
    assert signed_in(cast, cast.handler).get(f"/screenings/{found.pk}/").status_code == 404


def test_an_item_becomes_an_event_from_the_page(cast):
    found = village_round()
    report = submit(cast, found, items=[item()])
    it = report.items.get()
    c = signed_in(cast, cast.gridleader)
    r = c.post(
        f"/screenings/items/{it.pk}/dispose/",
        {"disposition": "event", "category": cast.neighbour.pk, "round": found.pk},
    )
    assert r.status_code == 302 and f"#item-{it.pk}" in r["Location"]
    it.refresh_from_db()
    assert it.event_id == Event.objects.get().pk
    # A bad one says why and changes nothing.
    r = c.post(
        f"/screenings/items/{it.pk}/dispose/",
        {"disposition": "handled", "round": found.pk},
        follow=True,
    )
    assert "该事项已处置" in r.content.decode()


def test_the_summary_as_xlsx_neutralises_formulas(cast):
    found = village_round(past=True)
    submit(cast, found, items=[item(summary='=HYPERLINK("http://x")')])
    r = signed_in(cast, cast.county_dispatcher).get(f"/screenings/{found.pk}/export.xlsx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["排查汇总", "分镇情况", "未报单位", "排查事项"]
    rows = list(book["排查事项"].values)
    assert rows[1][3] == '\'=HYPERLINK("http://x")'
    assert [r[0] for r in book["未报单位"].values][1:] == ["通元村"]
