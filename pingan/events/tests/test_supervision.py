"""督办件: levels, reply deadlines, the department's reply, the list and the counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pingan.analytics import briefings
from pingan.core import clock
from pingan.core.errors import Conflict, Invalid
from pingan.events.models import Supervision, SupervisionLevel, SupervisionStatus
from pingan.events.services import allowed_actions
from pingan.events.supervision import (
    OVERDUE,
    reply_due,
    state_of,
    supervision_counts,
    supervision_list,
)
from pingan.notifications.models import Notification
from pingan.sla.tests.helpers import act, at, dispatched, report

MON = at(2026, 6, 1, 10)  # a working Monday


def _told(e, action):
    return set(
        Notification.objects.filter(event_id=e.pk, kind=action).values_list(
            "recipient__username", flat=True
        )
    )


def test_levels_have_their_own_reply_allowance(cast, settings):
    settings.PINGAN_SUPERVISION_REPLY_DAYS = {"normal": 3, "key": 1}
    e = dispatched(cast, MON, lead=cast.police)
    act(cast.leader, e, "supervise", MON, note="请加快办理", level="key")
    act(cast.leader, e, "supervise", MON, note="一般督办")
    key, normal = Supervision.objects.filter(event=e).order_by("id")
    assert (key.level, normal.level) == (SupervisionLevel.KEY, SupervisionLevel.NORMAL)
    # Working days: the close of Tuesday for one, of Thursday for three.
    assert key.reply_due_at == reply_due("key", MON) == at(2026, 6, 2, 17, 30)
    assert normal.reply_due_at == at(2026, 6, 4, 17, 30)
    assert key.department_id == cast.police.pk and key.issued_by_id == cast.leader.pk
    assert key.status == SupervisionStatus.OPEN


def test_reply_days_override_and_bad_input_change_nothing(cast):
    e = dispatched(cast, MON, lead=cast.police)
    act(cast.leader, e, "supervise", MON, note="限期回复", reply_days=5)
    assert Supervision.objects.get(event=e).reply_due_at == at(2026, 6, 8, 17, 30)
    for payload, field in [
        ({"note": "督办", "level": "red"}, "level"),
        ({"note": "督办", "reply_days": 99}, "reply_days"),
        ({"note": "督办", "department": cast.market.pk}, "department"),
        ({"level": "key"}, "note"),
    ]:
        with pytest.raises(Invalid) as err:
            act(cast.leader, e, "supervise", MON, **payload)
        assert set(err.value.fields) == {field}
    assert Supervision.objects.filter(event=e).count() == 1


def test_the_department_replies_and_the_issuer_is_told(cast, django_capture_on_commit_callbacks):
    e = dispatched(cast, MON, lead=cast.police, assisting=[cast.market])
    with django_capture_on_commit_callbacks(execute=True):
        act(cast.leader, e, "supervise", MON, note="请三日内回复", level="normal")
    assert "h-police" in _told(e, "supervise")
    # Only the supervised department has the reply button.
    assert "reply_supervision" in {r.action for r in allowed_actions(cast.handler, e)}
    assert "reply_supervision" not in {r.action for r in allowed_actions(cast.handler_market, e)}
    with pytest.raises(Conflict):
        act(cast.handler_market, e, "reply_supervision", MON, reply="不归我们")
    with pytest.raises(Invalid) as err:
        act(cast.handler, e, "reply_supervision", MON, reply="  ")
    assert set(err.value.fields) == {"reply"}

    later = at(2026, 6, 2, 9)
    with django_capture_on_commit_callbacks(execute=True):
        act(cast.handler, e, "reply_supervision", later, reply="已约谈双方，周三前清理")
    order = Supervision.objects.get(event=e)
    assert order.status == SupervisionStatus.REPLIED
    assert (order.replied_at, order.replied_by_id) == (later, cast.handler.pk)
    assert order.reply == "已约谈双方，周三前清理"
    assert _told(e, "reply_supervision") == {"leader"}
    assert "reply_supervision" not in {r.action for r in allowed_actions(cast.handler, e)}


def test_an_undispatched_event_is_supervised_at_the_centre(cast):
    e = report(cast, MON)
    act(cast.leader, e, "supervise", MON, note="尽快受理")
    order = Supervision.objects.get(event=e)
    assert order.department_id is None
    act(cast.dispatcher, e, "reply_supervision", MON, reply="已受理")
    order.refresh_from_db()
    assert order.status == SupervisionStatus.REPLIED


def test_overdue_is_read_from_the_time_and_counted_in_scope(cast):
    e = dispatched(cast, MON, lead=cast.police)
    act(cast.leader, e, "supervise", MON, note="重点督办", level="key")
    act(cast.leader, e, "supervise", MON, note="一般督办", level="normal")
    key = Supervision.objects.get(event=e, level="key")
    wed = at(2026, 6, 3, 9)  # past Tuesday's close: the key order is overdue
    assert state_of(key, wed) == OVERDUE
    assert state_of(key, MON) == SupervisionStatus.OPEN

    for actor in (cast.leader, cast.dispatcher, cast.handler):
        counts = supervision_counts(actor, now=wed)
        assert (counts.open, counts.overdue) == (2, 1), actor
    for stranger in (cast.dispatcher_b, cast.handler_market, cast.leader_b):
        counts = supervision_counts(stranger, now=wed)
        assert (counts.open, counts.overdue) == (0, 0), stranger
        assert not supervision_list(stranger, now=wed).exists()

    assert [o.level for o in supervision_list(cast.leader, state=OVERDUE, now=wed)] == ["key"]
    assert [o.level for o in supervision_list(cast.leader, state="open", now=wed)] == ["normal"]
    assert [o.level for o in supervision_list(cast.leader, level="key", now=wed)] == ["key"]
    act(cast.handler, e, "reply_supervision", wed, reply="已处理", supervision=key.pk)
    assert [o.level for o in supervision_list(cast.leader, state="replied", now=wed)] == ["key"]
    counts = supervision_counts(cast.leader, now=wed)
    assert (counts.open, counts.overdue) == (1, 0)


# ---- the pages: list, workbench, dashboard, briefing ------------------------------------


def _two_orders(cast):
    e = dispatched(cast, MON, lead=cast.police)
    act(cast.leader, e, "supervise", MON, note="重点督办：三天内清理", level="key")
    act(cast.leader, e, "supervise", MON, note="一般督办：注意回访", level="normal")
    return e


def test_the_list_page_filters_and_counts_in_scope(cast, client):
    _two_orders(cast)
    wed = at(2026, 6, 3, 9)
    client.force_login(cast.leader)
    with clock.frozen(wed):
        html = client.get(reverse("supervision_list")).content.decode()
        assert "待回复 2 件，其中超期 1 件" in html
        assert html.count('data-testid="supervision-row"') == 2
        overdue = client.get(reverse("supervision_list"), {"state": "overdue"}).content.decode()
        assert overdue.count('data-testid="supervision-row"') == 1 and "三天内清理" in overdue
        key = client.get(reverse("supervision_list"), {"level": "normal"}).content.decode()
        assert key.count('data-testid="supervision-row"') == 1 and "注意回访" in key
        # Unknown filter values show the whole list.
        odd = client.get(reverse("supervision_list"), {"state": "x", "level": "y"})
        assert odd.content.decode().count('data-testid="supervision-row"') == 2
    assert f'href="{reverse("supervision_list")}"' in html  # in the header's navigation

    client.force_login(cast.leader_b)
    with clock.frozen(wed):
        html = client.get(reverse("supervision_list")).content.decode()
    assert "待回复 0 件，其中超期 0 件" in html
    assert 'data-testid="supervision-row"' not in html


def test_workbench_and_dashboard_show_the_counts(cast, client):
    _two_orders(cast)
    wed = at(2026, 6, 3, 9)
    client.force_login(cast.handler)
    with clock.frozen(wed):
        html = client.get(reverse("workbench")).content.decode()
    assert 'data-stat="supervision_open">2<' in html
    assert 'data-stat="supervision_overdue">1<' in html

    client.force_login(cast.leader)
    with clock.frozen(wed):
        html = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="kpi-supervision"' in html
    assert "其中回复超期 1" in html


def test_the_briefing_has_a_supervision_line(cast):
    _two_orders(cast)
    with clock.frozen(at(2026, 6, 3, 9)):
        fig = briefings.briefing_figures(
            user=cast.leader,
            region_id=cast.county.pk,
            date_from=dt.date(2026, 6, 1),
            date_to=dt.date(2026, 6, 3),
        )
    text = "".join(
        p
        for s in briefings.sections(
            region=cast.county,
            date_from=dt.date(2026, 6, 1),
            date_to=dt.date(2026, 6, 3),
            fig=fig,
        )
        for p in s["paragraphs"]
    )
    assert "督办件待回复2件，其中超过回复期限1件" in text


def test_open_orders_follow_the_lead_when_reassigned(cast):
    e = dispatched(cast, MON, lead=cast.police, assisting=[cast.market])
    act(cast.leader, e, "supervise", MON, note="主办督办")
    act(cast.leader, e, "supervise", MON, note="协办督办", department=cast.market.pk)
    act(cast.dispatcher, e, "reassign", MON, lead_department=cast.housing.pk, note="职能不符")
    act(cast.dispatcher, e, "remove_assist", MON, department=cast.market.pk, note="无需协办")
    assert set(Supervision.objects.filter(event=e).values_list("department_id", flat=True)) == {
        cast.housing.pk
    }
    assert "reply_supervision" in {r.action for r in allowed_actions(cast.handler_housing, e)}
