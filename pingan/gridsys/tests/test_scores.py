"""Floating pay and ranking on a small cast, computed by hand.

October 2026, default weights (base 60; report 1, valid report 2, on-time verification 2,
follow-up 1, patrol day 1, settled on site 3, rejected/merged report −2, accountable
review −10) and bands ≥70 → 1.10, ≥55 → 1.00, below → 0.90:

  张网格 (gw, town A): 3 reports (1 accepted, 1 rejected, 1 settled on site), 1 on-time
      verification, 1 follow-up, 2 patrols on one day
      = 60 + 3·1 + 2·2 + 1·2 + 1·1 + 1·1 + 1·3 − 1·2 = 72 → 1.10, rank 1 of 2
  网格二 (gw2, town A): 1 accepted report, named accountable in one review
      = 60 + 1 + 2 − 10 = 53 → 0.90, rank 2 of 2
  王网格 (gw-b, town B): nothing = 60 → 1.00, rank 1 of 1
The grid police officer attached to grid a1 works its events but is not scored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from pingan.core import clock
from pingan.events.services import event_report, event_transition
from pingan.gridsys import scoring
from pingan.gridsys.choices import OfficerKind
from pingan.gridsys.models import Appeal, PayBand, RankingEntry, ScoreSettings, Warning
from pingan.gridsys.services import (
    after_review_record,
    appeal_decide,
    appeal_submit,
    officer_attach,
    ranking_publish,
)
from pingan.org.choices import Role
from pingan.org.services import membership_grant, user_upsert
from pingan.patrols.services import patrol_finish, patrol_points_add, patrol_start

pytestmark = pytest.mark.django_db

OCT = dt.date(2026, 10, 1)


def at(day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 10, day, hour, 0))


def _report(cast, user, point="point_a1"):
    lat, lng = getattr(cast, point)
    return event_report(
        actor=user, category=cast.neighbour.pk, description="楼道堆放杂物", lat=lat, lng=lng
    )[0]


def _patrol(user, start):
    p, _ = patrol_start(actor=user, client_uuid=uuid.uuid4(), started_at=start)
    patrol_points_add(
        actor=user,
        patrol_id=p.pk,
        points=[{"lat": 30.525, "lng": 120.945, "at": start + dt.timedelta(minutes=5)}],
    )
    patrol_finish(actor=user, patrol_id=p.pk, finished_at=start + dt.timedelta(minutes=30))


@pytest.fixture
def month(cast):
    gw2 = user_upsert(username="gw2", name="网格二", password=cast.password)
    membership_grant(user=gw2, role=Role.GRID_WORKER, region=cast.grid_a2)
    officer = user_upsert(username="police-a1", name="网格民警", password=cast.password)
    PayBand.objects.create(min_score=70, coefficient=Decimal("1.10"))
    PayBand.objects.create(min_score=55, coefficient=Decimal("1.00"))
    PayBand.objects.create(min_score=0, coefficient=Decimal("0.90"))
    gw, d = cast.gridworker, cast.dispatcher
    with clock.frozen(at(15)):
        officer_attach(
            actor=cast.sysadmin, user=officer, grid=cast.grid_a1, kind=OfficerKind.POLICE
        )
        accepted = _report(cast, gw)
        event_transition(actor=d, event_id=accepted.pk, action="accept")
        rejected = _report(cast, gw)
        event_transition(actor=d, event_id=rejected.pk, action="reject", payload={"note": "重复"})
        settled = _report(cast, gw)
        event_transition(
            actor=gw, event_id=settled.pk, action="resolve_on_site", payload={"result": "已劝离"}
        )
        # An event the centre took in: handled by the police, verified and followed up by gw.
        e = _report(cast, d)
        event_transition(actor=d, event_id=e.pk, action="accept")
        event_transition(
            actor=d, event_id=e.pk, action="dispatch", payload={"lead_department": cast.police.pk}
        )
        event_transition(actor=cast.handler, event_id=e.pk, action="acknowledge")
        event_transition(
            actor=cast.handler, event_id=e.pk, action="resolve", payload={"result": "已清理"}
        )
        event_transition(actor=gw, event_id=e.pk, action="verify", payload={"passed": True})
        event_transition(
            actor=gw, event_id=e.pk, action="follow_up", payload={"satisfaction": "satisfied"}
        )
        _patrol(gw, at(15, 8))
        _patrol(gw, at(15, 9))
        a2 = _report(cast, gw2, "point_a2")
        event_transition(actor=d, event_id=a2.pk, action="accept")
        after_review_record(
            actor=d,
            event_id=e.pk,
            findings="网格员二未及时发现同类隐患",
            conclusion="minor",
            accountable_user=gw2,
        )
    return {"gw2": gw2, "officer": officer, "closed": e}


def _by_user(rows):
    return {r.user_id: r for r in rows}


def test_scores_by_hand(cast, month):
    rows = _by_user(scoring.monthly_scores(OCT))
    gw, gw2, gwb = cast.gridworker.pk, month["gw2"].pk, cast.gridworker_b.pk
    assert set(rows) == {gw, gw2, gwb}  # the officer is not scored
    assert rows[gw].parts == {
        "reports": 3,
        "verified_reports": 2,
        "verify_on_time": 1,
        "follow_ups": 1,
        "patrol_days": 1,
        "on_site": 1,
        "poor_reports": 1,
        "review_findings": 0,
    }
    assert [
        (rows[u].score, rows[u].rank, rows[u].of, rows[u].pay_coefficient) for u in (gw, gw2, gwb)
    ] == [
        (72.0, 1, 2, Decimal("1.10")),
        (53.0, 2, 2, Decimal("0.90")),
        (60.0, 1, 1, Decimal("1.00")),
    ]
    # Nothing counts in another month.
    assert {r.score for r in scoring.monthly_scores(dt.date(2026, 9, 1))} == {60.0}


def test_changing_weights_changes_scores_as_documented(cast, month):
    s = ScoreSettings.objects.get_or_create(pk=1)[0]
    s.w_poor_reports = -20  # gw: 72 − 18 = 54
    s.w_review_findings = 0  # gw2: 53 + 10 = 63
    s.save()
    rows = _by_user(scoring.monthly_scores(OCT))
    gw, gw2 = cast.gridworker.pk, month["gw2"].pk
    assert (rows[gw].score, rows[gw].rank, rows[gw].pay_coefficient) == (54.0, 2, Decimal("0.90"))
    assert (rows[gw2].score, rows[gw2].rank, rows[gw2].pay_coefficient) == (
        63.0,
        1,
        Decimal("1.00"),
    )


def test_api_scores_within_scope(cast, month, api_as):
    rows = api_as(cast.leader).get("/grid-workers/scores", month="2026-10").json()
    assert {(r["user"], r["score"], r["rank"], r["pay_coefficient"]) for r in rows} == {
        (cast.gridworker.pk, 72.0, 1, 1.10),
        (month["gw2"].pk, 53.0, 2, 0.90),
        (cast.gridworker_b.pk, 60.0, 1, 1.00),
    }
    parts = {r["user"]: r["parts"] for r in rows}
    assert parts[cast.gridworker.pk]["reports"] == 3
    town_b = api_as(cast.leader_b).get("/grid-workers/scores", month="2026-10").json()
    assert [r["user"] for r in town_b] == [cast.gridworker_b.pk]
    grid_a2 = (
        api_as(cast.leader)
        .get("/grid-workers/scores", month="2026-10", region=cast.grid_a2.pk)
        .json()
    )
    assert [(r["user"], r["rank"], r["of"]) for r in grid_a2] == [(month["gw2"].pk, 2, 2)]
    own = api_as(cast.gridworker).get("/grid-workers/scores", month="2026-10").json()
    assert [r["user"] for r in own] == [cast.gridworker.pk]
    assert (
        api_as(cast.leader_b)
        .get("/grid-workers/scores", month="2026-10", region=cast.town_a.pk)
        .status_code
        == 404
    )
    bad = api_as(cast.leader).get("/grid-workers/scores", month="2026-13")
    assert bad.status_code == 422 and "month" in bad.json()["error"]["fields"]


def test_quarter_ranking_warning_and_appeal(cast, month):
    entries = ranking_publish(actor=cast.leader, quarter="2026Q4", town=cast.town_a)
    # Quarter = Oct + Nov + Dec: gw 72 + 60 + 60, gw2 53 + 60 + 60.
    assert [(e.user_id, e.score, e.rank) for e in entries] == [
        (cast.gridworker.pk, 192.0, 1),
        (month["gw2"].pk, 173.0, 2),
    ]
    warning = Warning.objects.get()
    assert warning.entry.user_id == month["gw2"].pk
    appeal = appeal_submit(actor=month["gw2"], warning_id=warning.pk, text="倒查责任认定有误")
    with pytest.raises(Exception, match="待裁定"):
        appeal_submit(actor=month["gw2"], warning_id=warning.pk, text="再次申诉")
    decided = appeal_decide(
        actor=cast.leader, appeal_id=appeal.pk, upheld=True, decision="撤销预警"
    )
    assert decided.status == "upheld"
    assert Appeal.objects.get().decided_by_id == cast.leader.pk
    with pytest.raises(Exception, match="已发布"):
        ranking_publish(actor=cast.leader, quarter="2026Q4", town=cast.town_a)
    assert RankingEntry.objects.count() == 2


def test_officer_works_the_grid(cast, month, api_as):
    officer = month["officer"]
    seen = api_as(officer).get("/events", page_size=50).json()
    assert seen["count"] > 0
    assert all(e["region"] == cast.grid_a1.pk for e in seen["items"])
    assert api_as(officer).get(f"/events/{month['closed'].pk}").status_code == 200
