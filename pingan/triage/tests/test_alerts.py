"""Risk alerts: urgent at once, leaders in scope told, every alert audited, rules editable."""

from __future__ import annotations

from pingan.core.models import AuditEntry
from pingan.events.choices import Urgency
from pingan.events.services import event_report
from pingan.notifications.models import Notification
from pingan.triage.models import Alert, AlertRule


def _report(cast, capture, text):
    lat, lng = cast.point_a1
    with capture(execute=True):
        event, _ = event_report(
            actor=cast.gridworker,
            category=cast.neighbour.pk,
            description=text,
            lat=lat,
            lng=lng,
        )
    event.refresh_from_db()
    return event


def test_threat_to_life_marks_urgent_and_alerts_leaders_in_scope(
    cast, django_capture_on_commit_callbacks
):
    event = _report(
        cast, django_capture_on_commit_callbacks, "租户与房东纠纷，租户扬言要从楼上跳下去"
    )
    assert event.urgency == Urgency.URGENT
    alert = Alert.objects.get(event=event)
    assert alert.signal == "threat_to_life"
    told = set(Notification.objects.filter(kind="risk_alert").values_list("recipient", flat=True))
    assert told == {cast.leader.pk}  # the county leader; not the leader of town B
    assert "risk_alert" in event.timeline.values_list("action", flat=True)
    entry = AuditEntry.objects.get(action="triage.alert")
    assert entry.object_id == str(event.pk)
    assert entry.detail["leaders"] == [cast.leader.pk]


def test_mass_incident_by_pattern_and_one_alert_per_signal(
    cast, django_capture_on_commit_callbacks
):
    event = _report(
        cast,
        django_capture_on_commit_callbacks,
        "30多名工人在厂门口聚集讨要工资，工厂起火冒出浓烟",
    )
    signals = set(Alert.objects.filter(event=event).values_list("signal", flat=True))
    assert signals == {"mass_incident", "fire_explosion"}


def test_ordinary_report_raises_nothing(cast, django_capture_on_commit_callbacks):
    event = _report(cast, django_capture_on_commit_callbacks, "小区路灯坏了好几天，晚上很黑")
    assert event.urgency == Urgency.NORMAL
    assert not Alert.objects.filter(event=event).exists()


def test_rules_are_editable(cast, django_capture_on_commit_callbacks):
    AlertRule.objects.create(name="液化气", signal="fire_explosion", keywords="液化气罐\n")
    AlertRule.objects.filter(signal="threat_to_life").update(is_active=False)
    a = _report(cast, django_capture_on_commit_callbacks, "饭店后厨液化气罐露天堆放")
    b = _report(cast, django_capture_on_commit_callbacks, "有人扬言要跳楼")
    assert Alert.objects.filter(event=a, signal="fire_explosion").exists()
    assert not Alert.objects.filter(event=b).exists()


def test_admin_refuses_a_broken_regex(client, cast):
    client.force_login(cast.sysadmin)
    cast.sysadmin.is_staff = cast.sysadmin.is_superuser = True
    cast.sysadmin.save()
    r = client.post(
        "/admin/triage/alertrule/add/",
        {"name": "坏规则", "signal": "mass_incident", "keywords": "", "pattern": "(未闭合"},
    )
    assert r.status_code == 200
    assert "正则表达式有误" in r.content.decode()
    assert not AlertRule.objects.filter(name="坏规则").exists()
