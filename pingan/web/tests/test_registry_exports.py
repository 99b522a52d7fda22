"""The registers' Excel exports (docs/registry.md, "Exports"): masked cells, formulas
neutralised, the viewer's scope and the list's filters, the rolling-window threshold
(the needs-approval page), the request decided on 导出审批 and its one download, the
audit rows."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from pingan.core import pii
from pingan.core.models import AuditEntry
from pingan.places.services import rental_create
from pingan.privacy.models import ExportedRows, ExportRequest
from pingan.privacy.services import export_request_decide
from pingan.registry.services import person_create

pytestmark = pytest.mark.django_db

ID_A = "110101199003070011"
ID_B = "34122119920101009X"
NAME_A = "欧阳测试"
PHONE_A = "13800001111"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def cells(response) -> list[list]:
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "no-store" in response["Cache-Control"]
    ws = load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


@pytest.fixture
def people(cast):
    a = person_create(
        actor=cast.dispatcher,
        region=cast.grid_a1.pk,
        name=NAME_A,
        id_number=ID_A,
        phone=PHONE_A,
        address="城东路88号3幢201室",
        relation="=1+2@SUM(A1)",
    )
    b = person_create(
        actor=cast.dispatcher_b,
        region=cast.grid_b1.pk,
        name="司马通元",
        id_number=ID_B,
        kind="new_resident",
    )
    house, _ = rental_create(
        actor=cast.dispatcher,
        data={"region": cast.grid_a1.pk, "address": "城东路99号5幢302室", "landlord": a.pk},
    )
    return {"a": a, "b": b, "house": house}


def test_persons_export_is_masked_scoped_and_neutralised(cast, people):
    r = client_for(cast.dispatcher).get(reverse("registry_persons_export"))
    assert r.status_code == 200
    rows = cells(r)
    flat = " ".join(str(v) for row in rows for v in row if v is not None)
    assert NAME_A not in flat and ID_A not in flat and PHONE_A not in flat
    assert "城东路88号3幢201室" not in flat
    ids = [row[0] for row in rows[1:]]
    assert ids == [people["a"].pk]  # town B's resident is out of scope
    assert people["b"].pk not in ids
    # The relation typed as a formula arrives as text, never as a live formula.
    assert "'=1+2@SUM(A1)" in rows[1]
    # One audit row, with the filters and the count, no personal data.
    entry = AuditEntry.objects.get(action="registry.export")
    assert entry.detail["kind"] == "registry_persons" and entry.detail["rows"] == 1
    assert ExportedRows.objects.get(user=cast.dispatcher).kind == "registry_persons"


def test_persons_export_follows_the_lists_filters_and_masks_the_search(cast, people):
    c = client_for(cast.dispatcher)
    r = c.get(reverse("registry_persons_export"), {"q": ID_A})
    assert [row[0] for row in cells(r)[1:]] == [people["a"].pk]
    r = c.get(reverse("registry_persons_export"), {"kind": "new_resident"})
    assert cells(r)[1:] == []
    detail = AuditEntry.objects.filter(action="registry.export").order_by("id").first().detail
    assert detail["filters"]["q"] != ID_A and ID_A not in str(detail)
    r = c.get(reverse("registry_persons_export"), {"region": "999999"})
    assert r.status_code == 422 and "区划不存在" in r.content.decode()


def test_rentals_export_masks_address_and_landlord(cast, people):
    r = client_for(cast.dispatcher).get(reverse("registry_rentals_export"))
    assert r.status_code == 200
    rows = cells(r)
    assert [row[0] for row in rows[1:]] == [people["house"].pk]
    flat = " ".join(str(v) for row in rows for v in row if v is not None)
    assert "城东路99号5幢302室" not in flat and NAME_A not in flat and PHONE_A not in flat
    # Town B's dispatcher sees none of town A's houses.
    other = client_for(cast.dispatcher_b).get(reverse("registry_rentals_export"))
    assert cells(other)[1:] == []


def test_list_pages_link_the_exports(cast, people):
    c = client_for(cast.dispatcher)
    html = c.get(reverse("registry_persons"), {"kind": "resident"}).content.decode()
    assert reverse("registry_persons_export") + "?kind=resident" in html
    html = c.get(reverse("registry_rentals")).content.decode()
    assert reverse("registry_rentals_export") in html


def test_above_the_threshold_an_approval_serves_one_download(cast, people, settings):
    settings.PINGAN_EXPORT_APPROVAL_ROWS = 1
    c = client_for(cast.dispatcher)
    assert c.get(reverse("registry_rentals_export")).status_code == 200  # 1 row: the window
    # A second export in the window is above the threshold: the needs-approval page.
    r = c.get(reverse("registry_persons_export"), {"q": ID_A})
    assert r.status_code == 403
    html = r.content.decode()
    assert "导出需要审批" in html and 'value="registry_persons"' in html
    assert AuditEntry.objects.filter(action="registry.export").count() == 1
    # The request carries the list's filters; the personal search is sealed at rest.
    r = c.post(
        reverse("export_request_new"),
        {"f_q": ID_A, "format": "registry_persons", "reason": "核查流动人口"},
    )
    assert r.status_code == 302
    req = ExportRequest.objects.get()
    assert req.kind == "registry_persons" and req.reason == "核查流动人口"
    # The search (an ID number) sealed at rest, shown masked to the approver.
    assert req.row_count == 1 and "q" not in req.filters
    assert req.filters["person_q"] != ID_A and ID_A not in str(req.filters)
    assert req.display_filters()["person_q"] == pii.mask_id_number(ID_A)
    # Without a reason nothing is asked.
    r = c.post(reverse("export_request_new"), {"format": "registry_rentals", "reason": ""})
    assert r.status_code == 422 and ExportRequest.objects.count() == 1
    export_request_decide(user=cast.leader, request_id=req.pk, approve=True)
    url = reverse("export_request_download", kwargs={"request_id": req.pk})
    r = c.get(url)
    assert r.status_code == 200
    assert [row[0] for row in cells(r)[1:]] == [people["a"].pk]
    assert (
        AuditEntry.objects.filter(action="registry.export").order_by("id").last().detail["approval"]
        == req.pk
    )
    # One download per approval.
    assert c.get(url).status_code == 409
