"""Staff pages: the 12345/110 work orders in scope, and the transfer to 110."""

from __future__ import annotations

import json

from django.test import Client

from pingan.events.models import Event
from pingan.events.services import event_transition
from pingan.intake.models import OrderAction
from pingan.intake.services import integration_setup, order_receive


def _order(integration, cast, no, point=None, **kw):
    lat, lng = point or (None, None)
    order, _ = order_receive(
        actor=integration.acting_user,
        integration=integration,
        order_no=no,
        content="夜间施工噪音扰民",
        caller_name="王大明",
        caller_phone="13812345678",
        lat=lat,
        lng=lng,
        **kw,
    )
    return order


def _as(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_order_list_shows_orders_in_scope_masked_for_every_role(hotline, police, cast):
    hotline_integration, _ = hotline
    police_integration, _ = police
    _order(hotline_integration, cast, "A-1", point=cast.point_a1)
    _order(police_integration, cast, "B-1", point=cast.point_b1, category_code="dispute.neighbour")
    page = _as(cast.dispatcher).get("/channels/orders/").content.decode()
    assert 'data-order="A-1"' in page and 'data-order="B-1"' not in page  # town A only
    # The dispatcher calls back from the event page's audited reveal, not from the list.
    assert "13812345678" not in page and "138****5678" in page and "王**" in page
    page = _as(cast.gridworker).get("/channels/orders/").content.decode()
    assert 'data-order="A-1"' in page and "13812345678" not in page and "138****5678" in page
    assert "王**" in page
    page = _as(cast.county_dispatcher).get("/channels/orders/?channel=police_110").content.decode()
    assert 'data-order="B-1"' in page and 'data-order="A-1"' not in page
    assert Client().get("/channels/orders/").status_code == 302  # sign in first


def test_the_transfer_page_hands_the_matter_to_110(
    hotline, cast, receiver, django_capture_on_commit_callbacks
):
    hook = receiver()
    integration_setup(channel="police_110", region=cast.county, callback_url=hook.url)
    hotline_integration, _ = hotline
    order = _order(hotline_integration, cast, "A-2", point=cast.point_a1)
    url = f"/channels/events/{order.event_id}/transfer-110/"
    assert _as(cast.dispatcher_b).get(url).status_code == 404  # out of scope
    client = _as(cast.dispatcher)
    assert client.get(url).status_code == 200
    r = client.post(url, {"reason": ""})
    assert r.status_code == 422 and "请填写移交理由" in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"reason": "持械威胁，属治安案件"})
    assert r.status_code == 302 and r["Location"] == f"/events/{order.event_id}/"
    assert Event.objects.get(pk=order.event_id).status == "rejected"
    assert OrderAction.objects.filter(kind="transfer_110").count() == 1
    # 110 gets the matter, once.
    assert len(hook.delivered) == 1
    assert json.loads(hook.delivered[0][1])["reason"] == "持械威胁，属治安案件"
    again = client.post(url, {"reason": "再次"})
    assert again.status_code == 409


def test_the_event_page_offers_the_transfer_to_dispatchers_only(hotline, cast):
    hotline_integration, _ = hotline
    order = _order(hotline_integration, cast, "A-3", point=cast.point_a1)
    page = f"/events/{order.event_id}/"
    link = f'href="/channels/events/{order.event_id}/transfer-110/"'
    # 110 not linked yet: nobody is offered the transfer.
    assert link not in _as(cast.dispatcher).get(page).content.decode()
    integration_setup(channel="police_110", region=cast.county, callback_url="http://110.invalid/")
    text = _as(cast.dispatcher).get(page).content.decode()
    assert link in text and "移交110" in text
    gridworker_page = _as(cast.gridworker).get(page)
    assert gridworker_page.status_code == 200  # the grid worker sees the event, not the link
    assert link not in gridworker_page.content.decode()
    assert link not in _as(cast.leader).get(page).content.decode()
    # Once accepted, the matter is ours: no transfer offered.
    event_transition(actor=cast.dispatcher, event_id=order.event_id, action="accept")
    assert link not in _as(cast.dispatcher).get(page).content.decode()
