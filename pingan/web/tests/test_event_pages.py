"""The event page, its action forms and the report form, driven through the test client."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from django.urls import reverse
from PIL import Image

from pingan.core.pii import mask_name, mask_phone
from pingan.events import workflow
from pingan.events.choices import Status
from pingan.events.models import Attachment, Event, EventTransition
from pingan.events.services import event_report, event_transition

HX = {"HTTP_HX_REQUEST": "true"}


def report(cast, **kw):
    lat, lng = cast.point_a1
    args = dict(
        actor=kw.pop("user", cast.gridworker),
        category=cast.neighbour.pk,
        description="城东小区3幢楼道堆放杂物，邻居争吵",
        lat=lat,
        lng=lng,
    )
    args.update(kw)
    return event_report(**args)[0]


def dispatched(cast):
    e = report(cast)
    event_transition(actor=cast.dispatcher, event_id=e.pk, action="accept")
    event_transition(
        actor=cast.dispatcher,
        event_id=e.pk,
        action="dispatch",
        payload={"lead_department": cast.police.pk, "assisting_departments": [cast.market.pk]},
    )
    return e


def page(client, user, event):
    client.force_login(user)
    response = client.get(reverse("event_detail", args=[event.pk]))
    assert response.status_code == 200
    return response.content.decode()


def buttons(html: str) -> set[str]:
    return set(re.findall(r'class="btn btn-\w+" data-action="(\w+)"', html))


def jpeg_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(buf, "JPEG")
    return buf.getvalue()


# ---- the page ---------------------------------------------------------------------------


def test_dispatcher_sees_accept_on_reported_event_and_handler_does_not(cast, client):
    e = report(cast)
    html = page(client, cast.dispatcher, e)
    assert "accept" in buttons(html)
    assert "受理" in html
    assert e.code in html and "城东社区第一网格" in html and "武原街道" in html

    # The police handler has no assignment yet: the event is not even in scope.
    client.force_login(cast.handler)
    assert client.get(reverse("event_detail", args=[e.pk])).status_code == 404


def test_handler_sees_acknowledge_after_dispatch_and_no_centre_buttons(cast, client):
    e = dispatched(cast)
    html = page(client, cast.handler, e)
    got = buttons(html)
    assert "acknowledge" in got
    assert not got & {"accept", "dispatch", "reject", "verify"}
    # The page shows lead and assisting departments and the assignments table.
    assert "县公安局" in html and "县市场监管局" in html
    assert 'data-deadline="normal"' in html


def test_buttons_are_exactly_the_allowed_actions(cast, client):
    from pingan.events.services import allowed_actions

    e = dispatched(cast)
    for user in (cast.dispatcher, cast.handler, cast.handler_market, cast.gridworker, cast.leader):
        html = page(client, user, e)
        expected = {r.action for r in allowed_actions(user, Event.objects.get(pk=e.pk))}
        assert buttons(html) == expected, user.username


def test_timeline_shows_every_step_with_actor_role_and_statuses(cast, client):
    e = dispatched(cast)
    event_transition(
        actor=cast.handler, event_id=e.pk, action="acknowledge", payload={"note": "已安排民警"}
    )
    html = page(client, cast.dispatcher, e)
    timeline = html.split("流转记录", 1)[1]
    steps = re.findall(r'<li class="ev-step" data-action="(\w+)"', timeline)
    assert steps == ["report", "accept", "dispatch", "acknowledge"]
    for text in (
        "上报",
        "受理",
        "派遣",
        "签收",
        "周民警",
        "部门处置人员",
        "已派遣 → 处置中",
        "已安排民警",
    ):
        assert text in timeline


def test_reporter_is_masked_and_only_a_dispatcher_may_show_it(cast, client):
    e = report(cast, reporter_name="张三丰", reporter_phone="13812345678")
    html = page(client, cast.gridleader, e)
    assert "张**" in html
    assert "138****5678" in html and "13812345678" not in html and "张三丰" not in html
    assert "data-unmask" not in html
    # The dispatcher sees the same masked page, with a "显示" button.
    html = page(client, cast.dispatcher, e)
    assert "13812345678" not in html and "张三丰" not in html and "data-unmask" in html
    client.force_login(cast.dispatcher)
    shown = client.post(f"/events/{e.pk}/contact/").content.decode()
    assert "张三丰" in shown and "13812345678" in shown


def test_masking_helpers():
    assert mask_name("张三丰") == "张**"
    assert mask_name("李四") == "李*"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("") == ""


@pytest.mark.parametrize("who", ["dispatcher_b", "handler_market"])
def test_out_of_scope_user_gets_404_on_page_and_every_action(cast, client, who):
    e = report(cast)
    client.force_login(getattr(cast, who))
    assert client.get(reverse("event_detail", args=[e.pk])).status_code == 404
    for action in workflow.ACTIONS:
        url = reverse("event_action", args=[e.pk, action])
        assert client.get(url).status_code == 404, action
        assert client.post(url, {"note": "x", "result": "x"}).status_code == 404, action
    assert Event.objects.get(pk=e.pk).status == Status.REPORTED
    assert EventTransition.objects.filter(event=e).count() == 1


def test_missing_event_is_404(cast, client):
    client.force_login(cast.dispatcher)
    assert client.get(reverse("event_detail", args=[999999])).status_code == 404
    assert client.get(reverse("event_action", args=[999999, "accept"])).status_code == 404


# ---- action forms -------------------------------------------------------------------------


def test_action_form_partial_has_the_required_fields(cast, client):
    e = report(cast)
    event_transition(actor=cast.dispatcher, event_id=e.pk, action="accept")
    client.force_login(cast.dispatcher)
    r = client.get(reverse("event_action", args=[e.pk, "dispatch"]), **HX)
    html = r.content.decode()
    assert r.status_code == 200
    assert "<html" not in html  # a partial, not a page
    assert 'name="lead_department"' in html and 'name="assisting_departments"' in html
    # The category's default department is pre-selected.
    assert re.search(rf'name="lead_department" value="{cast.police.pk}" checked', html)


def test_accept_through_the_form_moves_the_event_and_triggers(cast, client):
    e = report(cast)
    client.force_login(cast.dispatcher)
    r = client.post(reverse("event_action", args=[e.pk, "accept"]), {"note": "属实"}, **HX)
    assert r.status_code == 200
    assert r["HX-Trigger"] == "event-changed"
    assert r["HX-Retarget"] == "#event-page"
    assert Event.objects.get(pk=e.pk).status == Status.ACCEPTED
    assert 'data-status="accepted"' in r.content.decode()


def test_action_without_htmx_redirects_to_the_page(cast, client):
    e = report(cast)
    client.force_login(cast.dispatcher)
    r = client.post(reverse("event_action", args=[e.pk, "accept"]), {})
    assert r.status_code == 302 and r["Location"] == reverse("event_detail", args=[e.pk])


def test_invalid_action_post_shows_the_field_error_and_changes_nothing(cast, client):
    e = report(cast)
    event_transition(actor=cast.dispatcher, event_id=e.pk, action="accept")
    client.force_login(cast.dispatcher)
    r = client.post(reverse("event_action", args=[e.pk, "dispatch"]), {"lead_department": ""}, **HX)
    assert r.status_code == 422
    assert "请填写主办部门" in r.content.decode()
    assert Event.objects.get(pk=e.pk).status == Status.ACCEPTED
    assert EventTransition.objects.filter(event=e).count() == 2


def test_impossible_action_shows_the_conflict_message(cast, client):
    e = report(cast)
    client.force_login(cast.dispatcher)
    r = client.post(
        reverse("event_action", args=[e.pk, "dispatch"]),
        {"lead_department": cast.police.pk},
        **HX,
    )
    assert r.status_code == 409
    assert "不能执行「派遣」" in r.content.decode()
    assert Event.objects.get(pk=e.pk).status == Status.REPORTED


def test_forbidden_role_gets_the_message_and_nothing_changes(cast, client):
    e = report(cast)
    client.force_login(cast.gridworker)
    r = client.post(reverse("event_action", args=[e.pk, "accept"]), {}, **HX)
    assert r.status_code == 403
    assert "当前角色不能执行「受理」" in r.content.decode()
    assert Event.objects.get(pk=e.pk).status == Status.REPORTED


def test_verify_failed_needs_a_reason(cast, client):
    e = dispatched(cast)
    event_transition(actor=cast.handler, event_id=e.pk, action="acknowledge")
    # Joint handling: the assisting department reports first (else the event waits).
    event_transition(actor=cast.handler_market, event_id=e.pk, action="acknowledge")
    event_transition(
        actor=cast.handler_market,
        event_id=e.pk,
        action="resolve",
        payload={"resolution": "resolved", "result": "已协助"},
    )
    event_transition(
        actor=cast.handler,
        event_id=e.pk,
        action="resolve",
        payload={"resolution": "resolved", "result": "已调解"},
    )
    client.force_login(cast.gridworker)
    url = reverse("event_action", args=[e.pk, "verify"])
    r = client.post(url, {"passed": "false", "note": ""}, **HX)
    assert r.status_code == 422 and "请填写说明" in r.content.decode()
    assert Event.objects.get(pk=e.pk).status == Status.RESOLVED
    r = client.post(url, {"passed": "false", "note": "杂物仍在"}, **HX)
    assert r.status_code == 200
    assert Event.objects.get(pk=e.pk).status == Status.IN_PROGRESS


def test_resolve_with_photo_attaches_it_to_the_timeline_row(cast, client):
    e = dispatched(cast)
    event_transition(actor=cast.handler, event_id=e.pk, action="acknowledge")
    client.force_login(cast.handler)
    photo = io.BytesIO(jpeg_bytes())
    photo.name = "after.jpg"
    r = client.post(
        reverse("event_action", args=[e.pk, "resolve"]),
        {"resolution": "resolved", "result": "已清理杂物", "photos": photo},
        **HX,
    )
    assert r.status_code == 200
    att = Attachment.objects.get(event=e)
    assert att.kind == "result" and att.transition.action == "resolve"
    assert reverse("event_photo_thumb", args=[e.pk, att.pk]) in r.content.decode()


def test_a_bad_photo_rolls_the_action_back(cast, client):
    e = dispatched(cast)
    event_transition(actor=cast.handler, event_id=e.pk, action="acknowledge")
    client.force_login(cast.handler)
    bad = io.BytesIO(b"not an image at all")
    bad.name = "x.jpg"
    r = client.post(
        reverse("event_action", args=[e.pk, "resolve"]),
        {"resolution": "resolved", "result": "已清理杂物", "photos": bad},
        **HX,
    )
    assert r.status_code == 422
    assert "不是有效的照片" in r.content.decode()
    assert Event.objects.get(pk=e.pk).status == Status.IN_PROGRESS
    assert not Attachment.objects.filter(event=e).exists()


def test_merge_takes_the_master_event_code(cast, client):
    master = report(cast)
    dup = report(cast, description="同一处楼道杂物")
    client.force_login(cast.dispatcher)
    url = reverse("event_action", args=[dup.pk, "merge"])
    r = client.post(url, {"master": "330424-19990101-000001"}, **HX)
    assert r.status_code == 422 and "主事件不存在" in r.content.decode()
    r = client.post(url, {"master": master.code}, **HX)
    assert r.status_code == 200
    dup.refresh_from_db()
    assert dup.status == Status.MERGED and dup.master_id == master.pk


# ---- the report form ----------------------------------------------------------------------


def report_form(cast, **kw):
    # Grid a2 is not the worker's own grid (a1): the box 「不在本人网格内」 is ticked.
    lat, lng = cast.point_a2
    data = {
        "outside_own_grid": "1",
        "category_parent": cast.dispute.pk,
        "category": cast.neighbour.pk,
        "description": "广场舞噪音扰民，居民发生口角",
        "urgency": "normal",
        "lat": str(lat),
        "lng": str(lng),
        "client_uuid": str(uuid.uuid4()),
    }
    data.update(kw)
    return data


def test_report_form_renders_categories_and_map(cast, client):
    client.force_login(cast.gridworker)
    html = client.get(reverse("event_report")).content.decode()
    assert "矛盾纠纷" in html and 'name="client_uuid"' in html and 'id="report-map"' in html
    assert 'accept="image/*"' in html and 'name="settle"' in html
    fc = client.get(reverse("event_report_regions")).json()
    assert [f["properties"]["name"] for f in fc["features"]] == ["城东社区第一网格"]


def test_category_partial_renders_leaves_and_extra_fields(cast, client):
    client.force_login(cast.gridworker)
    url = reverse("event_report_fields")
    html = client.get(url, {"category_parent": cast.hazard.pk}, **HX).content.decode()
    assert "消防隐患" in html and "邻里纠纷" not in html
    # The only leaf is chosen, so its extra field shows at once.
    assert 'name="extra.place_kind"' in html and "场所类型" in html


def test_report_creates_event_in_the_grid_of_the_coordinates(cast, client):
    client.force_login(cast.gridworker)
    r = client.post(reverse("event_report"), report_form(cast))
    event = Event.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("event_detail", args=[event.pk])
    assert event.region_id == cast.grid_a2.pk
    assert event.reporter_id == cast.gridworker.pk
    assert event.status == Status.REPORTED


def test_report_outside_the_own_grid_needs_the_box_and_is_noted(cast, client):
    client.force_login(cast.gridworker)
    assert 'name="outside_own_grid"' in client.get(reverse("event_report")).content.decode()
    r = client.post(reverse("event_report"), report_form(cast, outside_own_grid=""))
    assert r.status_code == 422 and "该位置不在本人网格内" in r.content.decode()
    assert not Event.objects.exists()
    r = client.post(reverse("event_report"), report_form(cast, region=str(cast.grid_b1.pk)))
    event = Event.objects.get()  # the point decides: grid a2, noted on the timeline
    assert r.status_code == 302 and event.region_id == cast.grid_a2.pk
    step = event.timeline.get()
    assert step.data["outside_own_grid"] is True and "不在本人网格内" in step.note
    r = client.post(
        reverse("event_report"), report_form(cast, lat="", lng="", region=str(cast.grid_b1.pk))
    )
    assert r.status_code == 422 and "所选区划不在本人网格范围内" in r.content.decode()
    assert Event.objects.count() == 1


def test_same_client_uuid_twice_creates_one_event(cast, client):
    client.force_login(cast.gridworker)
    data = report_form(cast)
    first = client.post(reverse("event_report"), data)
    second = client.post(reverse("event_report"), data)
    assert Event.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_report_errors_are_shown_beside_fields_and_nothing_saved(cast, client):
    client.force_login(cast.gridworker)
    r = client.post(reverse("event_report"), report_form(cast, description=""))
    assert r.status_code == 422
    assert "请填写事件描述" in r.content.decode()
    r = client.post(
        reverse("event_report"),
        report_form(cast, category_parent=cast.hazard.pk, category=cast.fire.pk),
    )
    assert r.status_code == 422
    assert "请填写场所类型" in r.content.decode()
    r = client.post(reverse("event_report"), report_form(cast, lat="30.0", lng="100.0"))
    assert r.status_code == 422 and "不在任何网格内" in r.content.decode()
    assert not Event.objects.exists()


def test_report_with_extra_field_and_photo(cast, client):
    client.force_login(cast.gridworker)
    photo = io.BytesIO(jpeg_bytes())
    photo.name = "scene.jpg"
    data = report_form(
        cast,
        category_parent=cast.hazard.pk,
        category=cast.fire.pk,
        **{"extra.place_kind": "商铺"},
    )
    data["photos"] = photo
    r = client.post(reverse("event_report"), data)
    assert r.status_code == 302
    event = Event.objects.get()
    assert event.extra == {"place_kind": "商铺"}
    att = Attachment.objects.get(event=event)
    assert att.kind == "report" and att.transition.action == "report"


def test_grid_worker_settles_on_site(cast, client):
    lat, lng = cast.point_a1  # the worker's own grid
    client.force_login(cast.gridworker)
    r = client.post(
        reverse("event_report"),
        report_form(cast, lat=lat, lng=lng, settle="1", result="当场劝解，双方和好"),
    )
    assert r.status_code == 302
    event = Event.objects.get()
    assert event.status == Status.CLOSED and event.resolved_on_site
    assert list(event.timeline.values_list("action", flat=True)) == ["report", "resolve_on_site"]


def test_settle_without_result_saves_nothing(cast, client):
    lat, lng = cast.point_a1
    client.force_login(cast.gridworker)
    r = client.post(
        reverse("event_report"), report_form(cast, lat=lat, lng=lng, settle="1", result="")
    )
    assert r.status_code == 422 and "请填写处置结果" in r.content.decode()
    assert not Event.objects.exists()


def test_handler_cannot_report(cast, client):
    client.force_login(cast.handler)
    assert client.get(reverse("event_report")).status_code == 403
    assert client.post(reverse("event_report"), report_form(cast)).status_code == 403
    assert not Event.objects.exists()


def test_form_of_an_action_not_allowed_now_says_so(cast, client):
    e = dispatched(cast)
    client.force_login(cast.handler)
    r = client.get(reverse("event_action", args=[e.pk, "accept"]), **HX)
    assert r.status_code == 409
    html = r.content.decode()
    assert "当前不能执行此操作" in html and "<form" not in html
