"""The emergency pages render for those who may see them: the command page (and its wall
mode and refresh), 启动预案 from the event page, the phone page's buttons, the roster and
drills."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from pingan.core import clock
from pingan.emergency.models import Activation, ActivationGroup, DutyShift
from pingan.emergency.tests.factories import activate, duty_now, urgent_event, wage_plan


@pytest.fixture
def as_user(db):
    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


def test_the_command_page_shows_groups_tasks_times_and_polls(cast, as_user):
    a = activate(cast, wage_plan(cast))
    c = as_user(cast.dispatcher)
    r = c.get(f"/emergency/activations/{a.pk}/")
    html = r.content.decode()
    assert r.status_code == 200
    for text in ("谈判组", "安抚组", "现场对接组", "与讨薪代表对话", "响应时间", a.code):
        assert text in html
    assert 'hx-trigger="every 15s"' in html and 'data-action="arrive"' in html
    wall = c.get(f"/emergency/activations/{a.pk}/?wall=1").content.decode()
    assert "em-wall" in wall and 'data-action="arrive"' not in wall
    live = c.get(f"/emergency/activations/{a.pk}/live/")
    assert live.status_code == 200 and "谈判组" in live.content.decode()
    assert as_user(cast.dispatcher_b).get(f"/emergency/activations/{a.pk}/").status_code == 404


def test_activate_from_the_event_page(cast, as_user):
    plan = wage_plan(cast)
    event = urgent_event(cast)
    c = as_user(cast.dispatcher)
    detail = c.get(f"/events/{event.pk}/").content.decode()
    assert f"/events/{event.pk}/emergency/" in detail
    r = c.post(f"/events/{event.pk}/emergency/", {"plan": plan.pk, "level": "I"})
    assert r.status_code == 422 and "该预案不适用此响应级别" in r.content.decode()
    assert not Activation.objects.exists()
    r = c.post(f"/events/{event.pk}/emergency/", {"plan": plan.pk, "level": "IV"})
    a = Activation.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/emergency/activations/{a.pk}/"
    banner = c.get(f"/events/{event.pk}/emergency/banner/").content.decode()
    assert a.code in banner and "应急响应中" in banner
    assert as_user(cast.gridworker).get(f"/events/{event.pk}/emergency/").status_code == 403


def test_the_phone_page_lists_my_groups_and_acknowledges(cast, as_user):
    a = activate(cast, wage_plan(cast))
    group = ActivationGroup.objects.get(activation=a, name="安抚组")
    c = as_user(cast.handler_market)
    page = c.get("/emergency/tasks/").content.decode()
    assert "安抚组" in page and "谈判组" not in page and "核实欠薪名单" in page
    r = c.post(
        f"/emergency/activations/{a.pk}/member/",
        {"action": "acknowledge", "group": group.pk, "next": "/emergency/tasks/"},
    )
    assert r.status_code == 302 and r["Location"] == "/emergency/tasks/"
    group.refresh_from_db()
    assert group.acknowledged_by == cast.handler_market


def test_situation_form_with_a_bad_photo_writes_nothing(cast, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = activate(cast, wage_plan(cast))
    c = as_user(cast.dispatcher)
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    r = c.post(f"/emergency/activations/{a.pk}/do/situation/", {"text": "现场平稳", "photo": bad})
    assert r.status_code == 422 and "照片格式不正确" in r.content.decode()
    assert not a.reports.exists()


def test_the_roster_week_grid_and_the_office_form(cast, as_user):
    duty = duty_now(cast)
    c = as_user(cast.county_dispatcher)
    html = c.get("/duty/", {"week": duty.date.isoformat()}).content.decode()
    assert "值班领导甲" in html and "武原街道" in html and 'id="duty-add"' in html
    assert 'id="duty-add"' not in as_user(cast.gridworker).get("/duty/").content.decode()
    shift = DutyShift.objects.get(user=duty.town_officer)
    assert "13900001111" not in html  # masked
    r = c.post(f"/duty/{shift.pk}/delete/", {"date": duty.date.isoformat()})
    assert r.status_code == 302 and not DutyShift.objects.filter(pk=shift.pk).exists()


def test_plan_library_and_drills_pages(cast, as_user):
    plan = wage_plan(cast)
    c = as_user(cast.handler)
    assert plan.name in c.get("/emergency/plans/").content.decode()
    page = c.get(f"/emergency/plans/{plan.pk}/").content.decode()
    assert "谈判组" in page and "接报核实" in page
    office = as_user(cast.county_dispatcher)
    r = office.post(
        "/emergency/drills/",
        {"plan": plan.pk, "title": "讨薪演练", "region": cast.county.pk, "planned_on": ""},
    )
    assert r.status_code == 422
    r = office.post(
        "/emergency/drills/",
        {
            "plan": plan.pk,
            "title": "讨薪演练",
            "region": cast.county.pk,
            "planned_on": (timezone.localdate(clock.now()) + dt.timedelta(days=14)).isoformat(),
        },
    )
    assert r.status_code == 302
    assert "讨薪演练" in c.get("/emergency/drills/").content.decode()


def test_the_board_costs_the_same_queries_whatever_the_groups(cast, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = activate(cast, wage_plan(cast))
    many_groups = [
        {
            "name": f"组{i}",
            "lead_department": cast.police.pk,
            "tasks": [{"title": "任务甲", "minutes": 30}, {"title": "任务乙", "minutes": 60}],
        }
        for i in range(6)
    ]
    big = activate(cast, wage_plan(cast, name="大预案", groups=many_groups))
    c = as_user(cast.dispatcher)
    counts = []
    for a in (small, big):
        c.get(f"/emergency/activations/{a.pk}/live/")  # warm the session and the actor
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(f"/emergency/activations/{a.pk}/live/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
