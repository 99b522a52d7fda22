"""The main pages as each role uses them: sign-in, workbenches, the event list, search."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from pingan.core import clock
from pingan.events.choices import Status
from pingan.events.services import event_report, event_transition

HTMX = {"HTTP_HX_REQUEST": "true"}


def report(cast, user=None, point=None, category=None, description="楼道堆放杂物，邻居争吵"):
    lat, lng = point or cast.point_a1
    return event_report(
        actor=user or cast.gridworker,
        category=(category or cast.neighbour).pk,
        description=description,
        lat=lat,
        lng=lng,
    )[0]


def report_b(cast, description="通元村道路积水，村民有意见"):
    return report(cast, user=cast.gridworker_b, point=cast.point_b1, description=description)


def dispatched(cast, event, department=None):
    event_transition(actor=cast.dispatcher, event_id=event.pk, action="accept")
    return event_transition(
        actor=cast.dispatcher,
        event_id=event.pk,
        action="dispatch",
        payload={"lead_department": (department or cast.police).pk},
    )


def as_user(client, user):
    client.force_login(user)
    return client


def tab_count(html: str, key: str) -> int:
    m = re.search(rf'data-count="{key}">(\d+)<', html)
    assert m, f"no count for tab {key}"
    return int(m.group(1))


# ---- sign-in -----------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, cast):
    response = client.get(reverse("workbench"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_with_right_password_opens_the_workbench(client, cast):
    import pyotp

    response = client.post(reverse("login"), {"username": "disp-a", "password": cast.password})
    # A dispatcher must use two factors: first sign-in binds an authenticator.
    assert response.status_code == 302 and response["Location"] == reverse("login_otp_setup")
    client.get(reverse("login_otp_setup"))
    code = pyotp.TOTP(cast.dispatcher.totp_device.secret).now()
    response = client.post(reverse("login_otp_setup"), {"code": code})
    assert response.status_code == 302 and response["Location"] == reverse("workbench")
    assert "受理队列" in client.get(reverse("workbench")).content.decode()


def test_sign_in_follows_a_safe_next_only(client, cast):
    ok = client.post(
        reverse("login") + "?next=/events/", {"username": "gw", "password": cast.password}
    )
    assert ok["Location"] == "/events/"
    client.post(reverse("logout"))
    evil = client.post(
        reverse("login"),
        {"username": "gw", "password": cast.password, "next": "https://evil.example/"},
    )
    assert evil["Location"] == reverse("workbench")


def test_wrong_password_says_so_in_chinese(client, cast):
    response = client.post(reverse("login"), {"username": "disp-a", "password": "wrong-one"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_is_throttled_after_five_failures_for_the_username(client, cast):
    for _ in range(5):
        client.post(reverse("login"), {"username": "disp-a", "password": "guess"})
    response = client.post(reverse("login"), {"username": "disp-a", "password": cast.password})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another username is not affected.
    other = client.post(reverse("login"), {"username": "disp-b", "password": cast.password})
    assert other.status_code == 302


def test_sign_out_needs_post(client, cast):
    as_user(client, cast.gridworker)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get(reverse("workbench")).status_code == 302


def test_sign_in_page_is_chinese_by_default_and_english_after_switching(client, cast):
    page = client.get(reverse("login")).content.decode()
    assert "登录平安系统" in page and 'lang="zh-hans"' in page
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    page = client.get(reverse("login")).content.decode()
    assert "Sign in to Pingan" in page and 'lang="en"' in page
    assert "登录平安系统" not in page


def test_english_wrong_password_message(client, cast):
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(reverse("login"), {"username": "gw", "password": "nope"})
    assert "Wrong username or password" in response.content.decode()


# ---- header ------------------------------------------------------------------------


def test_header_shows_name_and_role_navigation(client, cast):
    page = as_user(client, cast.gridworker).get(reverse("workbench")).content.decode()
    assert "张网格" in page
    assert reverse("event_report") in page and reverse("inbox") in page
    assert reverse("admin:index") not in page
    page = as_user(client, cast.handler).get(reverse("workbench")).content.decode()
    assert reverse("event_report") not in page  # handlers do not report


# ---- dispatcher --------------------------------------------------------------------


def test_dispatcher_queue_holds_own_towns_events_only(client, cast):
    a = report(cast)
    b = report_b(cast)
    page = as_user(client, cast.dispatcher).get(reverse("workbench")).content.decode()
    assert a.code in page and b.code not in page
    assert tab_count(page, "reported") == 1
    assert reverse("event_detail", args=[a.pk]) in page
    client.logout()
    page = as_user(client, cast.dispatcher_b).get(reverse("workbench")).content.decode()
    assert b.code in page and a.code not in page
    assert tab_count(page, "reported") == 1


def test_dispatcher_tabs_count_each_stage(client, cast):
    report(cast)
    second = report(cast, description="商铺门口占道经营")
    third = report(cast, description="小区消防通道堵塞")
    event_transition(actor=cast.dispatcher, event_id=second.pk, action="accept")
    dispatched(cast, third)
    client = as_user(client, cast.dispatcher)
    page = client.get(reverse("workbench")).content.decode()
    assert (tab_count(page, "reported"), tab_count(page, "accepted")) == (1, 1)
    assert (tab_count(page, "handling"), tab_count(page, "resolved")) == (1, 0)
    handling = client.get(reverse("workbench"), {"tab": "handling"}).content.decode()
    assert third.code in handling and second.code not in handling


def test_the_queue_tabs_are_counted_in_one_statement_with_each_tabs_own_list(cast):
    """The grouped count gives every tab the number of events its own list shows, the
    overdue tab's live clock included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pingan.events.models import Event
    from pingan.events.selectors import EventFilters
    from pingan.web import tabs

    report(cast)
    accepted = report(cast, description="商铺门口占道经营")
    event_transition(actor=cast.dispatcher, event_id=accepted.pk, action="accept")
    late = dispatched(cast, report(cast, description="小区消防通道堵塞"))
    dispatched(cast, report(cast, description="路灯不亮影响通行"))
    Event.objects.filter(pk=late.pk).update(due_at=clock.now() - dt.timedelta(hours=1))
    whole = EventFilters(queue_region=cast.town_a.pk)
    with CaptureQueriesContext(connection) as queries:
        grouped = tabs.tab_counts(cast.dispatcher, whole, tabs.QUEUE_TABS)
    each = [len(tabs.tab_events(cast.dispatcher, whole, t)) for t in tabs.QUEUE_TABS]
    assert grouped == each == [1, 1, 2, 0, 1]
    assert sum("COUNT(" in q["sql"].upper() for q in queries) == 1
    assert tabs.tab_counts(cast.dispatcher, whole, tabs.QUEUE_TABS, cap=1) == [1, 1, 2, 0, 1]
    # A base that sets a tab's own filter, or tabs that follow assignments: one per tab.
    handler = tabs.tab_counts(cast.handler, EventFilters(), tabs.INBOX_TABS)
    assert handler == [tabs.tab_count(cast.handler, EventFilters(), t) for t in tabs.INBOX_TABS]


