"""Every audit row written on behalf of a request carries the client's address.

The services take the actor (`pingan.access.actor`), resolved once per request with the
address; these tests drive each caller (API endpoint, page, channel) from one address and
check every audit row the request wrote: none may lose it (issue 15, item 2).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid
from typing import Any

import pytest
from captcha.models import CaptchaStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient, dispatched_to_police, report
from pingan.core import clock
from pingan.core.models import AuditEntry
from pingan.events.services import event_transition
from pingan.intake.services import integration_key_issue, integration_setup
from pingan.triage.models import DuplicateCandidate

pytestmark = pytest.mark.django_db

ADDR = "198.51.100.23"


def api(user: Any) -> ApiClient:
    return ApiClient(Client(REMOTE_ADDR=ADDR), token_issue(user=user))


def page(user: Any) -> Client:
    client = Client(REMOTE_ADDR=ADDR)
    client.force_login(user)
    return client


def mark() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def written_since(before: int, *actions: str) -> list[AuditEntry]:
    """The audit rows after `before`: they include `actions` and all came from ADDR."""
    rows = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq"))
    assert set(actions) <= {r.action for r in rows}, [r.action for r in rows]
    assert [(r.action, r.ip) for r in rows if r.ip != ADDR] == []
    return rows


def jpeg(name: str = "p.jpg") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def test_contact_reveals_and_refusals_carry_the_address(cast):
    e = report(cast)
    before = mark()
    assert api(cast.dispatcher).get(f"/events/{e.pk}/contact").status_code == 200
    assert api(cast.leader).get(f"/events/{e.pk}/contact").status_code == 403
    assert page(cast.dispatcher).post(f"/events/{e.pk}/contact/").status_code == 200
    rows = written_since(before, "pii.unmask")
    assert [r.result for r in rows if r.action == "pii.unmask"] == ["ok", "denied", "ok"]


def test_photos_from_the_api_and_the_event_page_carry_the_address(cast):
    e = dispatched_to_police(cast)
    event_transition(actor=cast.handler, event_id=e.pk, action="acknowledge")
    token = token_issue(user=cast.handler)
    before = mark()
    r = Client(REMOTE_ADDR=ADDR).post(
        f"/api/v1/events/{e.pk}/attachments",
        {"file": jpeg(), "kind": "report"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.content
    r = page(cast.handler).post(
        reverse("event_action", args=[e.pk, "resolve"]),
        {"resolution": "resolved", "result": "已清理杂物", "photos": jpeg("after.jpg")},
    )
    assert r.status_code == 302
    rows = written_since(before, "attachment.add")
    assert sum(r.action == "attachment.add" for r in rows) == 2


def test_the_phone_app_and_site_checks_carry_the_address(cast):
    gw, disp = api(cast.gridworker), api(cast.dispatcher)
    lat, lng = cast.point_a1
    before = mark()
    r = gw.post(
        "/field/reports",
        {
            "client_uuid": str(uuid.uuid4()),
            "category": cast.neighbour.pk,
            "description": "城东小区3幢楼道堆放杂物",
            "lat": lat,
            "lng": lng,
        },
    )
    assert r.status_code == 201, r.content
    event_id = r.json()["id"]
    r = Client(REMOTE_ADDR=ADDR).post(
        f"/api/v1/field/events/{event_id}/photos",
        {"file": jpeg(), "client_uuid": str(uuid.uuid4())},
        headers=gw.headers,
    )
    assert r.status_code == 201, r.content
    due = (clock.now() + dt.timedelta(hours=2)).isoformat()
    r = disp.post(f"/events/{event_id}/site-checks", {"note": "请核实是否仍有堆放", "due_at": due})
    assert r.status_code == 201, r.content
    r = gw.post(
        "/field/actions",
        {
            "client_uuid": str(uuid.uuid4()),
            "event": event_id,
            "action": "site_check",
            "check": r.json()["id"],
            "result": "已清理完毕",
        },
    )
    assert r.status_code == 201, r.content
    written_since(before, "attachment.add", "site_check.request", "site_check.done")


def test_patrols_carry_the_address(cast):
    gw = api(cast.gridworker)
    before = mark()
    started = (clock.now() - dt.timedelta(hours=1)).isoformat()
    r = gw.post("/patrols", {"client_uuid": str(uuid.uuid4()), "started_at": started})
    assert r.status_code == 201, r.content
    assert gw.post(f"/patrols/{r.json()['id']}/finish", {}).status_code == 200
    written_since(before, "patrol.start", "patrol.finish")


def _post(n: int, text: str) -> dict[str, Any]:
    return {
        "platform": "本地论坛",
        "url": f"https://bbs.example.invalid/t/{n}",
        "text": text,
        "posted_at": (clock.now() - dt.timedelta(hours=1)).isoformat(),
    }


def test_leads_carry_the_address(cast):
    disp = api(cast.dispatcher)
    before = mark()
    first = disp.post("/leads/posts", _post(1, "某纺织厂拖欠工资三个月，工人聚集讨薪"))
    second = disp.post("/leads/posts", _post(2, "城东路口路灯坏了一个多月"))
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["lead"] != second.json()["lead"]
    client = page(cast.dispatcher)
    confirm = {"decision": "confirm", "category": cast.neighbour.pk}
    r = client.post(reverse("lead_decide", args=[first.json()["lead"]]), confirm)
    assert r.status_code == 302
    dismiss = {"decision": "dismiss", "note": "与本县无关"}
    r = client.post(reverse("lead_decide", args=[second.json()["lead"]]), dismiss)
    assert r.status_code == 302
    written_since(before, "leads.post_add", "leads.confirm", "leads.dismiss")


def test_work_orders_withdrawals_and_transfers_carry_the_address(cast):
    hotline = integration_setup(
        channel="hotline_12345", region=cast.county, default_category=cast.neighbour
    )
    key = integration_key_issue(integration=hotline, key="key-12345-address")
    integration_setup(channel="police_110", region=cast.county, callback_url="http://127.0.0.1:9/")
    channel = Client(REMOTE_ADDR=ADDR)
    headers = {"X-Api-Key": key}
    before = mark()
    codes = []
    for no in ("GD-1", "GD-2", "GD-3"):
        body = {"order_no": no, "content": "城东小区夜间烧烤噪音扰民", "category": "邻里纠纷"}
        r = channel.post(
            "/api/v1/intake/orders",
            json.dumps(body),
            content_type="application/json",
            headers=headers,
        )
        assert r.status_code == 201, r.content
        codes.append(r.json()["event_code"])
    r = channel.post(
        "/api/v1/intake/orders/GD-1/withdraw",
        json.dumps({"kind": "withdraw", "note": "已由12345办结"}),
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 200, r.content
    second = AuditEntry.objects.filter(action="intake.order_receive").order_by("seq")[1]
    r = api(cast.county_dispatcher).post(
        f"/events/{second.object_id}/transfer-110", {"reason": "涉嫌打架斗殴，属治安案件"}
    )
    assert r.status_code == 200, r.content
    third = AuditEntry.objects.filter(action="intake.order_receive").order_by("seq")[2]
    r = page(cast.county_dispatcher).post(
        f"/channels/events/{third.object_id}/transfer-110/", {"reason": "属治安案件"}
    )
    assert r.status_code == 302
    rows = written_since(before, "intake.order_receive")
    assert sum(r.action == "intake.order_receive" for r in rows) == 3
    # The withdrawal and both transfers are transitions, audited by the case engine.
    assert len(rows) > 3


def test_open311_requests_carry_the_address(cast):
    open311 = integration_setup(channel="open311", region=cast.county)
    key = integration_key_issue(integration=open311, key="key-open311-address")
    lat, lng = cast.point_a1
    before = mark()
    data = {
        "api_key": key,
        "service_code": "dispute.neighbour",
        "lat": str(lat),
        "long": str(lng),
        "description": "楼道里堆满杂物",
    }
    r = Client(REMOTE_ADDR=ADDR).post("/open311/v2/requests.json", data)
    assert r.status_code == 200, r.content
    (row,) = [
        r
        for r in written_since(before, "open311.request_create")
        if r.action == "open311.request_create"
    ]
    assert row.actor_id == open311.acting_user_id


def test_citizen_reports_carry_the_address_and_name_no_one(cast):
    citizen = integration_setup(channel="citizen", region=cast.county)
    client = Client(REMOTE_ADDR=ADDR)
    form = client.get("/citizen/").content
    key = re.search(rb'name="captcha_0"[^>]*value="([0-9a-f]+)"', form) or re.search(
        rb'value="([0-9a-f]+)"[^>]*name="captcha_0"', form
    )
    assert key is not None
    hashkey = key.group(1).decode()
    lat, lng = cast.point_a1
    before = mark()
    r = client.post(
        "/citizen/",
        {
            "phone": "13912345678",
            "description": "城东小区门口路灯坏了一个多月，晚上很黑",
            "lat": str(lat),
            "lng": str(lng),
            "address": "",
            "category": str(cast.neighbour.pk),
            "captcha_0": hashkey,
            "captcha_1": CaptchaStore.objects.get(hashkey=hashkey).response,
            "photos": [jpeg()],
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    rows = written_since(before, "citizen.report", "attachment.add")
    by_action = {r.action: r for r in rows}
    assert by_action["citizen.report"].actor_id is None
    assert by_action["attachment.add"].actor_id == citizen.acting_user_id


def test_duplicate_decisions_carry_the_address(cast):
    master, dup, other = report(cast), report(cast), report(cast)
    cand = DuplicateCandidate.objects.create(event=other, other=master, score=0.9, reasons=[])
    client = page(cast.dispatcher)
    before = mark()
    r = client.post(reverse("triage_merge", args=[dup.pk]), {"master": master.pk})
    assert r.status_code == 302
    assert client.post(reverse("triage_dismiss", args=[cand.pk])).status_code == 302
    written_since(before, "triage.duplicate_merge", "triage.duplicate_dismiss")


def test_grid_meetings_now_carry_the_address(cast):
    client = page(cast.gridleader)
    before = mark()
    r = client.post(
        "/grid/meetings/",
        {
            "region": cast.village_a.pk,
            "kind": "weekly",
            "title": "城东社区第45周网格例会",
            "held_at": "2026-11-02T09:00",
            "agenda": "一、上周事件复盘",
            "present": "gw,gl",
            "absent": "",
            "reviews": "",
            "decisions": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    written_since(before, "gridsys.meeting")
