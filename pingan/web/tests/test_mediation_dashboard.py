"""The county mediation dashboard (/mediation/dashboard/) and its Excel export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from pingan.core import clock
from pingan.mediation.models import MediationCase
from pingan.mediation.services import mediator_create
from pingan.mediation.tests.factories import fire, mediation_cast, new_case


@pytest.fixture
def med(cast):
    m = mediation_cast(cast)

    def mediating(**kw):
        case = fire(new_case(cast, **kw), cast.dispatcher, "accept")
        return fire(case, cast.dispatcher, "assign", committee=m.village.pk)

    ok = {"terms": "互相谅解", "performance": "at_once"}
    fire(mediating(), cast.dispatcher, "succeed", **ok)
    # A mediator's name typed as a formula must reach the export as text.
    m.odd = mediator_create(committee=m.village, name='=HYPERLINK("http://x")')
    odd = fire(mediating(), cast.dispatcher, "assign", committee=m.village.pk, mediator=m.odd.pk)
    fire(odd, cast.dispatcher, "succeed", **ok)
    fire(mediating(), cast.dispatcher, "fail", note="分歧大")
    late = mediating(dispute_kind="contract")
    MediationCase.objects.filter(pk=late.pk).update(due_at=clock.now() - dt.timedelta(days=2))
    m.late = late
    return m


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def _today():
    return timezone.localdate(clock.now()).isoformat()


def test_leader_sees_cards_with_parts_tables_and_the_overdue_case(cast, med):
    r = client_for(cast.leader).get(
        "/mediation/dashboard/", {"region": cast.county.pk, "from": _today(), "to": _today()}
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert "调解统计" in page
    # 调解成功率 2/3 with its parts on the card.
    assert "66.67%" in page and "调解成功 2 / 调解终结 3" in page
    assert "调处率" in page and "调解终结 3 / 受理 4" in page
    for testid in ("by_level", "by_committee", "by_mediator", "by_kind", "by_channel"):
        assert f'data-testid="{testid}"' in page
    assert "城东社区人民调解委员会" in page and "合同纠纷" in page
    assert med.late.code in page  # the overdue list


def test_mediator_sees_only_their_committee(cast, med):
    other = client_for(med.stranger.user).get("/mediation/dashboard/")
    assert other.status_code == 200
    assert med.late.code not in other.content.decode()
    own = client_for(med.village_mediator.user).get("/mediation/dashboard/")
    assert med.late.code in own.content.decode()


def test_other_roles_are_refused(cast, med):
    assert client_for(cast.gridworker).get("/mediation/dashboard/").status_code == 403
    assert client_for(cast.handler).get("/mediation/dashboard/export.xlsx").status_code == 403


def test_bad_period_is_422(cast, med):
    r = client_for(cast.leader).get(
        "/mediation/dashboard/", {"from": "2026-05-02", "to": "2026-05-01"}
    )
    assert r.status_code == 422
    assert "结束日期不能早于开始日期" in r.content.decode()


def test_export_holds_the_figures_as_numbers_and_no_formula(cast, med):
    r = client_for(cast.leader).get(
        "/mediation/dashboard/export.xlsx",
        {"region": cast.county.pk, "from": _today(), "to": _today()},
    )
    assert r.status_code == 200
    assert r["Cache-Control"].startswith("no-store") or "no-store" in r["Cache-Control"]
    wb = load_workbook(io.BytesIO(r.content))
    rows = {row[0]: row for row in wb.worksheets[0].iter_rows(values_only=True) if row[0]}
    rate = rows["调解成功率"]
    assert rate[1] == pytest.approx(0.6667) and (rate[2], rate[3]) == (2, 3)
    assert rows["受理量"][1] == 4
    sheet_names = wb.sheetnames
    assert "按调委会" in sheet_names and "按纠纷类型" in sheet_names
    names = [row[0] for row in wb["按调解员"].iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://x")' in names
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for cell in row:
                assert not (isinstance(cell, str) and cell.startswith("="))
