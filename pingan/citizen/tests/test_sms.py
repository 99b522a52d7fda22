"""The citizen who reported on the page hears by SMS when the matter is merged into
another (and the tracking page says into which) and when it is closed (with the code to
rate it)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from pingan.citizen.services import citizen_report_submit
from pingan.core import clock
from pingan.events.models import Event
from pingan.events.services import event_report, event_transition
from pingan.intake.services import integration_setup
from pingan.notifications.models import Delivery
from pingan.notifications.tests.receiver import Receiver
from pingan.triage.services import duplicate_merge

PHONE = "13912345678"
TEXT = "城东小区门口路灯坏了一个多月，晚上很黑，老人走路摔倒过"


@pytest.fixture
def gateway(monkeypatch, settings):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    r = Receiver(0, path="/sms")
    r.thread.start()
    settings.PINGAN_SMS_GATEWAY_URL = r.url
    settings.PINGAN_SITE_URL = "https://pingan.example.gov.cn"
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def citizen(cast):
    return integration_setup(channel="citizen", region=cast.county)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(fn, **kw):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kw)

    return run


def submit(cast, committed, phone=PHONE):
    lat, lng = cast.point_a1
    return committed(
        citizen_report_submit,
        actor=None,
        phone=phone,
        description=TEXT,
        category=cast.neighbour.pk,
        lat=lat,
        lng=lng,
    )


def texts(gateway):
    return [json.loads(body) for _, body, _ in gateway.delivered]


def test_merging_a_citizen_report_sends_that_citizen_one_sms(cast, citizen, gateway, committed):
    lat, lng = cast.point_a1
    master, _ = committed(
        event_report,
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description=TEXT,
        lat=lat,
        lng=lng,
    )
    report = submit(cast, committed)
    assert gateway.posts == []  # nothing on report
    committed(
        duplicate_merge, actor=cast.county_dispatcher, event_id=report.event_id, master_id=master.pk
    )
    (sms,) = texts(gateway)
    assert sms["mobile"] == PHONE
    assert sms["content"] == (
        f"您反映的问题（查询码{report.code}）与同类问题合并办理，合并后的事件编号为"
        f"{master.code}，办理进度可凭原查询码{report.code}查询。"
    )
    assert TEXT[:6] not in sms["content"]  # no description, no address, no name
    d = Delivery.objects.get(channel="sms")
    assert (d.state, d.target, d.attempts) == ("sent", f"e{report.event_id}", 1)
    # The master's reporter is a grid worker with an account: told in the inbox, no SMS.
    assert cast.gridworker.notifications.filter(kind="merged_in", event=master).exists()

    page = (
        Client()
        .get(reverse("citizen:track"), {"code": report.code, "last4": PHONE[-4:]})
        .content.decode()
    )
    assert "已合并" in page and 'data-testid="citizen-merged"' in page
    assert f"合并后的事件编号：{master.code}" in page and "当前状态：待受理" in page


def test_closing_tells_the_citizen_where_to_rate_with_the_code(cast, citizen, gateway, committed):
    report = submit(cast, committed)
    e, u = report.event_id, cast.county_dispatcher
    with clock.frozen(clock.now()):
        committed(event_transition, actor=u, event_id=e, action="accept")
        committed(
            event_transition,
            actor=u,
            event_id=e,
            action="dispatch",
            payload={"lead_department": cast.police.pk},
        )
        committed(event_transition, actor=cast.handler, event_id=e, action="acknowledge")
        committed(
            event_transition,
            actor=cast.handler,
            event_id=e,
            action="resolve",
            payload={"result": "已修复"},
        )
        assert gateway.posts == []  # only merge and closure are news for the citizen
        committed(event_transition, actor=u, event_id=e, action="verify", payload={"passed": True})
    (sms,) = texts(gateway)
    assert sms["content"] == (
        f"您反映的问题（查询码{report.code}）已办结，请凭查询码和手机号后4位在"
        "https://pingan.example.gov.cn/citizen/track/查看办理结果并评价。"
    )
    assert Event.objects.get(pk=e).status == "closed"


def test_when_both_matters_came_from_citizens_each_hears_once(cast, citizen, gateway, committed):
    first = submit(cast, committed, phone="13900000001")
    second = submit(cast, committed, phone="13900000002")
    committed(
        duplicate_merge,
        actor=cast.county_dispatcher,
        event_id=second.event_id,
        master_id=first.event_id,
    )
    by_phone = {m["mobile"]: m["content"] for m in texts(gateway)}
    assert len(gateway.posts) == 2
    assert by_phone["13900000002"].startswith(f"您反映的问题（查询码{second.code}）与同类问题")
    assert by_phone["13900000001"] == (
        f"另有群众反映的同类问题已并入您反映的问题（查询码{first.code}），将一并办理。"
    )


def _close(cast, committed, event_id):
    u = cast.county_dispatcher
    committed(event_transition, actor=u, event_id=event_id, action="accept")
    committed(
        event_transition,
        actor=u,
        event_id=event_id,
        action="dispatch",
        payload={"lead_department": cast.police.pk},
    )
    committed(event_transition, actor=cast.handler, event_id=event_id, action="acknowledge")
    committed(
        event_transition,
        actor=cast.handler,
        event_id=event_id,
        action="resolve",
        payload={"result": "已修复"},
    )
    committed(
        event_transition, actor=u, event_id=event_id, action="verify", payload={"passed": True}
    )


def test_a_rejected_report_tells_the_citizen_why(cast, citizen, gateway, committed):
    report = submit(cast, committed)
    committed(
        event_transition,
        actor=cast.county_dispatcher,
        event_id=report.event_id,
        action="reject",
        payload={
            "note": "物业经理王大明（13812345678）称已处理",
            "public_reply": "属于物业服务合同纠纷，请\n与物业公司协商或向住建部门反映",
        },
    )
    (sms,) = texts(gateway)
    assert sms["mobile"] == PHONE
    assert sms["content"] == (
        f"您反映的问题（查询码{report.code}）经审核不予受理，原因："
        "属于物业服务合同纠纷，请 与物业公司协商或向住建部门反映。"
    )
    assert Event.objects.get(pk=report.event_id).status == "rejected"


def test_a_rejection_without_a_public_reply_sends_no_internal_note(
    cast, citizen, gateway, committed
):
    report = submit(cast, committed)
    committed(
        event_transition,
        actor=cast.county_dispatcher,
        event_id=report.event_id,
        action="reject",
        payload={"note": "物业经理王大明（13812345678）称已处理"},
    )
    (sms,) = texts(gateway)
    assert sms["content"] == f"您反映的问题（查询码{report.code}）经审核不予受理。"


def test_a_citizen_whose_report_was_merged_hears_when_the_master_closes(
    cast, citizen, gateway, committed
):
    lat, lng = cast.point_a1
    master, _ = committed(
        event_report,
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description=TEXT,
        lat=lat,
        lng=lng,
    )
    merged = submit(cast, committed, phone="13900000001")
    committed(
        duplicate_merge, actor=cast.county_dispatcher, event_id=merged.event_id, master_id=master.pk
    )
    assert len(gateway.posts) == 1  # the merge news
    _close(cast, committed, master.pk)
    contents = [m["content"] for m in texts(gateway)]
    assert len(contents) == 2
    assert contents[1] == (
        f"您反映的问题（查询码{merged.code}）已随合并后的事件{master.code}一并办结，感谢您的反映。"
    )
    assert Delivery.objects.filter(channel="sms", target=f"e{merged.event_id}").count() == 2
