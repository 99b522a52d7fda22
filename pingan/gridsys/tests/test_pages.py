"""The six systems' pages: meetings, reviews, scores with Excel export, ranking, patrols."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from pingan.api.tests.helpers import report
from pingan.core import clock
from pingan.events.services import event_transition
from pingan.gridsys.models import AfterReview, Meeting, RankingEntry
from pingan.patrols.services import patrol_finish, patrol_points_add, patrol_start

pytestmark = pytest.mark.django_db


def client_for(cast, user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _closed(cast):
    e = report(cast)
    event_transition(
        actor=cast.gridworker, event_id=e.pk, action="resolve_on_site", payload={"result": "已劝离"}
    )
    return e


def test_meeting_recorded_with_attendance_reviews_and_decisions(cast):
    e = _closed(cast)
    c = client_for(cast, cast.gridleader)
    r = c.post(
        "/grid/meetings/",
        {
            "region": cast.village_a.pk,
            "kind": "weekly",
            "title": "城东社区第45周网格例会",
            "held_at": "2026-11-02T09:00",
            "agenda": "一、上周事件复盘\n二、本周巡查安排",
            "present": "gw,gl",
            "absent": "gw-b",
            "reviews": f"{e.code}｜处置及时，群众满意",
            "decisions": f"加强楼道堆物巡查｜{e.code}｜gw｜2026-11-09",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    m = Meeting.objects.get()
    assert [(a.user.username, a.present) for a in m.attendance.order_by("user__username")] == [
        ("gl", True),
        ("gw", True),
        ("gw-b", False),
    ]
    assert m.reviews.get().event_id == e.pk
    d = m.decisions.get()
    assert (d.event_id, d.owner_id, d.due_on) == (e.pk, cast.gridworker.pk, dt.date(2026, 11, 9))
    page = c.get(f"/grid/meetings/{m.pk}/").content.decode()
    assert e.code in page and "加强楼道堆物巡查" in page
    # Town B's leader does not see it.
    assert client_for(cast, cast.leader_b).get(f"/grid/meetings/{m.pk}/").status_code == 404


def test_meeting_with_unknown_event_is_refused_whole(cast):
    c = client_for(cast, cast.gridleader)
    r = c.post(
        "/grid/meetings/",
        {
            "region": cast.village_a.pk,
            "kind": "weekly",
            "title": "例会",
            "held_at": "2026-11-02T09:00",
            "agenda": "复盘",
            "reviews": "330424-20261102-999999｜不存在",
        },
    )
    assert r.status_code == 200
    assert "事件不存在" in r.content.decode()
    assert not Meeting.objects.exists()


def test_after_review_only_on_closed_events(cast):
    open_event = report(cast)
    closed = _closed(cast)
    c = client_for(cast, cast.dispatcher)
    r = c.post(
        "/grid/reviews/",
        {
            "event_code": open_event.code,
            "findings": "未及时上报",
            "conclusion": "minor",
            "accountable_username": "gw",
        },
    )
    assert "只能对已办结的事件倒查" in r.content.decode()
    r = c.post(
        "/grid/reviews/",
        {
            "event_code": closed.code,
            "findings": "现场处置不彻底",
            "conclusion": "minor",
            "accountable_username": "gw",
        },
    )
    assert r.status_code == 302
    review = AfterReview.objects.get()
    assert (review.event_id, review.accountable_user_id) == (closed.pk, cast.gridworker.pk)
    # A fault needs someone accountable.
    r = c.post(
        "/grid/reviews/", {"event_code": closed.code, "findings": "x", "conclusion": "serious"}
    )
    assert "请指明责任人或责任部门" in r.content.decode()


def test_scores_page_and_excel(cast):
    report(cast)
    c = client_for(cast, cast.leader)
    month = clock.now().strftime("%Y-%m")
    page = c.get(f"/grid/scores/?month={month}").content.decode()
    assert "张网格" in page and "王网格" in page
    r = c.get(f"/grid/scores/?month={month}&format=xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("镇(街道)", "网格", "网格员")
    names = {row[2] for row in rows[1:]}
    assert names == {"张网格", "王网格"}
    town_b = client_for(cast, cast.leader_b).get(f"/grid/scores/?month={month}").content.decode()
    assert "王网格" in town_b and "张网格" not in town_b


def test_ranking_publish_from_page(cast):
    c = client_for(cast, cast.leader)
    quarter = "2026Q4"
    r = c.post("/grid/ranking/", {"quarter": quarter, "town": cast.town_a.pk, "publish": "1"})
    assert r.status_code == 302
    assert RankingEntry.objects.filter(quarter=quarter, town=cast.town_a).count() == 1
    # A grid leader may look but not publish.
    r = client_for(cast, cast.gridleader).post(
        "/grid/ranking/", {"quarter": quarter, "town": cast.town_b.pk, "publish": "1"}
    )
    assert not RankingEntry.objects.filter(town=cast.town_b).exists()


def test_patrols_page_lists_the_day(cast):
    now = clock.now()
    p, _ = patrol_start(
        actor=cast.gridworker, client_uuid=uuid.uuid4(), started_at=now - dt.timedelta(minutes=20)
    )
    patrol_points_add(
        actor=cast.gridworker, patrol_id=p.pk, points=[{"lat": 30.525, "lng": 120.945, "at": now}]
    )
    patrol_finish(actor=cast.gridworker, patrol_id=p.pk)
    page = client_for(cast, cast.gridleader).get("/grid/patrols/").content.decode()
    assert f'data-patrol="{p.pk}"' in page
    other = client_for(cast, cast.leader_b).get("/grid/patrols/").content.decode()
    assert f'data-patrol="{p.pk}"' not in other


def test_a_patrol_across_midnight_is_listed_on_both_days(cast):
    # 23:40 to 00:30 local time, ending last night: the leader looking at either day sees it.
    first_day = timezone.localdate(clock.now()) - dt.timedelta(days=2)
    start = timezone.make_aware(dt.datetime.combine(first_day, dt.time(23, 40)))
    p, _ = patrol_start(actor=cast.gridworker, client_uuid=uuid.uuid4(), started_at=start)
    patrol_points_add(
        actor=cast.gridworker,
        patrol_id=p.pk,
        points=[{"lat": 30.525, "lng": 120.945, "at": start + dt.timedelta(minutes=50)}],
    )
    with clock.frozen(start + dt.timedelta(minutes=50)):
        patrol_finish(actor=cast.gridworker, patrol_id=p.pk)
    leader = client_for(cast, cast.gridleader)
    mark = f'data-patrol="{p.pk}"'
    for day in (first_day, first_day + dt.timedelta(days=1)):
        assert mark in leader.get(f"/grid/patrols/?day={day.isoformat()}").content.decode()
    after = first_day + dt.timedelta(days=2)
    assert mark not in leader.get(f"/grid/patrols/?day={after.isoformat()}").content.decode()
