"""An extension's notification names the days the event's clock counts: 自然日 for a
matter on natural time (紧急/特急, or a category that says so), 工作日 otherwise."""

from __future__ import annotations

from pingan.events import deadlines
from pingan.events.choices import Urgency
from pingan.events.models import CategoryDeadline
from pingan.notifications.models import Notification


def _extension_body(loop, event, days=3):
    c = loop.cast
    loop.act(c.handler, event, "acknowledge")
    loop.act(c.handler, event, "extend", days=days, note="需协调业主")
    row = Notification.objects.get(recipient=c.dispatcher, event=event, kind="extend")
    return row.body


def test_an_urgent_matters_extension_is_asked_in_natural_days(loop):
    event = loop.dispatched(urgency=Urgency.URGENT)
    assert deadlines.day_word(event) == "自然日"
    assert _extension_body(loop, event).splitlines() == ["延期 3 个自然日", "需协调业主"]


def test_a_normal_matters_extension_is_asked_in_working_days(loop):
    event = loop.dispatched()
    assert _extension_body(loop, event, days=2).startswith("延期 2 个工作日")


def test_the_category_row_decides_the_word(loop):
    c = loop.cast
    CategoryDeadline.objects.filter(category=c.neighbour, urgency=Urgency.NORMAL).update(
        natural_time=True
    )
    event = loop.dispatched()
    assert _extension_body(loop, event).startswith("延期 3 个自然日")
    # And the approval tells the department in the same words.
    loop.act(c.dispatcher, event, "decide_extension", approve=True)
    told = Notification.objects.filter(event=event, kind="decide_extension").first()
    assert told is not None and told.body.startswith("延期 3 个自然日")


def test_unit_words_for_each_clock():
    assert deadlines.unit_word("hours", True) == "小时"
    assert deadlines.unit_word("hours", False) == "工作小时"
    assert deadlines.unit_word("days", True) == "自然日"
    assert deadlines.unit_word("days", False) == "工作日"
