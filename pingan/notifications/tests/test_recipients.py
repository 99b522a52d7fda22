"""Who is told about what, through the whole loop."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from pingan.core import clock
from pingan.notifications.models import Delivery, Notification
from pingan.notifications.services import muted, notify_event_change, send_pending
from pingan.notifications.tests.conftest import MON
from pingan.sla.services import sweep


def told(event, kind):
    """Usernames notified of `kind` on `event`."""
    return set(
        Notification.objects.filter(event=event, kind=kind).values_list(
            "recipient__username", flat=True
        )
    )


def test_report_tells_the_town_centre_only(loop):
    e = loop.report()
    # Town A's dispatcher; not the county centre above it, not town B's.
    assert told(e, "report") == {"disp-a"}
    n = Notification.objects.get(event=e)
    assert n.title == f"新事件待受理：{e.code} {e.title}"
    assert n.read_at is None and n.cause == f"t{e.timeline.get().pk}:u{loop.cast.dispatcher.pk}"


def test_report_in_town_b_tells_town_b(loop):
    e = loop.report(user=loop.cast.gridworker_b, point=loop.cast.point_b1)
    assert told(e, "report") == {"disp-b"}


def test_the_actor_is_not_told_of_their_own_act(loop):
    e = loop.report(user=loop.cast.dispatcher)
    assert told(e, "report") == set()


def test_dispatch_tells_lead_and_assisting_handlers(loop):
    e = loop.dispatched(assisting=[loop.cast.market])
    assert told(e, "accept") == set()
    assert told(e, "dispatch") == {"h-police", "h-market"}


def test_handling_actions_reach_the_other_side(loop):
    c = loop.cast
    e = loop.dispatched(assisting=[c.market])
    loop.act(c.handler, e, "acknowledge")
    loop.act(c.handler, e, "extend", days=2, note="需协调")
    assert told(e, "extend") == {"disp-a"}
    loop.act(c.dispatcher, e, "decide_extension", approve=True)
    assert told(e, "decide_extension") == {"h-police", "h-market"}
    loop.act(c.leader, e, "supervise", note="请加快办理")
    assert told(e, "supervise") == {"h-police", "h-market"}
    loop.act(c.handler_market, e, "return", note="不属本部门职责")
    assert told(e, "return") == {"disp-a"}
    loop.act(c.dispatcher, e, "remind", note="今日内反馈")
    # The market department returned its part: only the lead is still on it.
    assert told(e, "remind") == {"h-police"}
    loop.act(c.handler, e, "resolve", result="已调解")
    # The grid worker over the event verifies; the centre sees it; not the grid leader.
    assert told(e, "resolve") == {"gw", "disp-a"}
    loop.act(c.gridworker, e, "verify", passed=False, note="杂物仍在")
    assert told(e, "verify") == {"h-police"}
    loop.act(c.handler, e, "resolve", result="已清理")
    loop.act(c.gridworker, e, "verify", passed=True)
    assert told(e, "verify") == {"h-police"}  # passing tells nobody new
    loop.act(c.dispatcher, e, "reopen", note="群众不满意")
    assert told(e, "reopen") == {"h-police"}


def test_escalation_tells_the_county_centre(loop):
    e = loop.report()
    loop.act(loop.cast.dispatcher, e, "escalate", note="涉及多个镇街")
    assert told(e, "escalate") == {"disp-county"}


def test_merge_tells_the_reporter_of_the_master(loop):
    c = loop.cast
    master = loop.report(user=c.gridleader)
    dup = loop.report()
    loop.act(c.dispatcher, dup, "merge", master=master.pk)
    assert told(master, "merged_in") == {"gl"}


def test_warning_and_overdue_tell_handlers_and_the_centre(loop, django_capture_on_commit_callbacks):
    c = loop.cast
    e = loop.dispatched(assisting=[c.market])
    with django_capture_on_commit_callbacks(execute=True):
        sweep(MON + dt.timedelta(hours=5, minutes=30))  # past the 80 % mark, before 14:30
    assert told(e, "warning") == {"h-police", "h-market", "disp-a"}
    with django_capture_on_commit_callbacks(execute=True):
        sweep(MON + dt.timedelta(days=10))
    assert told(e, "overdue") == {"h-police", "h-market", "disp-a"}


def test_auto_escalation_tells_the_county_centre(loop, django_capture_on_commit_callbacks):
    c = loop.cast
    c.neighbour.escalate_on_overdue = True
    c.neighbour.save()
    e = loop.dispatched()
    with django_capture_on_commit_callbacks(execute=True):
        sweep(MON + dt.timedelta(days=10))
    assert told(e, "auto_escalate") == {"disp-county"}


def test_recipients_with_an_address_get_an_email(loop):
    e = loop.dispatched(assisting=[loop.cast.market])
    sent = {m.to[0] for m in mail.outbox if e.code in m.subject and "派遣" in m.subject}
    assert sent == {"h-police@example.invalid", "h-market@example.invalid"}
    assert Delivery.objects.filter(channel="email", state="sent").count() == len(mail.outbox)


def test_one_cause_never_notifies_twice(loop):
    e = loop.report()
    t = e.timeline.get()
    with clock.frozen(MON):
        notify_event_change(event_id=e.pk, action="report", transition_id=t.pk)
        notify_event_change(event_id=e.pk, action="report", transition_id=None)
    assert Notification.objects.filter(event=e).count() == 1
    # A normal report is e-mailed in the hour's digest: one e-mail, after the hour.
    assert Delivery.objects.filter(channel="email").count() == 1
    with clock.frozen(MON + dt.timedelta(hours=1)):
        send_pending()
        notify_event_change(event_id=e.pk, action="report", transition_id=t.pk)
        send_pending()
    assert len(mail.outbox) == 1


def test_muted_creates_nothing(loop):
    with muted():
        e = loop.dispatched(assisting=[loop.cast.market])
    assert not Notification.objects.filter(event=e).exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []
    # Unmuted again afterwards.
    loop.act(loop.cast.handler, e, "acknowledge")
    loop.act(loop.cast.handler, e, "extend", days=1, note="需协调")
    assert told(e, "extend") == {"disp-a"}
