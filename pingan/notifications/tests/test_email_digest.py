"""E-mail follows the inbox's grouping: the new normal matters of an hour reach a
dispatcher as one digest e-mail when the hour is over (codes, titles and links, nothing
personal); 紧急/特急 ones and a matter's other news go at once."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from pingan.core import clock
from pingan.events.choices import Urgency
from pingan.notifications.models import Delivery
from pingan.notifications.services import send_pending
from pingan.notifications.tests.conftest import MON

DISPATCHER = "disp-a@example.invalid"


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


def sweep_at(when):
    """The sweeper's sending, at `when`."""
    with clock.frozen(when):
        return send_pending()


def test_an_hours_new_matters_are_one_email_after_the_hour(loop):
    events = [
        loop.report(
            when=MON + dt.timedelta(minutes=m),
            reporter_name="张三",
            reporter_phone="13812345678",
        )
        for m in (0, 10, 50)
    ]
    # Nothing during the hour, one row waiting for its end.
    assert mails_to(DISPATCHER) == []
    assert sweep_at(MON + dt.timedelta(minutes=59)) == 0
    (row,) = Delivery.objects.filter(channel="email", target=DISPATCHER)
    assert row.next_attempt_at == MON + dt.timedelta(hours=1)
    assert sweep_at(MON + dt.timedelta(hours=1, seconds=30)) == 1
    (sent,) = mails_to(DISPATCHER)
    assert sent.subject == "新事件待受理 3 件"
    # Each matter's code, title and link, the oldest first, and nothing else (no reporter,
    # no description).
    assert sent.body == "\n\n".join(f"{e.code} {e.title}\n/events/{e.pk}/" for e in events)
    assert "张三" not in sent.body and "13812345678" not in sent.body
    # What was sent is kept on the row; a later sweep sends nothing again.
    row.refresh_from_db()
    assert row.state == "sent" and row.payload["subject"] == "新事件待受理 3 件"
    assert sweep_at(MON + dt.timedelta(hours=2)) == 0 and len(mails_to(DISPATCHER)) == 1


def test_urgent_matters_are_emailed_at_once(loop):
    loop.report()
    urgent = loop.report(when=MON + dt.timedelta(minutes=5), urgency=Urgency.URGENT)
    critical = loop.report(when=MON + dt.timedelta(minutes=6), urgency=Urgency.CRITICAL)
    subjects = [m.subject for m in mails_to(DISPATCHER)]
    assert len(subjects) == 2
    assert urgent.code in subjects[0] and critical.code in subjects[1]


def test_each_hour_has_its_own_digest(loop):
    first = loop.report()
    later = [loop.report(when=MON + dt.timedelta(hours=1, minutes=m)) for m in (1, 2)]
    sweep_at(MON + dt.timedelta(hours=1, minutes=5))
    (one,) = mails_to(DISPATCHER)
    # A matter alone in its hour is e-mailed as itself.
    assert one.subject == f"新事件待受理：{first.code} {first.title}"
    assert f"/events/{first.pk}/" in one.body
    sweep_at(MON + dt.timedelta(hours=2))
    assert [m.subject for m in mails_to(DISPATCHER)][1] == "新事件待受理 2 件"
    assert all(e.code in mails_to(DISPATCHER)[1].body for e in later)


def test_a_matters_other_news_is_not_held_for_a_digest(loop):
    e = loop.dispatched()  # reported, accepted, dispatched at MON
    c = loop.cast
    loop.act(c.handler, e, "return", when=MON + dt.timedelta(minutes=20), note="不属于本部门")
    returned = [m for m in mails_to(DISPATCHER) if "退回" in m.subject]
    assert len(returned) == 1 and e.code in returned[0].subject
    # The report itself waits for its hour's digest.
    assert not [m for m in mails_to(DISPATCHER) if "新事件待受理" in m.subject]


def test_a_digest_whose_recipient_was_removed_is_not_sent_empty(loop):
    loop.report()
    loop.report(when=MON + dt.timedelta(minutes=1))
    row = Delivery.objects.get(channel="email", target=DISPATCHER)
    loop.cast.dispatcher.delete()  # their inbox rows go with them
    assert sweep_at(MON + dt.timedelta(hours=1)) == 0
    row.refresh_from_db()
    assert row.state == "failed" and "未发送" in row.last_error and mail.outbox == []
