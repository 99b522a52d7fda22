"""The public reply (对外答复): a text written for the reporter and the public, kept apart
from the internal note, on the rows of the workflow that take one; personal numbers typed
into it are masked (issue 16, finding 3; docs/privacy.md "Public replies")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pingan.api.tests.helpers import ApiClient, error_of, report
from pingan.core.errors import Invalid
from pingan.core.pii import mask_in_text
from pingan.events import workflow
from pingan.events.choices import Status
from pingan.events.models import Event, EventTransition
from pingan.events.services import event_transition

ID_NUMBER = "330424199001011239"  # a valid check digit
INTERNAL = "来电人王大明（13812345678）称系邻居张三所为"
REPLY = "经核实属物业服务范围，请联系物业服务中心（13912345678）。"
REPLY_MASKED = "经核实属物业服务范围，请联系物业服务中心（139****5678）。"


def test_free_text_masking_hides_mobile_phones_and_id_numbers():
    text = (
        f"王先生13812345678、139-1234-5678、+86 137 1234 5678，身份证{ID_NUMBER}，"
        "办公电话0573-86012345，工单GD20260302000112345"
    )
    masked = mask_in_text(text)
    assert masked == (
        "王先生138****5678、139****5678、137****5678，身份证330424********1239，"
        "办公电话0573-86012345，工单GD20260302000112345"
    )
    assert mask_in_text(masked) == masked  # masking twice changes nothing
    assert mask_in_text("") == ""


def test_the_rows_that_take_a_public_reply():
    taking = {(r.action, r.variant) for r in workflow.TABLE if r.public_reply}
    assert taking == {
        ("reject", ""),
        ("merge", ""),
        ("resolve_on_site", ""),
        ("resolve", "lead"),
        ("resolve", "lead_waiting"),
        ("verify", "passed"),
        ("verify", "failed"),
        ("reopen", "dispatched"),
        ("reopen", "undispatched"),
    }


def test_a_rejection_keeps_the_note_internal_and_the_reply_masked(cast):
    e = report(cast)
    event_transition(
        actor=cast.dispatcher,
        event_id=e.pk,
        action="reject",
        payload={"note": INTERNAL, "public_reply": f"{REPLY}身份证{ID_NUMBER}"},
    )
    row = EventTransition.objects.get(event=e, action="reject")
    assert row.note == INTERNAL  # the staff's record, unchanged
    assert row.public_reply == f"{REPLY_MASKED}身份证330424********1239"


def test_a_reply_is_optional_and_blank_is_none(cast):
    e = report(cast)
    event_transition(
        actor=cast.dispatcher,
        event_id=e.pk,
        action="reject",
        payload={"note": "重复", "public_reply": "   "},
    )
    assert EventTransition.objects.get(event=e, action="reject").public_reply == ""


@pytest.mark.parametrize(
    ("action", "payload", "message"),
    [
        ("accept", {"public_reply": "已受理"}, "「受理」不填写对外答复"),
        ("reject", {"note": "重复", "public_reply": "答" * 1001}, "对外答复不能超过1000字"),
        ("reject", {"note": "重复", "public_reply": ["x"]}, "对外答复应为文字"),
    ],
)
def test_a_bad_public_reply_is_refused_and_nothing_is_written(cast, action, payload, message):
    e = report(cast)
    with pytest.raises(Invalid) as err:
        event_transition(actor=cast.dispatcher, event_id=e.pk, action=action, payload=payload)
    assert err.value.fields == {"public_reply": message}
    assert Event.objects.get(pk=e.pk).status == Status.REPORTED
    assert EventTransition.objects.filter(event=e).count() == 1


def test_the_api_takes_the_reply_and_shows_it_on_the_timeline(cast, client):
    from pingan.accounts.services import token_issue

    api = ApiClient(client, token_issue(user=cast.dispatcher))
    e = report(cast)
    r = api.act(e.pk, "reject", note=INTERNAL, public_reply=REPLY)
    assert r.status_code == 200, r.content
    body = r.json()
    rejected = next(t for t in body["timeline"] if t["action"] == "reject")
    assert rejected["public_reply"] == REPLY_MASKED and rejected["note"] == INTERNAL
    other = report(cast)
    actions = {a["action"]: a for a in api.get(f"/events/{other.pk}").json()["allowed_actions"]}
    assert actions["reject"]["public_reply"] is True
    assert actions["accept"]["public_reply"] is False
    bad = api.act(other.pk, "accept", public_reply="已受理")
    assert bad.status_code == 422
    assert error_of(bad)["fields"] == {"public_reply": "「受理」不填写对外答复"}
    assert Event.objects.get(pk=other.pk).status == Status.REPORTED


def test_the_page_form_offers_the_reply_where_the_row_takes_one(cast, client):
    e = report(cast)
    client.force_login(cast.dispatcher)
    form = client.get(reverse("event_action", args=[e.pk, "reject"])).content.decode()
    assert 'name="public_reply"' in form
    accept = client.get(reverse("event_action", args=[e.pk, "accept"])).content.decode()
    assert 'name="public_reply"' not in accept
    r = client.post(
        reverse("event_action", args=[e.pk, "reject"]), {"note": INTERNAL, "public_reply": REPLY}
    )
    assert r.status_code == 302
    row = EventTransition.objects.get(event=e, action="reject")
    assert (row.note, row.public_reply) == (INTERNAL, REPLY_MASKED)
    page = client.get(reverse("event_detail", args=[e.pk])).content.decode()
    assert 'data-testid="public-reply"' in page and REPLY_MASKED in page
