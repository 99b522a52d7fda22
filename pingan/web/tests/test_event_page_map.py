"""The event page after issue 17: the location map, photos by stage, full titles, one
deadline word on the page and in the lists, and the handler's tabs whose counts are the
lengths of their lists."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from pingan.core import clock
from pingan.events.attachments import attachment_add
from pingan.events.choices import DeadlineState, Status
from pingan.events.models import Event, EventTransition
from pingan.events.selectors import EventFilters
from pingan.events.services import event_report, event_transition
from pingan.events.titles import title_from
from pingan.org.choices import Role
from pingan.org.services import membership_grant
from pingan.web import tabs

HX = {"HTTP_HX_REQUEST": "true"}


def report(cast, located=True, **kw):
    args = dict(
        actor=kw.pop("user", cast.gridworker),
        category=cast.neighbour.pk,
        description="城东小区3幢楼道堆放杂物，邻居争吵",
    )
    if located:
        args["lat"], args["lng"] = cast.point_a1
    else:
        args["region"] = cast.grid_a1.pk
    args.update(kw)
    return event_report(**args)[0]


def dispatched(cast, **kw):
    e = report(cast, **kw)
    event_transition(actor=cast.dispatcher, event_id=e.pk, action="accept")
    event_transition(
        actor=cast.dispatcher,
        event_id=e.pk,
        action="dispatch",
        payload={"lead_department": cast.police.pk, "assisting_departments": [cast.market.pk]},
    )
    return e


def resolved(cast, **kw):
    e = dispatched(cast, **kw)
    for handler in (cast.handler, cast.handler_market):
        event_transition(actor=handler, event_id=e.pk, action="acknowledge")
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
        payload={"resolution": "resolved", "result": "已清理杂物"},
    )
    assert Event.objects.get(pk=e.pk).status == Status.RESOLVED
    return e


def page(client, user, event) -> str:
    client.force_login(user)
    response = client.get(reverse("event_detail", args=[event.pk]))
    assert response.status_code == 200
    return response.content.decode()


def map_data(html: str) -> dict:
    m = re.search(r'<script id="ev-map-data" type="application/json">(.*?)</script>', html, re.S)
    assert m, "no map data on the page"
    return json.loads(m.group(1))


def jpeg(name: str) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 60)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def transition(event, action: str, department=None) -> EventTransition | None:
    rows = EventTransition.objects.filter(event=event, action=action).order_by("at", "id")
    if department is not None:
        rows = rows.filter(department=department)
    return rows.last()


# ---- the location map --------------------------------------------------------------------


def test_map_shows_the_grid_outline_and_the_point_without_any_internet_url(cast, client):
    e = report(cast)
    html = page(client, cast.dispatcher, e)
    data = map_data(html)
    grid = [f for f in data["outlines"]["features"] if f["properties"]["kind"] == "grid"]
    assert [f["properties"]["name"] for f in grid] == ["城东社区第一网格"]
    assert grid[0]["geometry"] == cast.grid_a1.geometry
    assert data["point"] == list(cast.point_a1)
    assert data["tile_url"] == ""  # no tile server configured: outlines on a plain background
    assert 'id="ev-map"' in html and "vendor/leaflet/leaflet.js" in html
    assert "未定位" not in html
    # Nothing the browser would fetch from outside the county's network.
    assert not re.search(r"(src|href)=\"https?://", html)
    assert "openstreetmap" not in html and "tile.osm" not in html


def test_map_draws_the_town_outline_around_the_grid_when_the_town_has_one(cast, client):
    from pingan.conftest import square
    from pingan.geo.models import Region

    Region.objects.filter(pk=cast.town_a.pk).update(geometry=square(120.90, 30.50, 0.1))
    e = report(cast)
    features = map_data(page(client, cast.dispatcher, e))["outlines"]["features"]
    assert [(f["properties"]["kind"], f["properties"]["name"]) for f in features] == [
        ("town", "武原街道"),
        ("grid", "城东社区第一网格"),
    ]


def test_map_tiles_come_from_the_configured_intranet_server(cast, client, settings):
    settings.PINGAN_MAP_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    e = report(cast)
    assert map_data(page(client, cast.dispatcher, e))["tile_url"] == "/tiles/{z}/{x}/{y}.png"


def test_event_without_coordinates_shows_the_grid_alone_and_says_unlocated(cast, client):
    e = report(cast, located=False)
    assert e.lat is None
    html = page(client, cast.dispatcher, e)
    data = map_data(html)
    assert data["point"] is None
    assert [f["properties"]["name"] for f in data["outlines"]["features"]] == ["城东社区第一网格"]
    assert 'data-map-note="unlocated"' in html and "未定位" in html


def test_roles_that_see_the_address_masked_get_no_exact_point(cast, client):
    e = dispatched(cast, user=cast.gridleader)
    lat, lng = cast.point_a1
    exact = f"{lat:.6f}"
    # The leader and the grid worker see the address masked (no "显示"): outline only.
    for user in (cast.leader, cast.gridworker):
        html = page(client, user, e)
        assert "data-unmask" not in html
        data = map_data(html)
        assert data["point"] is None, user.username
        assert data["outlines"]["features"], user.username
        assert 'data-map-note="outline"' in html and exact not in html
    # The dispatcher and the assigned handler may show the address: the point too.
    for user in (cast.dispatcher, cast.handler):
        html = page(client, user, e)
        assert "data-unmask" in html
        assert map_data(html)["point"] == [lat, lng], user.username
        assert exact in html
    # The reporter sees the point of their own report.
    assert map_data(page(client, cast.gridleader, e))["point"] == [lat, lng]


def test_map_after_an_action_is_drawn_again_from_the_new_page(cast, client):
    e = report(cast)
    client.force_login(cast.dispatcher)
    r = client.post(reverse("event_action", args=[e.pk, "accept"]), {}, **HX)
    assert r.status_code == 200
    assert map_data(r.content.decode())["point"] == list(cast.point_a1)


# ---- photos by stage ---------------------------------------------------------------------


def test_photos_are_grouped_by_stage_with_department_uploader_and_time(cast, client):
    e = report(cast, reporter_name="张三丰", reporter_phone="13812345678")
    first = transition(e, "report")
    attachment_add(actor=cast.gridworker, event_id=e.pk, upload=jpeg("scene.jpg"), transition=first)
    event_transition(actor=cast.dispatcher, event_id=e.pk, action="accept")
    event_transition(
        actor=cast.dispatcher,
        event_id=e.pk,
        action="dispatch",
        payload={"lead_department": cast.police.pk, "assisting_departments": [cast.market.pk]},
    )
    client.force_login(cast.handler_market)
    client.post(reverse("event_action", args=[e.pk, "acknowledge"]), {}, **HX)
    r = client.post(
        reverse("event_action", args=[e.pk, "resolve"]),
        {"result": "已协助", "photos": jpeg("market.jpg")},
        **HX,
    )
    assert r.status_code == 200
    client.force_login(cast.handler)
    client.post(reverse("event_action", args=[e.pk, "acknowledge"]), {}, **HX)
    r = client.post(
        reverse("event_action", args=[e.pk, "resolve"]),
        {
            "resolution": "resolved",
            "result": "已清理",
            "photos": [jpeg("after1.jpg"), jpeg("after2.jpg")],
        },
        **HX,
    )
    assert r.status_code == 200
    event_transition(
        actor=cast.gridworker, event_id=e.pk, action="verify", payload={"passed": True}
    )
    attachment_add(
        actor=cast.gridworker,
        event_id=e.pk,
        upload=jpeg("check.jpg"),
        kind="verification",
        transition=transition(e, "verify"),
    )

    html = page(client, cast.dispatcher, e)
    groups = re.findall(
        r'<section class="ev-photo-group" data-stage="(\w+)">\s*'
        r'<h4 class="ev-photo-stage">(.*?)</h4>(.*?)</section>',
        html,
        re.S,
    )
    heads = [(stage, re.sub(r"<[^>]+>|\s", "", head)) for stage, head, _ in groups]
    assert heads == [
        ("report", "上报照片（1）"),
        ("result", "处置照片·县市场监管局（1）"),
        ("result", "处置照片·县公安局（2）"),
        ("verification", "核查照片（1）"),
    ]
    who = [re.findall(r'class="ev-photo-who">(.*?)<', body) for _, _, body in groups]
    assert who == [["张网格"], ["吴市监"], ["周民警", "周民警"], ["张网格"]]
    # Each photo says when; within a stage the oldest comes first.
    police = groups[2][2]
    ids = [int(x) for x in re.findall(r'data-photo="(\d+)"', police)]
    assert ids == sorted(ids) and len(re.findall(r"<time datetime=", police)) == 2
    # The reporter (a citizen) stays masked: the uploader named is the staff member.
    assert "张三丰" not in html and "13812345678" not in html


# ---- full titles -------------------------------------------------------------------------


LONG = (
    "城东社区海滨路3号楼下水道堵塞污水外溢到路面居民反映已经持续三天了，"
    "附近商铺也受到影响。请尽快处理"
)


def test_a_title_taken_from_the_description_is_never_cut_inside_a_word():
    assert title_from("城东小区3幢楼道堆放杂物，邻居争吵") == "城东小区3幢楼道堆放杂物，邻居争吵"
    assert title_from(LONG) == "城东社区海滨路3号楼下水道堵塞污水外溢到路面居民反映已经持续三天了"
    assert title_from("路灯不亮。已经一周") == "路灯不亮"
    assert title_from("Street light broken near the school gate, please fix") == (
        "Street light broken near the school gate"
    )


def test_full_title_on_the_page_and_in_the_list(cast, client):
    e = report(cast, description=LONG)
    full = "城东社区海滨路3号楼下水道堵塞污水外溢到路面居民反映已经持续三天了"
    assert e.title == full and len(full) > 30
    html = page(client, cast.dispatcher, e)
    assert f'<h1 class="ev-title">{full}</h1>' in html
    listing = client.get(reverse("event_list")).content.decode()
    assert f">{full}</a>" in listing

    given = "居民反映海滨路3号楼下水道堵塞污水外溢到路面已经三天附近商铺受到影响"
    e2 = report(cast, title=given, description="见标题")
    assert given in page(client, cast.dispatcher, e2)


# ---- one deadline word -------------------------------------------------------------------


def badge_words(html: str, code: str) -> list[str]:
    row = html.split(code, 1)[1].split("</tr>", 1)[0]
    return re.findall(r'data-deadline="(\w+)"[^>]*>([^<]+)<', row)


@pytest.mark.parametrize(
    ("shift", "state", "word"),
    [
        (dt.timedelta(minutes=5), "normal", "正常"),
        (None, "warning", "临期"),
        (dt.timedelta(days=30), "overdue", "超期"),
    ],
)
def test_the_same_deadline_word_on_the_page_and_in_the_list(cast, client, shift, state, word):
    e = dispatched(cast)
    event_transition(actor=cast.handler, event_id=e.pk, action="acknowledge")
    e = Event.objects.get(pk=e.pk)
    at = e.warn_at + dt.timedelta(minutes=1) if shift is None else e.clock_started_at + shift
    if state == "overdue":
        at = e.due_at + dt.timedelta(hours=1)
    with clock.frozen(at):
        html = page(client, cast.dispatcher, e)
        listing = client.get(reverse("event_list")).content.decode()
    on_page = re.findall(r'data-deadline="(\w+)"[^>]*>([^<]+)<', html.split("ev-badges", 1)[1])
    assert on_page[0] == (state, word)
    assert badge_words(listing, e.code) == [(state, word)]
    assert str(DeadlineState(state).label) == word  # exports and filters use the same word


def test_the_export_and_the_list_filter_use_the_same_words(cast):
    from pingan.analytics.exports import event_row
    from pingan.web.forms import EventFilterForm

    e = dispatched(cast)
    for state, word in (("normal", "正常"), ("warning", "临期"), ("overdue", "超期")):
        Event.objects.filter(pk=e.pk).update(deadline_state=state)
        row = event_row(Event.objects.select_related("category", "region").get(pk=e.pk))
        assert word in row and "红灯" not in row and "黄灯" not in row
    choices = dict(EventFilterForm.base_fields["deadline_state"].choices)  # type: ignore[attr-defined]
    assert [str(choices[k]) for k in ("normal", "warning", "overdue")] == ["正常", "临期", "超期"]


# ---- tabs whose counts are their lists ---------------------------------------------------


def inbox(client, user, department, key: str) -> str:
    client.force_login(user)
    return client.get(
        reverse("workbench"), {"section": f"dept-{department.pk}", "htab": key}, **HX
    ).content.decode()


def listed(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'<tr class="urgency-\w+" data-event="(\d+)"', html)}


def test_each_handler_tab_counts_exactly_the_events_it_lists(cast, client):
    pending = dispatched(cast)
    doing = dispatched(cast)
    event_transition(actor=cast.handler, event_id=doing.pk, action="acknowledge")
    to_verify = resolved(cast)
    done = resolved(cast)
    event_transition(
        actor=cast.gridworker, event_id=done.pk, action="verify", payload={"passed": True}
    )
    assert Event.objects.get(pk=done.pk).status == Status.CLOSED

    expected = {
        "pending": {pending.pk},
        "doing": {doing.pk},
        "overdue": set(),
        "feedback": {to_verify.pk},
        "done": {done.pk},
    }
    assert [t.key for t in tabs.INBOX_TABS] == list(expected)
    base = EventFilters(department=cast.police.pk)
    for key, events in expected.items():
        html = inbox(client, cast.handler, cast.police, key)
        count = int(re.search(rf'data-count="{key}">(\d+)<', html).group(1))
        assert listed(html) == events, key
        assert count == len(events), key
        tab = tabs.pick(tabs.INBOX_TABS, key)
        assert (
            tabs.tab_count(cast.handler, base, tab)
            == tabs.tab_events(cast.handler, base, tab).count()
        )
    # The matter still 待核查 is under its own tab, not under 已办结.
    html = inbox(client, cast.handler, cast.police, "done")
    assert "已反馈待核查" in html and to_verify.code not in html

    # A failed verification sends it back to the department's 办理中.
    event_transition(
        actor=cast.gridworker,
        event_id=to_verify.pk,
        action="verify",
        payload={"passed": False, "note": "杂物仍在"},
    )
    assert listed(inbox(client, cast.handler, cast.police, "feedback")) == set()
    assert to_verify.pk in listed(inbox(client, cast.handler, cast.police, "doing"))


def test_overdue_tab_count_matches_its_list(cast, client):
    e = dispatched(cast)
    with clock.frozen(Event.objects.get(pk=e.pk).due_at + dt.timedelta(hours=1)):
        html = inbox(client, cast.handler, cast.police, "overdue")
    assert listed(html) == {e.pk}
    assert re.search(r'data-count="overdue">1<', html)


# ---- the 镇街 filter ---------------------------------------------------------------------


def test_town_filter_offers_the_towns_the_user_can_see(cast):
    both = {cast.town_a.pk, cast.town_b.pk}
    assert {t.pk for t in tabs.filter_towns(cast.county_dispatcher)} == both
    assert {t.pk for t in tabs.filter_towns(cast.leader)} == both
    assert {t.pk for t in tabs.filter_towns(cast.dispatcher)} == {cast.town_a.pk}
    assert {t.pk for t in tabs.filter_towns(cast.handler)} == both
    # A town dispatcher who also handles for a county department sees that department's
    # events in every town: the filter offers every town.
    membership_grant(user=cast.dispatcher, role=Role.HANDLER, department=cast.police)
    assert {t.pk for t in tabs.filter_towns(cast.dispatcher)} == both
