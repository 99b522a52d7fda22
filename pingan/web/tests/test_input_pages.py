"""Bad input to the pages and the citizen page is a 4xx with the field and a Chinese
reason, never a 500, and never stored (issue 16, #10 and #13; docs/security.md, "Input")."""

from __future__ import annotations

import re

import pytest
from captcha.models import CaptchaStore
from django.test import Client
from django.urls import reverse

from pingan.api.tests.helpers import report
from pingan.citizen.models import CitizenReport
from pingan.events.models import Event
from pingan.intake.services import integration_setup
from pingan.web.tests.test_event_pages import report_form

BIG = str(2**64 + 5)  # no 64-bit integer column holds it


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def test_integers_beyond_64_bits_name_the_field(cast):
    worker = as_user(cast.gridworker)
    for name in ("category", "region"):
        r = worker.post(reverse("event_report"), report_form(cast, **{name: BIG}))
        assert r.status_code == 422, (name, r.status_code)
        assert '<p class="field-error">超出允许范围</p>' in r.content.decode(), name
    assert not Event.objects.exists()
    assert worker.get(reverse("event_report_fields"), {"category": BIG}).status_code == 200
    dispatcher = as_user(cast.county_dispatcher)
    for name in ("category", "queue_region", "department"):
        r = dispatcher.get(reverse("event_list"), {name: BIG})
        assert r.status_code == 200 and "超出允许范围" in r.content.decode(), name
    r = dispatcher.get(reverse("event_list"), {"page": BIG})
    assert r.status_code == 200
    r = dispatcher.get(reverse("event_export"), {"category": BIG})
    assert r.status_code == 422 and "category" in r.content.decode()
    r = dispatcher.get(reverse("dashboard"), {"region": BIG})
    assert r.status_code == 422
    assert dispatcher.post(reverse("bulk_accept"), {"ids": [BIG]}).status_code == 302
    assert dispatcher.post(reverse("inbox_read"), {"ids": [BIG]}).status_code == 302


def test_dates_outside_the_calendar_name_the_field(cast):
    dispatcher = as_user(cast.county_dispatcher)
    r = dispatcher.get(reverse("event_list"), {"reported_from": "0001-01-01"})
    assert r.status_code == 200 and "日期应在 1950-01-01 至 2099-12-31 之间" in r.content.decode()


def test_a_body_over_the_limit_is_413_with_a_chinese_message(cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    r = as_user(cast.gridworker).post(
        reverse("event_report"), report_form(cast, description="堆" * (1024 * 1024))
    )
    assert r.status_code == 413
    assert r.content.decode() == "提交的内容过大（不能超过 1 MB）"
    assert not Event.objects.exists()


def test_a_form_without_its_multipart_boundary_is_400(cast):
    r = as_user(cast.gridworker).post(
        reverse("event_report"), b"--x\r\n", content_type="multipart/form-data"
    )
    assert r.status_code == 400 and r.content.decode() == "请求内容不是有效的表单"


def test_nul_is_refused_naming_the_field_and_nothing_is_stored(cast):
    worker = as_user(cast.gridworker)
    r = worker.post(reverse("event_report"), report_form(cast, description="广场舞\x00噪音"))
    assert r.status_code == 422
    assert r.content.decode() == "description：不能包含空字符（NUL）"
    r = as_user(cast.county_dispatcher).get(reverse("event_list"), {"q": "广场\x00"})
    assert r.status_code == 422 and r.content.decode() == "q：不能包含空字符（NUL）"
    assert not Event.objects.exists()


def test_zero_width_text_counts_as_empty_and_controls_are_dropped(cast):
    worker = as_user(cast.gridworker)
    r = worker.post(reverse("event_report"), report_form(cast, description="\u200b\u2060\ufeff"))
    assert r.status_code == 422 and "请填写事件描述" in r.content.decode()
    assert not Event.objects.exists()
    r = worker.post(
        reverse("event_report"), report_form(cast, description="广场舞\x1b[31m噪音\x7f\t扰民")
    )
    assert r.status_code == 302
    assert Event.objects.get().description == "广场舞[31m噪音\t扰民"


@pytest.fixture
def citizen(cast):
    return integration_setup(channel="citizen", region=cast.county)


def test_the_citizen_page_refuses_nul_and_invisible_text(cast, citizen):
    lat, lng = cast.point_a1
    data = {"phone": "13912345678", "lat": str(lat), "lng": str(lng), "address": ""}
    client = Client()
    r = client.post("/citizen/", {**data, "description": "路灯坏了\x00"})
    assert r.status_code == 422
    assert r.content.decode() == "description：不能包含空字符（NUL）"
    page = client.get("/citizen/").content.decode()
    hashkey = re.search(r'name="captcha_0"[^>]*value="([0-9a-f]+)"', page) or re.search(
        r'value="([0-9a-f]+)"[^>]*name="captcha_0"', page
    )
    assert hashkey is not None
    answer = CaptchaStore.objects.get(hashkey=hashkey.group(1)).response
    captcha = {"captcha_0": hashkey.group(1), "captcha_1": answer}
    r = client.post("/citizen/", {**data, **captcha, "description": "\u200b\u200c\u200d"})
    assert r.status_code == 422
    assert set(r.context["form"].errors) == {"description"}
    assert not CitizenReport.objects.exists() and not Event.objects.exists()


def test_months_and_ids_typed_into_other_forms_are_refused_not_a_500(cast):
    leader = as_user(cast.leader)
    r = leader.post(
        reverse("period_lock"), {"kind": "month", "month": "2026-99999999999999999999", "note": "x"}
    )
    assert r.status_code == 422 and "月份格式应为 YYYY-MM" in r.content.decode()
    r = leader.post(reverse("period_lock"), {"kind": "year", "year": "２０２６", "note": "x"})
    assert r.status_code == 422
    e = report(cast)
    r = as_user(cast.dispatcher).post(
        reverse("triage_merge", args=[e.pk]), {"master": BIG}, follow=True
    )
    assert r.status_code == 200 and "master: 超出允许范围" in r.content.decode()
    assert Event.objects.get(pk=e.pk).master_id is None


def test_a_nul_in_the_path_is_refused(cast):
    r = Client().get("/open311/v2/requests/a%00b.json")
    assert r.status_code == 400 and "path" in r.json()[0]["description"]


def test_grid_pages_take_no_number_beyond_64_bits_as_a_server_error(client, cast):
    client.force_login(cast.leader)
    big = str(2**70)
    assert client.get("/grid/scores/", {"region": big, "month": f"{big}-01"}).status_code == 200
    client.force_login(cast.gridworker)
    r = client.post("/grid/ranking/", {"appeal": "1", "warning": big, "text": "申诉"})
    assert r.status_code == 302
