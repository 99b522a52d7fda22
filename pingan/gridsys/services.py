"""Writes of the six systems. Each is one transaction; 404 out of scope, 403 wrong role,
409 impossible now, 422 bad fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from pingan.access.actor import Actor, as_actor
from pingan.core import clock
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.events.choices import Status
from pingan.events.models import Event
from pingan.events.permissions import access_event
from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.gridsys import scoring
from pingan.gridsys.choices import AppealStatus, MeetingKind, OfficerKind, ReviewConclusion
from pingan.gridsys.models import (
    AfterReview,
    Appeal,
    GridOfficer,
    Meeting,
    MeetingAttendance,
    MeetingDecision,
    MeetingReview,
    RankingEntry,
    Warning,
)
from pingan.gridsys.permissions import (
    can_decide_appeal,
    can_manage_officers,
    can_publish_ranking,
    can_record_meeting,
    can_review_event,
)
from pingan.org.choices import Role
from pingan.org.models import Membership
from pingan.org.services import membership_grant


def _text(value: Any, field: str, label: str, max_len: int = 5000, required: bool = True) -> str:
    v = (value or "").strip() if isinstance(value, str) or value is None else None
    if v is None:
        raise invalid(field, gettext("%(label)s应为文字") % {"label": label})
    if required and not v:
        raise invalid(field, gettext("请填写%(label)s") % {"label": label})
    if len(v) > max_len:
        raise invalid(field, gettext("%(label)s不能超过%(n)s字") % {"label": label, "n": max_len})
    return v


# ---- (a) grid fusion ------------------------------------------------------------------


def officer_attach(
    *, actor: Actor | Any, user: Any, grid: Region, kind: str, since: dt.date | None = None
) -> GridOfficer:
    """Attach `user` as an officer (grid police, legal adviser, …) to a grid, as `actor`: a
    grid-worker membership on the grid lets them see and work its events through the one
    scope filter; the `GridOfficer` row says what they are (and keeps them out of scoring)."""
    actor = as_actor(actor)
    if not can_manage_officers(actor, grid):
        raise Forbidden(gettext("只有管理员或上级领导可以安排入格力量"))
    if grid.level != Level.GRID:
        raise invalid("grid", gettext("请选择网格"))
    if kind not in OfficerKind.values:
        raise invalid("kind", gettext("力量类型不正确"))
    with transaction.atomic():
        membership = membership_grant(user=user, role=Role.GRID_WORKER, region=grid)
        officer, _ = GridOfficer.objects.update_or_create(
            user=user,
            grid=grid,
            kind=kind,
            defaults={
                "membership": membership,
                "is_active": True,
                "since": since or timezone.localdate(clock.now()),
            },
        )
        actor.audit(
            "gridsys.officer_attach",
            object_type="grid",
            object_id=grid.pk,
            detail={"user": user.pk, "kind": kind},
        )
    return officer


def officer_detach(*, actor: Actor | Any, officer: GridOfficer) -> None:
    """Take an officer off their grid (and end the grid-worker membership it gave them)."""
    actor = as_actor(actor)
    if not can_manage_officers(actor, officer.grid):
        raise Forbidden(gettext("只有管理员或上级领导可以调整入格力量"))
    with transaction.atomic():
        officer.is_active = False
        officer.save(update_fields=["is_active"])
        if officer.membership_id:
            Membership.objects.filter(pk=officer.membership_id).update(is_active=False)
        actor.audit(
            "gridsys.officer_detach",
            object_type="grid",
            object_id=officer.grid_id,
            detail={"user": officer.user_id},
        )


# ---- (b) work meetings ----------------------------------------------------------------


def meeting_record(
    *,
    actor: Actor | Any,
    region: Region,
    kind: str,
    title: str,
    held_at: dt.datetime,
    agenda: str,
    place: str = "",
    minutes: str = "",
    attendees: list[tuple[Any, bool]] | None = None,
    reviews: list[tuple[int, str]] | None = None,
    decisions: list[dict[str, Any]] | None = None,
) -> Meeting:
    """Record a meeting with its attendance, the events reviewed and the decisions (each
    decision may name an event and an owner). Events must be in the actor's scope."""
    actor = as_actor(actor)
    if actor.user is None or not can_record_meeting(actor, region):
        raise Forbidden(gettext("您不能为该区划记录例会"))
    if kind not in MeetingKind.values:
        raise invalid("kind", gettext("会议类型不正确"))
    title = _text(title, "title", gettext("会议名称"), 200)
    agenda = _text(agenda, "agenda", gettext("议程"))
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            region=region,
            region_path=region.path,
            kind=kind,
            title=title,
            held_at=held_at,
            place=_text(place, "place", gettext("地点"), 200, required=False),
            agenda=agenda,
            minutes=_text(minutes, "minutes", gettext("会议纪要"), 20000, required=False),
            created_by=actor.user,
        )
        for person, present in attendees or []:
            MeetingAttendance.objects.get_or_create(
                meeting=meeting, user=person, defaults={"present": present}
            )
        for event_id, summary in reviews or []:
            try:
                event = access_event(actor, int(event_id))
            except (NotFound, TypeError, ValueError):
                raise invalid(
                    "reviews", gettext("事件%(code)s不存在") % {"code": event_id}
                ) from None
            MeetingReview.objects.create(
                meeting=meeting, event=event, summary=_text(summary, "reviews", gettext("复盘意见"))
            )
        for d in decisions or []:
            decided: Event | None = None
            if d.get("event"):
                try:
                    decided = access_event(actor, int(d["event"]))
                except (NotFound, TypeError, ValueError):
                    raise invalid(
                        "decisions", gettext("事件%(code)s不存在") % {"code": d["event"]}
                    ) from None
            MeetingDecision.objects.create(
                meeting=meeting,
                text=_text(d.get("text"), "decisions", gettext("议定事项")),
                event=decided,
                owner=d.get("owner"),
                due_on=d.get("due_on"),
            )
        actor.audit("gridsys.meeting", object_type="meeting", object_id=meeting.pk)
    return meeting


