"""Personal data on pages and in exports: masked, shown on the explicit action, bulk
exports approved by a second person."""

from __future__ import annotations

import csv
import io

from pingan.api.tests.helpers import dispatched_to_police, report
from pingan.core.models import AuditEntry
from pingan.org.choices import Role
from pingan.org.services import membership_grant
from pingan.privacy.models import ExportRequest

CONTACT = {"reporter_name": "张三丰", "reporter_phone": "13812345678", "address": "海滨路18号3幢"}


def rows_of(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_export_masks_personal_data_and_is_audited(cast, client):
    report(cast, **CONTACT)
    client.force_login(cast.dispatcher)
    r = client.get("/events/export.csv")
    assert r.status_code == 200
    rows = rows_of(r)
    assert rows[0][-3:] == ["地址（脱敏）", "反映人（脱敏）", "反映人电话（脱敏）"]
    assert rows[1][-3:] == ["海滨路18号****", "张**", "138****5678"]
    assert "13812345678" not in str(rows)
    assert AuditEntry.objects.filter(action="event.export", actor=cast.dispatcher).exists()


def test_handler_of_the_assigned_department_may_show_the_contact(cast, client):
    e = dispatched_to_police(cast, **CONTACT)
    client.force_login(cast.handler)
    html = client.get(f"/events/{e.pk}/").content.decode()
    assert "data-unmask" in html and "13812345678" not in html
    r = client.post(f"/events/{e.pk}/contact/")
    assert r.status_code == 200 and "13812345678" in r.content.decode()
    assert "no-store" in r["Cache-Control"]  # never kept by a browser or a proxy
    assert AuditEntry.objects.filter(action="pii.unmask", actor=cast.handler).count() == 1
    client.force_login(cast.leader)
    html = client.get(f"/events/{e.pk}/").content.decode()
    assert "data-unmask" not in html
    assert client.post(f"/events/{e.pk}/contact/").status_code == 403
    client.force_login(cast.dispatcher_b)
    assert client.post(f"/events/{e.pk}/contact/").status_code == 404


def test_bulk_export_needs_a_second_persons_approval(cast, client, settings):
    settings.PINGAN_EXPORT_APPROVAL_ROWS = 1
    report(cast, **CONTACT)
    report(cast)
    client.force_login(cast.dispatcher)
    r = client.get("/events/export.csv", {"status": "reported"})
    assert r.status_code == 403 and "需要审批" in r.content.decode()
    assert not AuditEntry.objects.filter(action="event.export").exists()
    # A request needs a reason.
    r = client.post("/exports/new/", {"f_status": "reported", "reason": ""})
    assert r.status_code == 422 and not ExportRequest.objects.exists()
    r = client.post("/exports/new/", {"f_status": "reported", "reason": "月度分析"})
    assert r.status_code == 302
    req = ExportRequest.objects.get()
    assert (req.row_count, req.filters, req.status) == (2, {"status": "reported"}, "pending")
    # Not yet approved: no download. The requester cannot approve their own request.
    assert client.get(f"/exports/{req.pk}/download/").status_code == 409
    assert client.post(f"/exports/{req.pk}/decide/", {"decision": "approve"}).status_code == 403
    # A leader of another town does not see it; the county leader approves.
    client.force_login(cast.leader_b)
    assert client.post(f"/exports/{req.pk}/decide/", {"decision": "approve"}).status_code == 404
    client.force_login(cast.leader)
    assert "月度分析" in client.get("/exports/").content.decode()
    assert client.post(f"/exports/{req.pk}/decide/", {"decision": "approve"}).status_code == 302
    client.force_login(cast.dispatcher)
    r = client.get(f"/exports/{req.pk}/download/")
    assert r.status_code == 200 and len(rows_of(r)) == 3
    # One download per approval.
    assert client.get(f"/exports/{req.pk}/download/").status_code == 409
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert [a for a in actions if a.startswith(("export.", "event.export"))] == [
        "export.request",
        "export.approve",
        "event.export",
    ]


def test_security_admin_may_approve_and_others_may_not(cast, client, settings):
    settings.PINGAN_EXPORT_APPROVAL_ROWS = 0
    report(cast)
    client.force_login(cast.dispatcher)
    client.post("/exports/new/", {"reason": "审计抽查"})
    req = ExportRequest.objects.get()
    client.force_login(cast.gridleader)
    assert client.post(f"/exports/{req.pk}/decide/", {"decision": "approve"}).status_code == 404
    membership_grant(user=cast.sysadmin, role=Role.SEC_ADMIN)
    client.force_login(cast.sysadmin)
    assert client.post(f"/exports/{req.pk}/decide/", {"decision": "reject"}).status_code == 302
    req.refresh_from_db()
    assert req.status == "rejected" and req.decided_by == cast.sysadmin


def test_report_form_refuses_a_malformed_phone_with_a_chinese_message(cast, client):
    lat, lng = cast.point_a1
    client.force_login(cast.dispatcher)  # takes citizens' calls: the form has their contact
    r = client.post(
        "/report/",
        {
            "category_parent": cast.dispute.pk,
            "category": cast.neighbour.pk,
            "description": "噪音扰民",
            "urgency": "normal",
            "lat": str(lat),
            "lng": str(lng),
            "reporter_phone": "1381234",
        },
    )
    assert r.status_code == 422
    assert "电话号码格式不正确" in r.content.decode()


def test_an_export_by_phone_keeps_the_phone_out_of_the_audit_log_and_the_request(
    cast, client, settings
):
    settings.PINGAN_EXPORT_APPROVAL_ROWS = 0
    report(cast, **CONTACT)
    report(cast, reporter_phone="13900001111")
    client.force_login(cast.dispatcher)
    client.post("/exports/new/", {"f_reporter_phone": "13812345678", "reason": "回访"})
    req = ExportRequest.objects.get()
    assert "13812345678" not in str(req.filters)
    client.force_login(cast.leader)
    assert "138****5678" in client.get("/exports/").content.decode()
    client.post(f"/exports/{req.pk}/decide/", {"decision": "approve"})
    client.force_login(cast.dispatcher)
    rows = rows_of(client.get(f"/exports/{req.pk}/download/"))
    assert len(rows) == 2 and rows[1][-1] == "138****5678"
    details = str(list(AuditEntry.objects.values_list("detail", flat=True)))
    assert "13812345678" not in details and "138****5678" in details
