"""核查 and 回访 (issue 17): the verifier reads every department's result and photos and
confirms before 核查通过; a category may require an on-site photo; 回访 is given once, a
second one is a correction with a reason that keeps the history and moves the figures."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse
from PIL import Image

from pingan.analytics.models import DailyRollup, EventFact
from pingan.api.v1.events import event_detail_dict
from pingan.core import clock
from pingan.core.errors import Invalid
from pingan.core.models import AuditEntry
from pingan.events.attachments import attachment_add
from pingan.events.choices import AttachmentKind, Status
from pingan.events.models import Attachment, Category, Event
from pingan.events.selectors import event_detail
from pingan.events.services import allowed_actions, event_transition
from pingan.sla.tests.helpers import act, at, dispatched

MON = at(2026, 3, 2, 9)
HX = {"HTTP_HX_REQUEST": "true"}


def jpeg(name: str = "p.jpg", colour: tuple[int, int, int] = (200, 80, 40)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def resolved_jointly(cast, client):
    """Police lead and market assisting both report through the page, each with a photo
    (dispatched two hours ago: the page acts at the real "now")."""
    earlier = clock.now() - dt.timedelta(hours=2)
    e = dispatched(cast, earlier, assisting=[cast.market])
    act(cast.handler, e, "acknowledge", earlier)
    act(cast.handler_market, e, "acknowledge", earlier)
    for user, result, colour in (
        (cast.handler_market, "已核查商户证照", (10, 200, 10)),
        (cast.handler, "已调解，双方和解", (10, 10, 200)),
    ):
        client.force_login(user)
        r = client.post(
            reverse("event_action", args=[e.pk, "resolve"]),
            {"result": result, "resolution": "resolved", "photos": [jpeg(colour=colour)]},
        )
        assert r.status_code == 302, r.content.decode()[:500]
    e.refresh_from_db()
    assert e.status == Status.RESOLVED
    return e


def snapshot(e) -> tuple:
    fresh = Event.objects.get(pk=e.pk)
    return (fresh.status, fresh.closed_at, fresh.timeline.count(), fresh.satisfaction)


# ---- 核查 -------------------------------------------------------------------------------


def test_the_verify_page_shows_every_department_result_and_photo(cast, client):
    e = resolved_jointly(cast, client)
    client.force_login(cast.gridworker)
    html = client.get(reverse("event_action", args=[e.pk, "verify"])).content.decode()
    section = re.search(r'data-testid="verify-results">(.*?)</section>', html, re.S)
    assert section, html
    text = section.group(1)
    assert "县公安局" in text and "已调解，双方和解" in text
    assert "县市场监管局" in text and "已核查商户证照" in text
    photos = Attachment.objects.filter(event=e, kind=AttachmentKind.RESULT)
    assert photos.count() == 2
    for p in photos:
        assert reverse("event_photo_thumb", args=[e.pk, p.pk]) in text
    # The lead first, each department's photo under its own result.
    police, market = text.split("县市场监管局", 1)
    assert "县公安局" in police
    lead_photo = photos.get(transition__department=cast.police)
    market_photo = photos.get(transition__department=cast.market)
    assert reverse("event_photo_thumb", args=[e.pk, lead_photo.pk]) in police
    assert reverse("event_photo_thumb", args=[e.pk, market_photo.pk]) in market
    assert "已现场核实处置结果" in html


def test_passing_needs_the_on_site_confirmation_box(cast, client):
    e = resolved_jointly(cast, client)
    client.force_login(cast.gridworker)
    url = reverse("event_action", args=[e.pk, "verify"])
    before = snapshot(e)
    r = client.post(url, {"passed": "true", "note": "现场已整洁"}, **HX)
    assert r.status_code == 422
    assert "请勾选「已现场核实处置结果」后再核查通过" in r.content.decode()
    assert snapshot(e) == before
    r = client.post(url, {"passed": "true", "confirmed": "1", "note": "现场已整洁"}, **HX)
    assert r.status_code == 200
    assert Event.objects.get(pk=e.pk).status == Status.CLOSED


def test_failing_needs_a_reason_but_no_confirmation(cast, client):
    e = resolved_jointly(cast, client)
    client.force_login(cast.gridworker)
    r = client.post(
        reverse("event_action", args=[e.pk, "verify"]),
        {"passed": "false", "note": "杂物仍在"},
        **HX,
    )
    assert r.status_code == 200
    assert Event.objects.get(pk=e.pk).status == Status.IN_PROGRESS


def test_a_category_requiring_a_photo_refuses_a_pass_without_one(cast, client):
    Category.objects.filter(pk=cast.neighbour.pk).update(verify_photo_required=True)
    e = resolved_jointly(cast, client)
    client.force_login(cast.gridworker)
    url = reverse("event_action", args=[e.pk, "verify"])
    form = client.get(url).content.decode()
    assert "现场核查照片 *" in form
    before = snapshot(e)
    r = client.post(url, {"passed": "true", "confirmed": "1"}, **HX)
    assert r.status_code == 422
    assert "此类事件核查通过须上传现场核查照片" in r.content.decode()
    assert snapshot(e) == before

    r = client.post(url, {"passed": "true", "confirmed": "1", "photos": [jpeg()]}, **HX)
    assert r.status_code == 200, r.content.decode()[:500]
    e = Event.objects.get(pk=e.pk)
    assert e.status == Status.CLOSED
    row = e.timeline.get(action="verify")
    photo = Attachment.objects.get(event=e, kind=AttachmentKind.VERIFICATION)
    assert photo.transition_id == row.pk and row.data["photos"] == [photo.pk]


def test_through_the_api_the_photo_goes_first_and_a_failure_changes_nothing(cast, client):
    Category.objects.filter(pk=cast.neighbour.pk).update(verify_photo_required=True)
    e = resolved_jointly(cast, client)
    before = snapshot(e)
    with pytest.raises(Invalid) as err:
        event_transition(
            actor=cast.gridworker, event_id=e.pk, action="verify", payload={"passed": True}
        )
    assert "photos" in err.value.fields
    assert snapshot(e) == before
    # A photo of another kind, or someone else's, does not count.
    attachment_add(actor=cast.gridworker, event_id=e.pk, upload=jpeg(), kind="other")
    attachment_add(
        actor=cast.gridleader, event_id=e.pk, upload=jpeg(), kind=AttachmentKind.VERIFICATION
    )
    with pytest.raises(Invalid):
        event_transition(
            actor=cast.gridworker, event_id=e.pk, action="verify", payload={"passed": True}
        )
    mine, _ = attachment_add(
        actor=cast.gridworker, event_id=e.pk, upload=jpeg(), kind=AttachmentKind.VERIFICATION
    )
    e = event_transition(
        actor=cast.gridworker, event_id=e.pk, action="verify", payload={"passed": True}
    )
    assert e.status == Status.CLOSED
    assert e.timeline.get(action="verify").data["photos"] == [mine.pk]


def test_without_the_category_rule_the_api_passes_as_before(cast, client):
    e = resolved_jointly(cast, client)
    e = event_transition(
        actor=cast.gridworker, event_id=e.pk, action="verify", payload={"passed": True}
    )
    assert e.status == Status.CLOSED


# ---- 回访 -------------------------------------------------------------------------------


def closed(cast):
    e = dispatched(cast, MON)
    act(cast.handler, e, "acknowledge", MON)
    act(cast.handler, e, "resolve", MON, result="已调解", resolution="resolved")
    return act(cast.gridworker, e, "verify", MON, passed=True)


def test_follow_up_is_given_once_and_a_second_is_a_correction_with_a_reason(cast, client):
    e = closed(cast)
    assert [r.variant for r in allowed_actions(cast.dispatcher, e) if r.action == "follow_up"] == [
        "first"
    ]
    e = act(cast.dispatcher, e, "follow_up", MON, satisfaction="satisfied")
    assert e.satisfaction == "satisfied"
    fact = EventFact.objects.get(event_id=e.pk)
    assert fact.satisfaction == "satisfied"

    rows = [r for r in allowed_actions(cast.dispatcher, e) if r.action == "follow_up"]
    assert [(r.variant, r.display_label, r.requires) for r in rows] == [
        ("correct", "更正回访", ("satisfaction", "note"))
    ]
    before = snapshot(e)
    with pytest.raises(Invalid) as err:
        act(cast.dispatcher, e, "follow_up", MON, satisfaction="dissatisfied")
    assert "note" in err.value.fields
    assert snapshot(e) == before

    e = act(
        cast.dispatcher,
        e,
        "follow_up",
        at(2026, 3, 3, 9),
        satisfaction="dissatisfied",
        note="群众来电：首次回访误记",
    )
    assert e.satisfaction == "dissatisfied"
    first, second = e.timeline.filter(action="follow_up").order_by("id")
    assert first.data == {"satisfaction": "satisfied"}
    assert second.data["satisfaction"] == "dissatisfied"
    assert second.data["old_satisfaction"] == "satisfied"
    assert second.note == "群众来电：首次回访误记"
    audit = AuditEntry.objects.filter(action="event.follow_up", object_id=str(e.pk))
    assert [a.detail["variant"] for a in audit.order_by("id")] == ["first", "correct"]

    # The figures follow the corrected satisfaction.
    assert EventFact.objects.get(event_id=e.pk).satisfaction == "dissatisfied"
    county = DailyRollup.objects.filter(region=cast.county.pk)
    totals = county.aggregate(f=Sum("followed_up"), s=Sum("satisfied"))
    assert (totals["f"], totals["s"]) == (1, 0)

    # The page names the correction and asks for the reason.
    client.force_login(cast.dispatcher)
    html = client.get(reverse("event_detail", args=[e.pk])).content.decode()
    assert "更正回访" in html.split("流转记录", 1)[1]
    form = client.get(reverse("event_action", args=[e.pk, "follow_up"])).content.decode()
    assert 'data-testid="follow-up-correct"' in form and "更正理由 *" in form
    detail = event_detail_dict(
        event_detail(user=cast.dispatcher, event_id=e.pk), user=cast.dispatcher, now=MON
    )
    labels = [t["action_label"] for t in detail["timeline"] if t["action"] == "follow_up"]
    assert labels == ["回访", "更正回访"]


def test_after_a_reopening_the_new_closure_gets_its_own_first_follow_up(cast):
    e = closed(cast)
    e = act(cast.dispatcher, e, "follow_up", MON, satisfaction="dissatisfied")
    e = act(cast.dispatcher, e, "reopen", at(2026, 3, 3, 9), note="群众反映仍未解决")
    e = act(cast.handler, e, "resolve", at(2026, 3, 4, 9), result="重新调解", resolution="resolved")
    e = act(cast.gridworker, e, "verify", at(2026, 3, 4, 10), passed=True)
    rows = [r for r in allowed_actions(cast.dispatcher, e) if r.action == "follow_up"]
    assert [r.variant for r in rows] == ["first"]
    e = act(cast.dispatcher, e, "follow_up", at(2026, 3, 4, 15), satisfaction="satisfied")
    assert e.satisfaction == "satisfied"
    with pytest.raises(Invalid):
        act(cast.dispatcher, e, "follow_up", at(2026, 3, 4, 16), satisfaction="dissatisfied")
