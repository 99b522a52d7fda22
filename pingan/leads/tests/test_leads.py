"""Online-opinion leads: posts in by API and file, risk, grouping, confirm → event."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient
from pingan.core.errors import Forbidden
from pingan.core.models import AuditEntry
from pingan.events.choices import Source, Status
from pingan.leads.choices import LeadStatus
from pingan.leads.models import Lead, Post
from pingan.leads.services import lead_confirm, lead_dismiss

POST = {
    "platform": "本地论坛",
    "url": "https://bbs.example.invalid/t/1001",
    "author": "海盐人",
    "text": "武原街道某纺织厂拖欠工资三个月，几十名工人在厂门口聚集讨薪，没人管",
    "posted_at": "2026-11-20T09:30:00+08:00",
    "likes": 120,
    "comments": 45,
    "shares": 30,
    "screenshots": ["https://img.example.invalid/s1.png"],
}


def api(client, user):
    return ApiClient(client, token_issue(user=user))


def test_posts_are_scored_grouped_and_idempotent(client, cast):
    a = api(client, cast.dispatcher)
    r = a.post("/leads/posts", POST)
    assert r.status_code == 201, r.content
    first = r.json()
    assert "mass_incident" in first["signals"]
    assert first["risk_score"] >= 60
    again = a.post("/leads/posts", POST)
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    same_matter = {
        **POST,
        "url": "https://weibo.example.invalid/p/2",
        "platform": "微博",
        "text": "某纺织厂拖欠工资三个月，工人在厂门口聚集讨薪",
        "likes": 3,
        "comments": 0,
        "shares": 0,
    }
    second = a.post("/leads/posts", same_matter).json()
    assert second["lead"] == first["lead"] and second["lead_post_count"] == 2
    other = {**POST, "url": "https://bbs.example.invalid/t/9", "text": "城东路口路灯坏了"}
    third = a.post("/leads/posts", other).json()
    assert third["lead"] != first["lead"]
    assert third["risk_score"] < first["risk_score"]


def test_bad_post_is_422_with_field_and_grid_worker_is_refused(client, cast):
    r = api(client, cast.dispatcher).post("/leads/posts", {**POST, "url": "ftp://x"})
    assert r.status_code == 422
    assert "url" in r.json()["error"]["fields"]
    r = api(client, cast.gridworker).post("/leads/posts", POST)
    assert r.status_code == 403
    assert not Post.objects.exists()


def test_upload_confirm_into_an_event_with_posts_as_evidence(client, cast):
    client.force_login(cast.dispatcher)
    data = (
        "平台,链接,作者,内容,发布时间,点赞,评论,转发,截图\n"
        f"论坛,https://a.example.invalid/1,甲,{POST['text']},2026-11-20 09:30,10,2,1,"
        "https://img.example.invalid/1.png\n"
        "论坛,https://a.example.invalid/2,乙,某纺织厂拖欠工资三个月，工人聚集讨薪,"
        "2026-11-20 10:00,0,0,0,\n"
        "论坛,not-a-url,丙,内容,2026-11-20 10:00,0,0,0,\n"
    ).encode()
    f = io.BytesIO(data)
    f.name = "posts.csv"
    r = client.post(reverse("lead_upload"), {"file": f}, follow=True)
    page = r.content.decode()
    assert "新增 2" in page and "第3行" in page
    lead = Lead.objects.get()
    assert lead.post_count == 2

    listing = client.get(reverse("lead_list"), {"min_risk": "50", "signal": "mass_incident"})
    assert lead.title in listing.content.decode()
    confirmed = client.get(reverse("lead_list"), {"status": "confirmed"})
    assert lead.title not in confirmed.content.decode()

    r = client.post(
        reverse("lead_decide", args=[lead.pk]),
        {"decision": "confirm", "category": cast.neighbour.pk},
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONFIRMED
    event = lead.event
    assert r.url == reverse("event_detail", args=[event.pk])
    assert event.source == Source.ONLINE_OPINION and event.status == Status.REPORTED
    assert "https://a.example.invalid/1" in event.description
    assert "https://a.example.invalid/2" in event.description
    assert "https://img.example.invalid/1.png" in event.description


def test_dispatcher_of_other_town_does_not_see_the_lead(client, cast):
    api(client, cast.dispatcher).post("/leads/posts", POST)
    lead = Lead.objects.get()
    client.force_login(cast.dispatcher_b)
    assert lead.title not in client.get(reverse("lead_list")).content.decode()
    r = client.post(reverse("lead_decide", args=[lead.pk]), {"decision": "dismiss", "note": "无关"})
    assert r.status_code == 404


def test_only_dispatchers_decide_a_lead_on_the_page_and_in_the_service(client, cast):
    """Issue 16, finding 8: leaders see the leads of their region but deciding on one
    (confirm or dismiss) is the dispatchers' work (docs/triage.md)."""
    api(client, cast.dispatcher).post("/leads/posts", POST)
    lead = Lead.objects.get()
    client.force_login(cast.leader)
    page = client.get(reverse("lead_list")).content.decode()
    assert lead.title in page  # the county leader sees the lead of town A
    assert reverse("lead_decide", args=[lead.pk]) not in page  # but is offered no decision
    decide = reverse("lead_decide", args=[lead.pk])
    assert client.post(decide, {"decision": "dismiss", "note": "无关"}).status_code == 403
    r = client.post(decide, {"decision": "confirm", "category": cast.neighbour.pk})
    assert r.status_code == 403
    with pytest.raises(Forbidden):
        lead_dismiss(actor=cast.leader, lead_id=lead.pk, note="无关")
    with pytest.raises(Forbidden):
        lead_confirm(actor=cast.leader, lead_id=lead.pk, category=cast.neighbour.pk)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW and lead.decided_by is None
    assert AuditEntry.objects.filter(action="access.denied", result="403").exists()

    # The dispatchers of the lead's region (town A, and the county above it) decide.
    client.force_login(cast.county_dispatcher)
    assert decide in client.get(reverse("lead_list")).content.decode()
    assert client.post(decide, {"decision": "dismiss", "note": "与本县无关"}).status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.DISMISSED and lead.decided_by == cast.county_dispatcher
