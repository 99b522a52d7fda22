"""The rectification pages: the list (counts per state, overdue in red, filters), an
order's page with its buttons and the owner unit's evidence upload, the engine's generic
form for a failed re-check, issuing by hand, the deductions of a year."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pingan.core import clock
from pingan.rectification.deadlines import rectification_sweep
from pingan.rectification.models import Deduction, RectificationOrder
from pingan.rectification.tests.factories import (
    acknowledged,
    inspector,
    new_order,
    png,
    submitted,
    today,
)

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_list_counts_states_and_marks_overdue_orders(cast):
    late = acknowledged(cast, new_order(cast, days=1))
    fine = new_order(cast, days=20, title="监控探头缺失")
    rectification_sweep(clock.now() + dt.timedelta(days=2))
    html = client_for(cast.dispatcher).get("/rectifications/").content.decode()
    assert late.code in html and fine.code in html
    assert f'data-order="{late.pk}" class="text-danger" data-overdue="1"' in html
    assert f'data-order="{fine.pk}">' in html
    assert '<td data-status="rectifying"><a href="?status=rectifying">1</a>' in html
    only = client_for(cast.dispatcher).get("/rectifications/", {"overdue": "1"}).content.decode()
    assert late.code in only and fine.code not in only
    assert (
        client_for(cast.dispatcher_b).get("/rectifications/").content.decode().count("data-order=")
        == 0
    )
    assert client_for(cast.gridworker).get("/rectifications/").status_code == 403


def test_the_unit_uploads_evidence_and_submits_from_the_order_page(cast):
    o = acknowledged(cast, new_order(cast))
    c = client_for(cast.dispatcher)
    html = c.get(f"/rectifications/{o.pk}/").content.decode()
    assert 'data-action="submit"' in html and 'name="file"' in html
    r = c.post(f"/rectifications/{o.pk}/evidence/", {"file": SimpleUploadedFile("a.txt", b"hi")})
    assert r.status_code == 422 and "佐证材料应为照片" in r.content.decode()
    r = c.post(
        f"/rectifications/{o.pk}/evidence/",
        {"file": SimpleUploadedFile("after.png", png()), "note": "清理后"},
    )
    assert r.status_code == 302
    ev = o.evidence.get()
    got = c.get(f"/rectifications/{o.pk}/evidence/{ev.pk}/")
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    other = client_for(cast.dispatcher_b)
    assert other.get(f"/rectifications/{o.pk}/evidence/{ev.pk}/").status_code == 404
    r = c.post(f"/cases/rectification/{o.pk}/submit/", {"result": "已清理"})
    assert r.status_code == 302
    o.refresh_from_db()
    assert o.status == "submitted"
    # The office sees no upload form (it is not the unit) and may not upload.
    office = client_for(cast.county_dispatcher)
    assert 'name="file"' not in office.get(f"/rectifications/{o.pk}/").content.decode()


def test_a_failed_recheck_through_the_generic_form_needs_a_deadline(cast):
    o = submitted(cast, new_order(cast))
    c = client_for(inspector(cast))
    assert 'data-action="recheck"' in c.get(f"/rectifications/{o.pk}/").content.decode()
    r = c.post(f"/cases/rectification/{o.pk}/recheck/", {"passed": "false", "note": "未到位"})
    assert r.status_code == 422 and "整改期限" in r.content.decode()
    new = (today() + dt.timedelta(days=4)).isoformat()
    r = c.post(
        f"/cases/rectification/{o.pk}/recheck/",
        {"passed": "false", "note": "未到位", "deadline": new},
    )
    assert r.status_code == 302
    o.refresh_from_db()
    assert (o.status, o.failed_rechecks) == ("rectifying", 1)
    assert Deduction.objects.filter(order=o, source_kind="failed_recheck").count() == 1


def test_the_office_issues_an_order_from_the_form(cast):
    c = client_for(cast.county_dispatcher)
    assert c.get("/rectifications/new/").status_code == 200
    form = {
        "title": "综治中心值班记录缺失",
        "requirement": "补齐值班记录",
        "evidence_required": "",
        "deadline": (today() + dt.timedelta(days=5)).isoformat(),
        "region": cast.town_b.pk,
        "unit": "",
        "deduction_points": "1",
    }
    r = c.post("/rectifications/new/", form)
    assert r.status_code == 422 and 'data-field="unit"' in r.content.decode()
    assert not RectificationOrder.objects.exists()
    r = c.post("/rectifications/new/", {**form, "unit": f"region:{cast.town_b.pk}"})
    assert r.status_code == 302
    o = RectificationOrder.objects.get()
    assert (o.unit_region_id, o.source_kind) == (cast.town_b.pk, "manual")
    assert client_for(cast.dispatcher).get("/rectifications/new/").status_code == 403


def test_the_deductions_page_totals_per_unit_with_sources(cast):
    o = acknowledged(cast, new_order(cast, days=1))
    acknowledged(cast, new_order(cast, unit="police", days=1))
    later = clock.now() + dt.timedelta(days=2)
    rectification_sweep(later)
    year = (today() + dt.timedelta(days=2)).year
    html = client_for(cast.leader).get("/rectifications/deductions/", {"year": year}).content
    text = html.decode()
    assert 'data-unit="武原街道"' in text and 'data-unit="县公安局"' in text
    assert f'href="/rectifications/{o.pk}/"' in text
    town = client_for(cast.dispatcher).get("/rectifications/deductions/", {"year": year})
    assert town.content.decode().count("data-deduction=") == 1
