"""A verification's on-site photos uploaded over the API go on its timeline row, as the
page's do (issue 17: the event page groups photos by stage from that row)."""

from __future__ import annotations

from django.test import Client

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import dispatched_to_police
from pingan.api.tests.test_audit_address import jpeg
from pingan.events.models import Attachment
from pingan.events.services import event_transition


def test_photos_uploaded_before_a_verification_over_the_api_go_on_its_row(cast):
    e = dispatched_to_police(cast)
    event_transition(actor=cast.handler, event_id=e.pk, action="acknowledge")
    event_transition(
        actor=cast.handler,
        event_id=e.pk,
        action="resolve",
        payload={"result": "已清理杂物", "resolution": "resolved"},
    )
    token = token_issue(user=cast.dispatcher)
    headers = {"Authorization": f"Bearer {token}"}
    client = Client()
    r = client.post(
        f"/api/v1/events/{e.pk}/attachments",
        {"file": jpeg("check.jpg"), "kind": "verification"},
        headers=headers,
    )
    assert r.status_code == 201, r.content
    photo = Attachment.objects.get(pk=r.json()["id"])
    assert photo.transition_id is None  # not yet: the verification has not happened
    r = client.post(
        f"/api/v1/events/{e.pk}/transitions",
        {"action": "verify", "passed": True},
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 200, r.content
    photo.refresh_from_db()
    row = photo.transition
    assert row is not None and row.action == "verify"
    assert row.data["photos"] == [photo.pk]