def test_tab_counts_stop_at_the_cap(client, cast, monkeypatch):
    from pingan.web.views import workbench

    for text in ("商铺门口占道经营", "小区消防通道堵塞", "路灯不亮影响通行"):
        report(cast, description=text)
    monkeypatch.setattr(workbench, "TAB_COUNT_CAP", 2)
    page = as_user(client, cast.dispatcher).get(reverse("workbench")).content.decode()
    assert 'data-count="reported">2+<' in page
    assert tab_count(page, "accepted") == 0


def test_queue_filter_returns_the_narrowed_table_only(client, cast):
    neighbour = report(cast)
    fire = event_report(
        actor=cast.gridleader,  # grid a2 is in the grid leader's village, not the worker's grid
        category=cast.fire.pk,
        description="仓库灭火器过期",
        region=cast.grid_a2.pk,
        extra={"place_kind": "商铺"},
    )[0]
    response = as_user(client, cast.dispatcher).get(
        reverse("workbench"), {"section": "queue", "category": cast.hazard.pk}, **HTMX
    )
    html = response.content.decode()
    assert "<html" not in html and 'id="queue"' in html
    assert fire.code in html and neighbour.code not in html


def test_queue_town_filter_for_county_dispatcher(client, cast):
    a = report(cast)
    b = report_b(cast)
    client = as_user(client, cast.county_dispatcher)
    everything = client.get(reverse("workbench"), {"centre": "all"}).content.decode()
    assert a.code in everything and b.code in everything
    town_b = client.get(
        reverse("workbench"), {"centre": "all", "region": cast.town_b.pk}
    ).content.decode()
    assert b.code in town_b and a.code not in town_b
    # The county centre's own queue holds only what was queued there.
    own = client.get(reverse("workbench")).content.decode()
    assert a.code not in own and tab_count(own, "reported") == 0