# ---- (d) after-the-fact review --------------------------------------------------------


def after_review_record(
    *,
    actor: Actor | Any,
    event_id: int,
    findings: str,
    conclusion: str,
    accountable_user: Any = None,
    accountable_department: Any = None,
    measures: str = "",
) -> AfterReview:
    """Record the after-the-fact review (倒查) of a closed event in `actor`'s scope."""
    actor = as_actor(actor)
    event = access_event(actor, event_id)
    if actor.user is None or not can_review_event(actor, event):
        raise Forbidden(gettext("只有受理中心或领导可以倒查"))
    if event.status != Status.CLOSED:
        raise Conflict(gettext("只能对已办结的事件倒查"))
    if conclusion not in ReviewConclusion.values:
        raise invalid("conclusion", gettext("结论不正确"))
    if (
        conclusion != ReviewConclusion.NO_FAULT
        and accountable_user is None
        and accountable_department is None
    ):
        raise invalid("accountable_user", gettext("有过错时请指明责任人或责任部门"))
    with transaction.atomic():
        review = AfterReview.objects.create(
            event=event,
            region_path=event.region_path,
            reviewer=actor.user,
            reviewed_at=clock.now(),
            findings=_text(findings, "findings", gettext("倒查发现")),
            conclusion=conclusion,
            accountable_user=accountable_user,
            accountable_department=accountable_department,
            measures=_text(measures, "measures", gettext("处理措施"), required=False),
        )
        actor.audit(
            "gridsys.after_review",
            object_type="event",
            object_id=event.pk,
            detail={"review": review.pk, "conclusion": conclusion},
        )
    return review


# ---- (f) ranking, warnings, appeals ---------------------------------------------------


def ranking_publish(*, actor: Actor | Any, quarter: str, town: Region) -> list[RankingEntry]:
    """Publish a town's quarterly ranking and warn its bottom ranks (ScoreSettings.warn_bottom)."""
    if town.level != Level.TOWN:
        raise invalid("town", gettext("请选择镇(街道)"))
    actor = as_actor(actor)
    if actor.user is None or not can_publish_ranking(actor, town):
        raise Forbidden(gettext("只有领导可以发布排名"))
    try:
        rows = scoring.quarterly_scores(quarter, towns=[town])
    except ValueError:
        raise invalid("quarter", gettext("季度格式应为 2026Q3")) from None
    if RankingEntry.objects.filter(quarter=quarter.upper(), town=town).exists():
        raise Conflict(gettext("该季度排名已发布"))
    if not rows:
        raise Conflict(gettext("该镇没有参评网格员"))
    bottom = scoring.score_settings().warn_bottom
    now = clock.now()
    worst_ranks = sorted({r.rank for r in rows}, reverse=True)[:bottom] if bottom else []
    entries = []
    with transaction.atomic():
        for r in rows:
            entry = RankingEntry.objects.create(
                quarter=quarter.upper(),
                town=town,
                user_id=r.user_id,
                grid_id=r.grid_id,
                score=r.score,
                rank=r.rank,
                of=r.of,
                published_by=actor.user,
                published_at=now,
            )
            if r.rank in worst_ranks and r.rank > 1:
                Warning.objects.create(
                    entry=entry, reason=f"季度排名第{r.rank}/{r.of}名，列末位", issued_at=now
                )
            entries.append(entry)
        actor.audit(
            "gridsys.ranking_publish",
            object_type="region",
            object_id=town.pk,
            detail={"quarter": quarter.upper(), "n": len(entries)},
        )
    return entries


def appeal_submit(*, actor: Actor | Any, warning_id: int, text: str) -> Appeal:
    """The warned grid worker appeals against their own warning (one pending at a time)."""
    actor = as_actor(actor)
    if actor.user is None:  # anonymous: has no warnings
        raise NotFound(gettext("预警不存在"))
    warning = (
        Warning.objects.select_related("entry")
        .filter(pk=warning_id, entry__user=actor.user)
        .first()
    )
    if warning is None:
        raise NotFound(gettext("预警不存在"))
    text = _text(text, "text", gettext("申诉理由"))
    if warning.appeals.filter(status=AppealStatus.PENDING).exists():
        raise Conflict(gettext("已有待裁定的申诉"))
    with transaction.atomic():
        appeal = Appeal.objects.create(
            warning=warning, text=text, submitted_by=actor.user, submitted_at=clock.now()
        )
        actor.audit("gridsys.appeal", object_type="warning", object_id=warning.pk)
    return appeal


def appeal_decide(*, actor: Actor | Any, appeal_id: int, upheld: bool, decision: str) -> Appeal:
    """A leader over the ranking's town upholds or rejects an appeal (404 for anyone else)."""
    actor = as_actor(actor)
    appeal = Appeal.objects.select_related("warning__entry__town").filter(pk=appeal_id).first()
    if appeal is None or not can_decide_appeal(actor, appeal):
        raise NotFound(gettext("申诉不存在"))
    if appeal.status != AppealStatus.PENDING:
        raise Conflict(gettext("该申诉已裁定"))
    with transaction.atomic():
        appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
        appeal.decision = _text(decision, "decision", gettext("裁定意见"))
        appeal.decided_by = actor.user
        appeal.decided_at = clock.now()
        appeal.save()
        actor.audit(
            "gridsys.appeal_decide",
            object_type="appeal",
            object_id=appeal.pk,
            detail={"upheld": upheld},
        )
    return appeal
