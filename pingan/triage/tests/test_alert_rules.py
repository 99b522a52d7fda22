"""Risk rules of several conditions (issue 17): one word alone no longer alerts; people,
repeats in the grid, category and urgency; validation; 属实 / 误报 marks; hit rates; the
trial run; the statement count of a check."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pingan.core import clock
from pingan.core.errors import Invalid
from pingan.events.catalogue import category_upsert
from pingan.events.choices import Status, Urgency
from pingan.events.models import Event, EventTransition
from pingan.events.services import event_report
from pingan.notifications.models import Notification
from pingan.triage.admin import AlertRuleAdmin
from pingan.triage.alerts import alert_rule_validate, alerts_check, rules_with_rates
from pingan.triage.models import Alert, AlertRule

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 5, 20, 10, 0, tzinfo=TZ)


@pytest.fixture
def labour(cast):
    """A category whose reports carry the number of people involved (as the catalogue's
    劳资纠纷 does)."""
    return category_upsert(
        code="dispute.labour",
        name="劳资纠纷",
        parent=cast.dispute,
        default_department=cast.police,
        extra_fields=[{"name": "people", "label": "涉及人数", "type": "number"}],
    )


def report(cast, capture, text, *, when=NOW, category=None, point=None, **kw):
    lat, lng = point or cast.point_a1
    with clock.frozen(when), capture(execute=True):
        event, _ = event_report(
            actor=cast.gridleader,  # the village's grid leader: both grids of village A
            category=(category or cast.neighbour).pk,
            description=text,
            lat=lat,
            lng=lng,
            reported_at=when,
            **kw,
        )
    event.refresh_from_db()
    return event


def signals(event):
    return set(Alert.objects.filter(event=event).values_list("signal", flat=True))


def admin_client(client, cast):
    cast.sysadmin.is_staff = cast.sysadmin.is_superuser = True
    cast.sysadmin.save()
    client.force_login(cast.sysadmin)
    return client


# ---- the tester's case and the conditions ----------------------------------------------


def test_gathering_of_two_people_raises_nothing_but_thirty_people_alert(
    cast, labour, django_capture_on_commit_callbacks
):
    few = report(
        cast,
        django_capture_on_commit_callbacks,
        "两名工人在村委会门口聚集讨要工钱",
        category=labour,
        extra={"people": 2},
    )
    assert signals(few) == set()
    assert few.urgency == Urgency.NORMAL
    assert not Notification.objects.filter(kind="risk_alert").exists()

    many = report(
        cast,
        django_capture_on_commit_callbacks,
        "工人在村委会门口聚集讨要工钱",
        category=labour,
        extra={"people": 30},
    )
    assert signals(many) == {"mass_incident"}
    assert many.urgency == Urgency.URGENT
    alert = Alert.objects.get(event=many)
    assert "聚集" in alert.matched and "30" in alert.matched
    told = set(Notification.objects.filter(kind="risk_alert").values_list("recipient", flat=True))
    assert told == {cast.leader.pk}


def test_repeats_in_the_same_grid_within_seven_days_alert(cast, django_capture_on_commit_callbacks):
    cap = django_capture_on_commit_callbacks
    text = "小区门口有居民聚集"
    # Too old (9 days), another grid, another category: none of them count.
    report(cast, cap, text, when=NOW - dt.timedelta(days=9))
    report(cast, cap, text, when=NOW - dt.timedelta(days=2), point=cast.point_a2)
    report(
        cast,
        cap,
        text,
        when=NOW - dt.timedelta(days=2),
        category=cast.fire,
        extra={"place_kind": "商铺"},
    )
    first = report(cast, cap, text, when=NOW - dt.timedelta(days=3))
    second = report(cast, cap, text, when=NOW - dt.timedelta(days=1))
    third = report(cast, cap, text, when=NOW)
    assert signals(first) == signals(second) == set()
    assert signals(third) == {"mass_incident"}
    assert "同网格近7天已有2件" in Alert.objects.get(event=third).matched


def test_category_condition_covers_the_children_of_a_parent(
    cast, django_capture_on_commit_callbacks
):
    rule = AlertRule.objects.create(name="纠纷动手", signal="escalating_dispute", keywords="推搡")
    rule.categories.set([cast.dispute])
    inside = report(cast, django_capture_on_commit_callbacks, "两户邻居互相推搡")
    outside = report(
        cast,
        django_capture_on_commit_callbacks,
        "商铺门口互相推搡",
        category=cast.fire,
        extra={"place_kind": "商铺"},
    )
    assert signals(inside) == {"escalating_dispute"}
    assert signals(outside) == set()


def test_urgency_condition_reads_the_urgency_reported(cast, django_capture_on_commit_callbacks):
    normal = report(cast, django_capture_on_commit_callbacks, "楼道里冒出浓烟")
    urgent = report(
        cast, django_capture_on_commit_callbacks, "楼道里冒出浓烟", urgency=Urgency.URGENT
    )
    assert signals(normal) == set()
    assert signals(urgent) == {"fire_explosion"}


def test_rules_of_the_first_release_alert_as_before_after_the_migration(
    cast, django_capture_on_commit_callbacks
):
    """0003 splits a rule of keywords OR pattern into two rules of the same signal."""
    AlertRule.objects.update(is_active=False)
    AlertRule.objects.create(
        name="旧规则", signal="threat_to_life", keywords="不想活", pattern=r"扬言.{0,8}跳"
    )
    migration = importlib.import_module("pingan.triage.migrations.0003_rule_conditions")
    migration.split_either_rules(apps, None)
    assert set(AlertRule.objects.filter(is_active=True).values_list("name", flat=True)) == {
        "旧规则",
        "旧规则（正则）",
    }
    by_word = report(cast, django_capture_on_commit_callbacks, "老人说不想活了")
    by_pattern = report(cast, django_capture_on_commit_callbacks, "租户扬言要跳楼")
    neither = report(cast, django_capture_on_commit_callbacks, "租户拖欠房租")
    assert signals(by_word) == signals(by_pattern) == {"threat_to_life"}
    assert signals(neither) == set()


# ---- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({}, "keywords", "请至少设置一个条件"),
        ({"pattern": "(未闭合"}, "pattern", "正则表达式有误"),
        ({"keywords": "聚集", "people_min": "-5"}, "people_min", "不小于 1"),
        ({"keywords": "聚集", "repeat_min": "-1"}, "repeat_min", "不小于 1"),
        ({"keywords": "聚集", "keywords_min": "3"}, "keywords_min", "不能多于"),
    ],
)
def test_admin_refuses_a_rule_without_conditions_or_with_bad_values(
    client, cast, fields, field, reason
):
    admin_client(client, cast)
    form = {
        "name": "坏规则",
        "signal": "mass_incident",
        "keywords": "",
        "keywords_min": "1",
        "keywords_also": "",
        "pattern": "",
        "people_min": "",
        "repeat_min": "",
        "repeat_days": "7",
        "repeat_by": "category",
        "min_urgency": "",
        "is_active": "on",
        **fields,
    }
    r = client.post("/admin/triage/alertrule/add/", form)
    assert r.status_code == 200
    assert reason in r.content.decode()
    assert not AlertRule.objects.filter(name="坏规则").exists()
    with pytest.raises(Invalid) as caught:
        alert_rule_validate(**{k: v for k, v in form.items() if k != "name"})
    assert caught.value.status == 422
    assert reason in caught.value.fields[field]


# ---- 属实 / 误报 ----------------------------------------------------------------------------


@pytest.fixture
def alerted(cast, django_capture_on_commit_callbacks):
    event = report(cast, django_capture_on_commit_callbacks, "有人扬言要从楼上跳下去")
    return Alert.objects.get(event=event)


def test_leader_told_of_an_alert_marks_it_a_false_alarm(client, cast, alerted):
    client.force_login(cast.leader)
    page = client.get(reverse("event_detail", args=[alerted.event_id])).content.decode()
    assert reverse("triage_alert_verdict", args=[alerted.pk]) in page
    assert "误报" in page
    r = client.post(reverse("triage_alert_verdict", args=[alerted.pk]), {"verdict": "false_alarm"})
    assert r.status_code == 302
    alerted.refresh_from_db()
    assert alerted.verdict == "false_alarm"
    assert alerted.verdict_by == cast.leader
    assert "研判：误报" in client.get(r.url).content.decode()


def test_only_leaders_and_dispatchers_who_see_the_event_mark_alerts(client, cast, alerted):
    url = reverse("triage_alert_verdict", args=[alerted.pk])
    client.force_login(cast.dispatcher_b)  # the other town: does not see the event
    assert client.post(url, {"verdict": "confirmed"}).status_code == 404
    client.force_login(cast.gridworker)  # the reporter sees it, but does not triage
    assert client.post(url, {"verdict": "confirmed"}).status_code == 403
    page = client.get(reverse("event_detail", args=[alerted.event_id])).content.decode()
    assert url not in page
    client.force_login(cast.dispatcher)
    assert client.post(url, {"verdict": "maybe"}).status_code == 422
    alerted.refresh_from_db()
    assert alerted.verdict == ""
    assert client.post(url, {"verdict": "confirmed"}).status_code == 302
    alerted.refresh_from_db()
    assert alerted.verdict == "confirmed"


# ---- hit rates -----------------------------------------------------------------------------


def test_hit_rates_over_the_last_thirty_days(client, cast, django_capture_on_commit_callbacks):
    """A hand-made set: five alerts of one rule in the period and one before it."""
    AlertRule.objects.update(is_active=False)  # the events below raise nothing by themselves
    rule = AlertRule.objects.create(name="测试规则", signal="mass_incident", keywords="聚集")
    cases = [
        # (days ago, verdict, later action, event status, urgency)
        (1, "confirmed", None, None, None),
        (2, "false_alarm", "supervise", None, None),  # the verdict wins over the action
        (3, "", "supervise", None, None),
        (4, "", None, None, Urgency.CRITICAL),
        (5, "", None, Status.REJECTED, None),
        (6, "", None, None, None),
        (45, "confirmed", None, None, None),  # before the period
    ]
    for days, verdict, action, status, urgency in cases:
        when = NOW - dt.timedelta(days=days)
        event = report(cast, django_capture_on_commit_callbacks, "测试", when=when)
        Alert.objects.create(
            event=event,
            rule=rule,
            signal="mass_incident",
            matched="聚集",
            created_at=when,
            verdict=verdict,
        )
        if action:
            EventTransition.objects.create(
                event=event,
                action=action,
                from_status=event.status,
                to_status=event.status,
                at=when,
            )
        if status or urgency:
            Event.objects.filter(pk=event.pk).update(
                status=status or event.status, urgency=urgency or event.urgency
            )
    report(cast, django_capture_on_commit_callbacks, "另一件", when=NOW - dt.timedelta(days=7))

    # Expected, counted here from the table above.
    period = [c for c in cases if c[0] <= 30]
    real = [
        c for c in period if c[1] == "confirmed" or (c[1] == "" and (c[2] or c[4] == "critical"))
    ]
    dismissed = [c for c in period if c[1] == "false_alarm" or (c[1] == "" and c[3] == "rejected")]
    checked = len(period) + 1
    assert (len(period), len(real), len(dismissed), checked) == (6, 3, 2, 7)

    with clock.frozen(NOW):
        since = NOW - dt.timedelta(days=30)
        got = rules_with_rates(AlertRule.objects.filter(pk=rule.pk), since=since, until=NOW).get()
        assert (got.n_alerts, got.n_real, got.n_dismissed) == (6, 3, 2)
        admin_client(client, cast)
        page = client.get("/admin/triage/alertrule/").content.decode()
    assert "6 / 7，85.7%" in page  # alerts / events checked
    assert "3 / 6，50.0%" in page  # real
    assert "2 / 6，33.3%" in page  # dismissed
    assert "共检查 7 件事件" in page
    with clock.frozen(NOW):
        year = client.get("/admin/triage/alertrule/", {"days": "365"})
    assert year.status_code == 200
    assert "近 365 天，共检查 8 件事件" in year.content.decode()
    assert "4 / 7，57.1%" in year.content.decode()  # the alert of 45 days ago, confirmed
    assert AlertRuleAdmin.list_display.index("alerts_rate") > 0


# ---- trial run -----------------------------------------------------------------------------


def test_trial_run_counts_what_a_rule_would_have_raised_without_saving(
    client, cast, labour, django_capture_on_commit_callbacks
):
    cap = django_capture_on_commit_callbacks
    text = "工人在厂门口聚集"
    for days, people in ((1, 30), (2, 12), (3, 2), (40, 50)):
        report(
            cast,
            cap,
            text,
            when=NOW - dt.timedelta(days=days),
            category=labour,
            extra={"people": people},
        )
    report(cast, cap, "路灯坏了", when=NOW - dt.timedelta(days=1))
    before = AlertRule.objects.count()
    alerts_before = Alert.objects.count()
    admin_client(client, cast)
    form = {
        "name": "试运行规则",
        "signal": "mass_incident",
        "keywords": "聚集\n围堵",
        "keywords_min": "1",
        "pattern": "",
        "people_min": "10",
        "repeat_min": "",
        "repeat_days": "7",
        "repeat_by": "category",
        "min_urgency": "",
        "_dry_run_days": "30",
    }
    with clock.frozen(NOW):
        r = client.post(reverse("triage_rule_dry_run"), form)
        body = r.content.decode()
        assert r.status_code == 200
        assert "近 30 天共上报 4 件事件" in body
        assert "<strong>2</strong> 件会触发预警" in body
        bad = client.post(reverse("triage_rule_dry_run"), {**form, "people_min": "-3"})
    assert bad.status_code == 422
    assert "涉及人数应为不小于 1 的整数" in bad.content.decode()
    assert AlertRule.objects.count() == before
    assert Alert.objects.count() == alerts_before
    client.force_login(cast.dispatcher)
    assert client.post(reverse("triage_rule_dry_run"), form).status_code == 302  # to login


def test_rule_page_offers_the_trial_run(client, cast):
    admin_client(client, cast)
    rule = AlertRule.objects.filter(is_active=True).first()
    page = client.get(f"/admin/triage/alertrule/{rule.pk}/change/").content.decode()
    assert reverse("triage_rule_dry_run") in page
    assert "试运行此规则" in page


# ---- cost ----------------------------------------------------------------------------------


def test_check_of_an_event_without_alert_is_three_or_four_statements(
    cast, labour, django_capture_on_commit_callbacks
):
    counts = []
    for text in ("路灯坏了好几天", "两名工人在厂门口聚集"):
        with clock.frozen(NOW), django_capture_on_commit_callbacks(execute=False):
            event, _ = event_report(
                actor=cast.gridworker,
                category=labour.pk,
                description=text,
                lat=cast.point_a1[0],
                lng=cast.point_a1[1],
                extra={"people": 2},
            )
        with clock.frozen(NOW), CaptureQueriesContext(connection) as ctx:
            assert alerts_check(event_id=event.pk) == []
        counts.append(len(ctx.captured_queries))
    # The event with its category chain, the active rules and their categories; and one
    # count for the "repeats in the grid" rule when its words matched. On PostgreSQL the
    # partitioned events table is read by its key first (events_eventkey: one statement).
    key = 1 if connection.vendor == "postgresql" else 0
    assert counts == [3 + key, 4 + key]


def test_installing_defaults_switches_off_only_the_untouched_one_word_rules(cast):
    from django.core.management import call_command

    from pingan.triage.defaults import LEGACY_RULES

    name, keywords, pattern = LEGACY_RULES[2]  # 火灾爆炸: keywords only
    untouched, _ = AlertRule.objects.update_or_create(
        name=name, defaults={"signal": "fire_explosion", "keywords": keywords, "pattern": pattern}
    )
    edited = AlertRule.objects.create(
        name=LEGACY_RULES[0][0] + "（正则）", signal="mass_incident", pattern="我改过的"
    )
    AlertRule.objects.filter(pk__in=[untouched.pk, edited.pk]).update(is_active=True)
    call_command("alert_rules", "install-defaults", stdout=io.StringIO())
    untouched.refresh_from_db()
    edited.refresh_from_db()
    assert not untouched.is_active
    assert edited.is_active
    assert AlertRule.objects.filter(name="群体性事件苗头：人数较多", is_active=True).exists()