def test_bulk_accept_accepts_the_selected_and_reports_failures(client, cast):
    first = report(cast)
    second = report(cast, description="噪音扰民")
    already = report(cast, description="垃圾未清运")
    event_transition(actor=cast.dispatcher, event_id=already.pk, action="accept")
    other_town = report_b(cast)
    untouched = report(cast, description="路灯不亮")
    response = as_user(client, cast.dispatcher).post(
        reverse("bulk_accept"),
        {"ids": [first.pk, second.pk, already.pk, other_town.pk]},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and response["HX-Trigger"] == "events-changed"
    assert "已受理 2 件" in html
    assert "2 件未受理" in html
    assert already.code in html and "不能执行「受理」" in html
    assert "事件不存在" in html and other_town.code not in html  # no leak of the other town
    first.refresh_from_db(), second.refresh_from_db(), other_town.refresh_from_db()
    untouched.refresh_from_db()
    assert first.status == second.status == Status.ACCEPTED
    assert other_town.status == Status.REPORTED and untouched.status == Status.REPORTED


def test_bulk_accept_without_javascript_redirects_with_messages(client, cast):
    event = report(cast)
    client = as_user(client, cast.dispatcher)
    response = client.post(reverse("bulk_accept"), {"ids": [event.pk]}, follow=True)
    page = response.content.decode()
    assert "已受理 1 件" in page
    event.refresh_from_db()
    assert event.status == Status.ACCEPTED
    empty = client.post(reverse("bulk_accept"), {}, follow=True).content.decode()
    assert "请先勾选要受理的事件" in empty


def test_bulk_accept_refused_to_a_handler(client, cast):
    event = report(cast)
    html = (
        as_user(client, cast.handler)
        .post(reverse("bulk_accept"), {"ids": [event.pk]}, follow=True)
        .content.decode()
    )
    assert "已受理" not in html
    event.refresh_from_db()
    assert event.status == Status.REPORTED


# ---- handler -----------------------------------------------------------------------


def test_handler_inbox_shows_own_department_work_only(client, cast):
    police_event = dispatched(cast, report(cast))
    market_event = dispatched(cast, report(cast, description="超市售卖过期食品"), cast.market)
    page = as_user(client, cast.handler).get(reverse("workbench")).content.decode()
    assert "县公安局" in page and tab_count(page, "pending") == 1
    assert police_event.code in page and market_event.code not in page
    client.logout()
    page = as_user(client, cast.handler_market).get(reverse("workbench")).content.decode()
    assert market_event.code in page and police_event.code not in page


def test_acknowledged_event_moves_to_in_progress_tab(client, cast):
    event = dispatched(cast, report(cast))
    event_transition(actor=cast.handler, event_id=event.pk, action="acknowledge")
    client = as_user(client, cast.handler)
    page = client.get(reverse("workbench")).content.decode()
    assert tab_count(page, "pending") == 0 and tab_count(page, "doing") == 1
    html = client.get(
        reverse("workbench"), {"section": f"dept-{cast.police.pk}", "htab": "doing"}, **HTMX
    ).content.decode()
    assert "<html" not in html and event.code in html


def test_handler_overdue_tab(client, cast):
    event = dispatched(cast, report(cast))
    later = event.due_at + dt.timedelta(hours=1)
    with clock.frozen(later):
        page = as_user(client, cast.handler).get(reverse("workbench"), {"htab": "overdue"})
    html = page.content.decode()
    assert tab_count(html, "overdue") == 1 and event.code in html
    assert "badge-overdue" in html


# ---- grid worker -------------------------------------------------------------------


def test_grid_worker_sees_reports_verification_and_report_button(client, cast):
    mine = report(cast)
    to_check = dispatched(cast, report(cast, description="井盖缺失"))
    event_transition(actor=cast.handler, event_id=to_check.pk, action="acknowledge")
    event_transition(
        actor=cast.handler,
        event_id=to_check.pk,
        action="resolve",
        payload={"resolution": "resolved", "result": "已补装"},
    )
    page = as_user(client, cast.gridworker).get(reverse("workbench")).content.decode()
    assert reverse("event_report") in page and "上报事件" in page
    assert mine.code in page and "待受理" in page
    verify_part = page.split("待我核查")[1].split("我的上报")[0]
    assert to_check.code in verify_part and mine.code not in verify_part
    client.logout()
    other = as_user(client, cast.gridworker_b).get(reverse("workbench")).content.decode()
    assert to_check.code not in other and mine.code not in other


# ---- leader ------------------------------------------------------------------------


def stat(html: str, key: str) -> str:
    m = re.search(rf'data-stat="{key}">([^<]*)<', html)
    assert m, key
    return m.group(1)


def test_leader_overview_counts_within_scope(client, cast):
    closed = report(cast)
    event_transition(
        actor=cast.gridworker,
        event_id=closed.pk,
        action="resolve_on_site",
        payload={"result": "当场劝解"},
    )
    late = dispatched(cast, report(cast, description="违章搭建"))
    report(cast, description="占道")
    with clock.frozen(late.due_at + dt.timedelta(hours=1)):
        html = as_user(client, cast.leader).get(reverse("workbench")).content.decode()
        client.logout()
        html_b = as_user(client, cast.leader_b).get(reverse("workbench")).content.decode()
    if late.due_at.month == clock.now().month:  # the month rolled over: totals restart
        assert stat(html, "total_month") == "3"
    assert stat(html, "open_now") == "2"
    assert stat(html, "overdue_now") == "1"
    assert late.code in html.split("超期事件")[1]
    # The town B leader sees none of town A's events.
    assert stat(html_b, "open_now") == "0" and stat(html_b, "overdue_now") == "0"
    assert late.code not in html_b


def test_leader_closure_rate(client, cast):
    closed = report(cast)
    event_transition(
        actor=cast.gridworker,
        event_id=closed.pk,
        action="resolve_on_site",
        payload={"result": "当场劝解"},
    )
    dispatched(cast, report(cast, description="违章搭建"))
    report(cast, description="尚未受理")  # not accepted: outside the rate
    html = as_user(client, cast.leader).get(reverse("workbench")).content.decode()
    assert stat(html, "closed_month") == "1"
    # Two decimals, with the parts anyone can divide: 1 closed of 2 accepted.
    assert stat(html, "closure_rate") == "50.00%"
    assert stat(html, "closure_parts") == "本月上报的事件：办结 1 / 受理 2"


def test_admins_get_a_pointer_to_the_back_office(client, cast):
    page = as_user(client, cast.sysadmin).get(reverse("workbench")).content.decode()
    assert "进入后台管理" in page and reverse("admin:index") in page
    assert "受理队列" not in page


# ---- event list & search -----------------------------------------------------------


def test_search_by_code_finds_exactly_that_event(client, cast):
    wanted = report(cast)
    other = report(cast, description="另一件")
    html = (
        as_user(client, cast.dispatcher)
        .get(reverse("event_list"), {"q": wanted.code})
        .content.decode()
    )
    assert wanted.code in html and other.code not in html
    assert reverse("event_detail", args=[wanted.pk]) in html


def test_search_by_text(client, cast):
    hit = report(cast, description="化工厂排污口异味")
    miss = report(cast, description="邻居噪音")
    html = as_user(client, cast.leader).get(reverse("event_list"), {"q": "排污"}).content.decode()
    assert hit.code in html and miss.code not in html


def test_list_filters_narrow_the_table(client, cast):
    reported = report(cast)
    accepted = report(cast, description="广场舞噪音")
    event_transition(actor=cast.dispatcher, event_id=accepted.pk, action="accept")
    b = report_b(cast)
    client = as_user(client, cast.county_dispatcher)
    everything = client.get(reverse("event_list")).content.decode()
    assert all(e.code in everything for e in (reported, accepted, b))
    by_status = client.get(reverse("event_list"), {"status": "accepted"}).content.decode()
    assert accepted.code in by_status and reported.code not in by_status
    two = client.get(
        reverse("event_list") + f"?status=accepted&status=reported&region={cast.town_a.pk}"
    ).content.decode()
    assert reported.code in two and accepted.code in two and b.code not in two
    # The combination stays selected in the form, so changing another filter keeps it.
    assert '<option value="accepted,reported" selected>已受理、待受理</option>' in two
    partial = client.get(reverse("event_list"), {"region": cast.town_b.pk}, **HTMX)
    html = partial.content.decode()
    assert "<html" not in html and b.code in html and reported.code not in html


def test_list_shows_deadline_badge_and_lead_department(client, cast):
    event = dispatched(cast, report(cast))
    html = as_user(client, cast.dispatcher).get(reverse("event_list")).content.decode()
    assert "badge-normal" in html and "县公安局" in html
    with clock.frozen(event.due_at + dt.timedelta(minutes=1)):
        html = client.get(reverse("event_list"), {"deadline_state": "overdue"}).content.decode()
    assert event.code in html and "badge-overdue" in html


def test_bad_filter_value_names_the_field_in_chinese(client, cast):
    report(cast)
    html = (
        as_user(client, cast.dispatcher)
        .get(reverse("event_list"), {"reported_from": "明天"})
        .content.decode()
    )
    assert "上报起：日期格式应为 YYYY-MM-DD" in html
    assert "没有符合条件的事件" in html


def test_list_hides_other_towns_and_departments(client, cast):
    a = dispatched(cast, report(cast))
    b = report_b(cast)
    html = as_user(client, cast.dispatcher_b).get(reverse("event_list")).content.decode()
    assert b.code in html and a.code not in html
    client.logout()
    html = as_user(client, cast.handler_market).get(reverse("event_list")).content.decode()
    assert a.code not in html and b.code not in html
    html = client.get(reverse("event_list"), {"q": a.code}).content.decode()
    assert reverse("event_detail", args=[a.pk]) not in html and "没有符合条件的事件" in html


def test_list_paginates(client, cast, django_assert_max_num_queries):
    events = [report(cast, description=f"事件{i}") for i in range(25)]
    client = as_user(client, cast.dispatcher)
    client.get(reverse("event_list"))  # warm the session
    # No query per row; the count asks the recent months first, then (too few there)
    # the whole table: one statement more than a plain count.
    with django_assert_max_num_queries(15):
        first = client.get(reverse("event_list")).content.decode()
    assert events[-1].code in first and events[0].code not in first
    assert "第 1 / 2 页" in first
    second = client.get(reverse("event_list"), {"page": 2}).content.decode()
    assert events[0].code in second


@pytest.mark.parametrize("name", ["workbench", "event_list", "inbox"])
def test_pages_need_sign_in(client, cast, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_leader_sees_the_missed_acknowledgement_deadline_not_the_handling_one(client, cast):
    late = dispatched(cast, report(cast, description="违章搭建"))
    assert late.ack_due_at < late.due_at
    with clock.frozen(late.ack_due_at + dt.timedelta(minutes=5)):
        html = as_user(client, cast.leader).get(reverse("workbench")).content.decode()
    row = html.split("超期事件")[1].split(late.code)[1].split("</tr>")[0]
    assert "签收" in row
    assert timezone.localtime(late.ack_due_at).strftime("%Y-%m-%d %H:%M") in row
    assert 'data-deadline="overdue"' in row and "超期" in row
