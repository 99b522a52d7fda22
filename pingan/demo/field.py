"""Demo data for the field app and the six systems, on top of the demo county's events:
patrols with tracks and visits, monthly work meetings, after-the-fact reviews, pay bands,
and a published quarterly ranking. Everything goes through the services, at the times it
happened (`clock.frozen`). Re-running adds nothing for workers who already patrol."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils import timezone
from shapely.geometry import Point

from pingan.core import clock
from pingan.core.errors import DomainError
from pingan.events.choices import Status
from pingan.events.models import Event
from pingan.geo.choices import Level
from pingan.geo.geometry import to_shape
from pingan.geo.models import Region
from pingan.geo.scope import within_q
from pingan.gridsys import scoring, services
from pingan.gridsys.models import AfterReview, Meeting, PayBand, RankingEntry
from pingan.org.choices import Role
from pingan.org.models import Membership
from pingan.patrols.models import Patrol
from pingan.patrols.services import (
    patrol_finish,
    patrol_points_add,
    patrol_start,
    patrol_visit_add,
)

BANDS = [(90, "1.20", "优秀"), (75, "1.10", "良好"), (60, "1.00", "合格"), (0, "0.85", "待改进")]
VISITS = [
    ("household", "{}幢{}0{}室"),
    ("key_place", "沿街店铺{}号"),
    ("key_person", "重点关爱对象{}"),
]


@dataclass
class FieldDemoReport:
    patrols: int = 0
    meetings: int = 0
    reviews: int = 0
    ranked: int = 0


def _walk(rng: random.Random, grid: Region, n: int) -> list[tuple[float, float]]:
    """A random walk of n points (about 12 m apart) that stays inside the grid."""
    # Callers pass grids with a geometry; Region.save sets lat/lng from it.
    assert grid.geometry is not None and grid.lat is not None and grid.lng is not None
    shape = to_shape(grid.geometry)
    lat, lng = grid.lat, grid.lng
    heading = rng.uniform(0, 6.283)
    out = []
    for _ in range(n):
        for _try in range(8):
            step = 0.00011
            nlat = lat + step * math.cos(heading)
            nlng = lng + step * math.sin(heading) / math.cos(math.radians(lat))
            if shape.contains(Point(nlng, nlat)):
                lat, lng = nlat, nlng
                break
            heading = rng.uniform(0, 6.283)
        heading += rng.uniform(-0.5, 0.5)
        out.append((lat, lng))
    return out


def _local(day: dt.date, hour: float) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hour))


def build_field_demo(
    *,
    workers: int = 20,
    months: int = 3,
    seed: int = 2026,
    progress: Callable[[str], None] = lambda s: None,
) -> FieldDemoReport:
    rng = random.Random(seed)
    report = FieldDemoReport()
    if not PayBand.objects.exists():
        for low, coef, label in BANDS:
            PayBand.objects.create(min_score=low, coefficient=Decimal(coef), label=label)
    scoring.score_settings()
    end = Event.objects.aggregate(m=Max("reported_at"))["m"] or clock.now()
    end_day = timezone.localtime(end).date()
    start_day = (end_day.replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    chosen = [w for w in scoring.grid_workers() if w.grid.geometry][:workers]
    progress(f"巡查：{len(chosen)} 名网格员，{start_day} 至 {end_day}")

    for w in chosen:
        if Patrol.objects.filter(user_id=w.user_id).exists():
            continue
        membership = Membership.objects.filter(user_id=w.user_id).select_related("user").first()
        assert membership is not None  # grid_workers() found the worker by a membership
        user = membership.user
        day = start_day
        while day <= end_day:
            if day.weekday() < 5 and rng.random() < 0.45:
                began = _local(day, rng.uniform(8.5, 15.5))
                n = rng.randint(60, 240)
                coords = _walk(rng, w.grid, n)
                finished = began + dt.timedelta(seconds=10 * n + 30)
                with clock.frozen(finished):
                    p, _ = patrol_start(actor=user, client_uuid=uuid.uuid4(), started_at=began)
                    patrol_points_add(
                        actor=user,
                        patrol_id=p.pk,
                        points=[
                            {"lat": la, "lng": ln, "at": began + dt.timedelta(seconds=10 * i)}
                            for i, (la, ln) in enumerate(coords)
                        ],
                    )
                    for _ in range(rng.randint(0, 2)):
                        kind, pattern = rng.choice(VISITS)
                        la, ln = rng.choice(coords)
                        patrol_visit_add(
                            actor=user,
                            patrol_id=p.pk,
                            client_uuid=uuid.uuid4(),
                            kind=kind,
                            target=pattern.format(
                                rng.randint(1, 30), rng.randint(1, 6), rng.randint(1, 4)
                            ),
                            note="情况正常",
                            lat=la,
                            lng=ln,
                            at=began + dt.timedelta(minutes=rng.randint(1, 20)),
                        )
                    patrol_finish(actor=user, patrol_id=p.pk, finished_at=finished)
                report.patrols += 1
            day += dt.timedelta(days=1)

    # Monthly meetings in the villages of the chosen workers, chaired by a grid leader.
    villages: dict[int, tuple[Region, list[scoring.Worker]]] = {}
    for w in chosen:
        village = Region.objects.filter(
            code__in=w.grid.ancestor_codes(), level=Level.VILLAGE
        ).first()
        if village is not None:
            villages.setdefault(village.pk, (village, []))[1].append(w)
    for village, members in villages.values():
        chair = (
            Membership.objects.filter(
                role__in=[Role.GRID_LEADER, Role.DISPATCHER, Role.LEADER],
                is_active=True,
                region__path__in=[
                    f"{'/'.join(village.ancestor_codes()[:i])}/" for i in range(1, 5)
                ],
            )
            .select_related("user")
            .order_by("-region__depth")
            .first()
        )
        if chair is None or Meeting.objects.filter(region=village).exists():
            continue
        month = start_day
        while month <= end_day:
            held = _local(month + dt.timedelta(days=(7 - month.weekday()) % 7), 9)
            if held > end:
                break
            closed = list(
                Event.objects.filter(
                    within_q("region_path", [village.path]),
                    status=Status.CLOSED,
                    closed_at__lt=held,
                    closed_at__gte=held - dt.timedelta(days=31),
                )[:2]
            )
            with clock.frozen(held + dt.timedelta(hours=2)):
                try:
                    services.meeting_record(
                        actor=chair.user,
                        region=village,
                        kind="monthly",
                        title=f"{village.name}{held:%Y年%m月}网格工作例会",
                        held_at=held,
                        agenda="一、上月事件微复盘\n二、重点人员与场所走访安排\n三、考核情况通报",
                        minutes="会议复盘了上月事件，部署了本月巡查重点。",
                        attendees=[(_user(m.user_id), rng.random() > 0.1) for m in members],
                        reviews=[(e.pk, "处置及时，闭环完整") for e in closed],
                        decisions=[
                            {
                                "text": "加强同类隐患巡查",
                                "event": e.pk,
                                "owner": _user(members[0].user_id),
                                "due_on": held.date() + dt.timedelta(days=14),
                            }
                            for e in closed[:1]
                        ],
                    )
                    report.meetings += 1
                except DomainError:
                    pass
            month = (month + dt.timedelta(days=32)).replace(day=1)

    # After-the-fact reviews on a few closed events of those villages.
    for village, _members in villages.values():
        reviewer = (
            Membership.objects.filter(role=Role.DISPATCHER, is_active=True)
            .filter(
                region__path__in=[f"{'/'.join(village.ancestor_codes()[:i])}/" for i in range(1, 4)]
            )
            .select_related("user")
            .first()
        )
        if reviewer is None:
            continue
        closed_events = Event.objects.filter(
            within_q("region_path", [village.path]),
            status=Status.CLOSED,
            closed_at__date__gte=start_day,
        ).select_related("reporter")
        for e in closed_events:
            if rng.random() > 0.08 or AfterReview.objects.filter(event=e).exists():
                continue
            fault = rng.random()
            conclusion = "no_fault" if fault < 0.7 else ("minor" if fault < 0.95 else "serious")
            accountable = e.reporter if conclusion != "no_fault" else None
            if conclusion != "no_fault" and accountable is None:
                conclusion = "no_fault"
            assert e.closed_at is not None  # filtered on closed_at__date__gte
            with clock.frozen(min(e.closed_at + dt.timedelta(days=7), end)):
                try:
                    services.after_review_record(
                        actor=reviewer.user,
                        event_id=e.pk,
                        findings="核查处置过程与群众反馈"
                        if conclusion == "no_fault"
                        else "发现不及时，上报信息不全",
                        conclusion=conclusion,
                        accountable_user=accountable,
                        measures="" if conclusion == "no_fault" else "约谈提醒，纳入月度考核",
                    )
                    report.reviews += 1
                except DomainError:
                    pass

    # Publish the last complete quarter for the towns of the chosen workers.
    q_end = end_day.replace(day=1) - dt.timedelta(days=1)
    while q_end.month % 3:
        q_end = q_end.replace(day=1) - dt.timedelta(days=1)
    quarter = f"{q_end.year}Q{(q_end.month - 1) // 3 + 1}"
    leader = (
        Membership.objects.filter(role=Role.LEADER, region__level=Level.COUNTY)
        .select_related("user")
        .first()
    )
    towns = {w.town.pk: w.town for w in chosen if w.town}
    if leader is not None:
        for town in towns.values():
            if RankingEntry.objects.filter(quarter=quarter, town=town).exists():
                continue
            with (
                clock.frozen(_local(q_end + dt.timedelta(days=5), 10)),
                contextlib.suppress(DomainError),
            ):
                report.ranked += len(
                    services.ranking_publish(actor=leader.user, quarter=quarter, town=town)
                )
    progress(
        f"巡查 {report.patrols} 次，例会 {report.meetings} 次，倒查 {report.reviews} 件，"
        f"{quarter} 排名 {report.ranked} 人"
    )
    return report


def _user(pk: int) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=pk)
