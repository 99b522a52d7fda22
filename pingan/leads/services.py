"""Writes of leads: taking posts in (one by one or from a CSV/Excel file), scoring and
grouping them, and a dispatcher's decision on a lead (confirm → event, or dismiss)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, Invalid, invalid
from pingan.events.choices import Source
from pingan.events.models import Event
from pingan.events.services import event_report
from pingan.geo.models import Region
from pingan.leads.choices import LeadStatus
from pingan.leads.models import Lead, Post
from pingan.leads.permissions import DECIDE_ROLES, can_decide_lead, can_enter_posts
from pingan.triage.duplicates import similarity
from pingan.triage.services import signals_in

GROUP_WINDOW = dt.timedelta(days=7)
GROUP_THRESHOLD = 0.45
GROUP_CAP = 200
SIGNAL_POINTS = 30.0
NEGATIVE_WORDS = ("投诉", "曝光", "维权", "求助", "没人管", "无人管", "投诉无门", "举报")


def risk_of(
    text: str, *, likes: int, comments: int, shares: int, views: int
) -> tuple[float, list[str]]:
    """Risk in 0..100: 30 per risk signal (the triage alert rules, at most 60), up to 30
    for spread (log scale of likes, comments ×2, shares ×3, views ÷100) and 10 for words of
    complaint. Returns (score, signals)."""
    signals = [m.rule.signal for m in signals_in(text)]
    score = min(SIGNAL_POINTS * len(signals), 60.0)
    spread = likes + 2 * comments + 3 * shares + views / 100
    score += min(10.0 * math.log10(1 + spread), 30.0)
    if any(w in text for w in NEGATIVE_WORDS):
        score += 10.0
    return round(min(score, 100.0), 1), signals


def _check_decider(actor: Actor, lead: Lead) -> None:
    if not can_decide_lead(actor, lead):
        raise Forbidden(gettext("只有受理中心人员可以研判线索"))


def _region_for(actor: Actor, code: str | None) -> Region:
    regions = [m.region for m in actor.holding(DECIDE_ROLES) if m.region is not None]
    if not regions:
        raise Forbidden(gettext("只有受理中心人员可以录入舆情"))
    if not code:
        return regions[0]
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise invalid("region", gettext("区划不存在"))
    if not can_enter_posts(actor, region):
        raise invalid("region", gettext("区划不在您的受理范围内"))
    return region


def _int(value: Any, name: str) -> int:
    if value in (None, ""):
        return 0
    try:
        n = int(float(value))
    except (TypeError, ValueError):
        raise invalid(name, gettext("应为非负整数")) from None
    if n < 0:
        raise invalid(name, gettext("应为非负整数"))
    return n


def _time(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        t = value
    else:
        text = str(value or "").strip().replace("/", "-")
        if not text:
            raise invalid("posted_at", gettext("请填写发布时间"))
        try:
            t = dt.datetime.fromisoformat(text)
        except ValueError:
            raise invalid("posted_at", gettext("时间格式应为 YYYY-MM-DD HH:MM[:SS]")) from None
    if timezone.is_naive(t):
        t = timezone.make_aware(t)
    if t > clock.now() + dt.timedelta(minutes=10):
        raise invalid("posted_at", gettext("发布时间不能晚于当前时间"))
    return t


def _group(region: Region, text: str, at: dt.datetime) -> Lead | None:
    """An undecided lead in the same region with a similar post in the window."""
    posts = (
        Post.objects.filter(
            lead__region=region,
            lead__status=LeadStatus.NEW,
            posted_at__gte=at - GROUP_WINDOW,
            posted_at__lte=at + GROUP_WINDOW,
        )
        .order_by("-posted_at")
        .values_list("lead_id", "text")[:GROUP_CAP]
    )
    best, best_score = None, GROUP_THRESHOLD
    for lead_id, other in posts:
        s = similarity(text, other)
        if s >= best_score:
            best, best_score = lead_id, s
    return Lead.objects.filter(pk=best).first() if best else None


def post_add(
    *,
    actor: Actor | Any,
    platform: str,
    url: str,
    text: str,
    posted_at: Any,
    author: str = "",
    likes: Any = 0,
    comments: Any = 0,
    shares: Any = 0,
    views: Any = 0,
    screenshots: list[str] | None = None,
    region: str | None = None,
) -> tuple[Post, bool]:
    """Take one post in: score it and put it into a lead (an open one about the same
    matter, else a new one). The same URL again returns the first post, created=False."""
    platform = (platform or "").strip()[:50]
    url = (url or "").strip()
    text = (text or "").strip()
    if not platform:
        raise invalid("platform", gettext("请填写平台"))
    if urlparse(url).scheme not in ("http", "https") or len(url) > 500:
        raise invalid("url", gettext("链接应为 http(s) 地址"))
    if not text:
        raise invalid("text", gettext("请填写内容"))
    at = _time(posted_at)
    counts = {
        n: _int(v, n)
        for n, v in (("likes", likes), ("comments", comments), ("shares", shares), ("views", views))
    }
    shots = [str(s)[:500] for s in (screenshots or []) if str(s).strip()]
    actor = as_actor(actor)
    reg = _region_for(actor, region)
    existing = Post.objects.filter(url=url).first()
    if existing is not None:
        return existing, False
    score, signals = risk_of(text, **counts)
    with transaction.atomic():
        lead = _group(reg, text, at)
        if lead is None:
            lead = Lead.objects.create(
                title=text.replace("\n", " ")[:60],
                region=reg,
                region_path=reg.path,
                first_seen=at,
                last_seen=at,
            )
        post = Post.objects.create(
            lead=lead,
            platform=platform,
            url=url,
            author=(author or "").strip()[:100],
            text=text,
            posted_at=at,
            screenshots=shots,
            risk_score=score,
            signals=signals,
            **counts,
        )
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        lead.post_count = lead.posts.count()
        lead.risk_score = max(lead.risk_score, score)
        lead.signals = sorted(set(lead.signals) | set(signals))
        lead.first_seen = min(lead.first_seen, at)
        lead.last_seen = max(lead.last_seen, at)
        lead.save()
        post.lead = lead
        actor.audit("leads.post_add", object_type="lead", object_id=lead.pk)
    return post, True


@dataclass
class UploadReport:
    total: int = 0
    created: int = 0
    existing: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


COLUMNS = {
    "platform": ("platform", "平台"),
    "url": ("url", "链接"),
    "author": ("author", "作者"),
    "text": ("text", "内容"),
    "posted_at": ("posted_at", "发布时间"),
    "likes": ("likes", "点赞"),
    "comments": ("comments", "评论"),
    "shares": ("shares", "转发"),
    "views": ("views", "浏览"),
    "screenshots": ("screenshots", "截图"),
    "region": ("region", "区划"),
}


def posts_upload(*, actor: Actor | Any, rows: Iterable[dict[str, str]]) -> UploadReport:
    """Take in every row of a CSV/Excel file (English or Chinese headers); a bad row is
    reported with its number and skipped. Screenshots: links separated by spaces or ;."""
    actor = as_actor(actor)
    report = UploadReport()
    for n, row in enumerate(rows, start=1):
        report.total += 1
        values: dict[str, Any] = {}
        for key, names in COLUMNS.items():
            for name in names:
                if name in row:
                    values[key] = row[name]
                    break
        shots = (values.pop("screenshots", "") or "").replace(";", " ").split()
        try:
            _post, created = post_add(actor=actor, screenshots=shots, **values)
        except (Invalid, Forbidden) as exc:
            field_reasons = "；".join(f"{k}: {v}" for k, v in exc.fields.items())
            report.errors.append((n, field_reasons or exc.message))
            continue
        except TypeError:
            report.errors.append((n, gettext("缺少必需的列（平台、链接、内容、发布时间）")))
            continue
        if created:
            report.created += 1
        else:
            report.existing += 1
    return report


def _evidence(lead: Lead) -> str:
    lines = ["【网络舆情线索】"]
    for p in lead.posts.order_by("posted_at"):
        stamp = timezone.localtime(p.posted_at).strftime("%Y-%m-%d %H:%M")
        lines.append(
            f"{stamp} {p.platform} {p.author}（赞{p.likes} 评{p.comments} 转{p.shares}）{p.url}"
        )
        for shot in p.screenshots:
            lines.append(f"  截图：{shot}")
    return "\n".join(lines)


def lead_confirm(
    *,
    actor: Actor | Any,
    lead_id: int,
    category: int,
    region: int | None = None,
    description: str = "",
) -> Event:
    """Turn a lead into an event (source 网络舆情) whose description carries the posts as
    evidence; the event then runs the closed loop like any other. A dispatcher of the
    lead's region only (403 for anyone else who sees it, 404 for those who do not)."""
    from pingan.leads.selectors import lead_for_update

    actor = as_actor(actor)
    with transaction.atomic():
        lead = lead_for_update(user=actor, lead_id=lead_id)
        _check_decider(actor, lead)
        if lead.status != LeadStatus.NEW:
            raise Conflict(gettext("该线索已研判"))
        first = lead.posts.order_by("posted_at").first()
        body = (description or "").strip() or (first.text if first else lead.title)
        event, _created = event_report(
            actor=actor,
            category=category,
            title=lead.title[:60],
            description=f"{body}\n\n{_evidence(lead)}"[:5000],
            source=Source.ONLINE_OPINION,
            region=region or lead.region_id,
            occurred_at=lead.first_seen,
        )
        lead.status = LeadStatus.CONFIRMED
        lead.event = event
        lead.decided_by = actor.user
        lead.decided_at = clock.now()
        lead.save()
        actor.audit(
            "leads.confirm", object_type="lead", object_id=lead.pk, detail={"event": event.pk}
        )
    return event


def lead_dismiss(*, actor: Actor | Any, lead_id: int, note: str) -> Lead:
    """Close a lead without an event, with the reason (a dispatcher of its region: 403
    for anyone else who sees it, 404 for those who do not)."""
    from pingan.leads.selectors import lead_for_update

    note = (note or "").strip()
    actor = as_actor(actor)
    with transaction.atomic():
        lead = lead_for_update(user=actor, lead_id=lead_id)
        _check_decider(actor, lead)
        if lead.status != LeadStatus.NEW:
            raise Conflict(gettext("该线索已研判"))
        if not note:
            raise invalid("note", gettext("请填写不予处理的理由"))
        lead.status = LeadStatus.DISMISSED
        lead.note = note[:2000]
        lead.decided_by = actor.user
        lead.decided_at = clock.now()
        lead.save()
        actor.audit("leads.dismiss", object_type="lead", object_id=lead.pk)
    return lead
