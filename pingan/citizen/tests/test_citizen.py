"""The public citizen page: report without an account behind an offline captcha,
throttled by phone and address; track with code + last 4 digits; rate after closure."""

from __future__ import annotations

import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from captcha.models import CaptchaStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from pingan.citizen.models import CitizenReport
from pingan.citizen.services import Throttled, citizen_rate, citizen_report_submit
from pingan.core import clock
from pingan.core.errors import Conflict
from pingan.events.models import Attachment, Event
from pingan.events.services import event_transition
from pingan.intake.services import integration_setup

TZ = ZoneInfo("Asia/Shanghai")
MON = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
PHONE = "13912345678"


@pytest.fixture
def citizen(cast):
    return integration_setup(channel="citizen", region=cast.county)


def jpeg() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "JPEG")
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")


def captcha_from(page: bytes) -> tuple[str, str]:
    """The hidden key from the rendered form and the arithmetic answer kept on the server."""
    key = re.search(rb'name="captcha_0"[^>]*value="([0-9a-f]+)"', page)
    if key is None:
        key = re.search(rb'value="([0-9a-f]+)"[^>]*name="captcha_0"', page)
    assert key is not None, page
    hashkey = key.group(1).decode()
    return hashkey, CaptchaStore.objects.get(hashkey=hashkey).response


def form(cast, **kw):
    lat, lng = cast.point_a1
    data = {
        "phone": PHONE,
        "description": "城东小区门口路灯坏了一个多月，晚上很黑",
        "lat": str(lat),
        "lng": str(lng),
        "address": "",
        "category": str(cast.neighbour.pk),
    }
    data.update(kw)
    return data


def test_a_citizen_reports_with_the_captcha_and_gets_a_code(cast, citizen):
    client = Client()
    page = client.get("/citizen/")
    assert page.status_code == 200
    assert b"/static/vendor/leaflet/leaflet.js" in page.content  # vendored, no CDN
    hashkey, answer = captcha_from(page.content)
    image = client.get(f"/captcha/image/{hashkey}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    r = client.post(
        "/citizen/",
        {**form(cast), "captcha_0": hashkey, "captcha_1": answer, "photos": [jpeg()]},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    done = client.get(r["Location"])
    report = CitizenReport.objects.get()
    assert report.code.encode() in done.content
    event = report.event
    assert event.source == "citizen" and event.region == cast.grid_a1
    assert event.reporter_phone == PHONE
    assert Attachment.objects.filter(event=event).count() == 1


def test_a_wrong_captcha_creates_nothing(cast, citizen):
    client = Client()
    hashkey, answer = captcha_from(client.get("/citizen/").content)
    r = client.post(
        "/citizen/", {**form(cast), "captcha_0": hashkey, "captcha_1": str(int(answer) + 1)}
    )
    assert r.status_code == 422
    assert "验证码不正确" in r.content.decode()
    assert Event.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"phone": "12345"}, "请填写11位手机号码"),
        ({"lat": "", "lng": "", "address": ""}, "请在地图上选择位置或填写地址"),
        ({"description": ""}, ""),
    ],
)
def test_bad_reports_are_refused_with_a_message(cast, citizen, change, message):
    client = Client()
    hashkey, answer = captcha_from(client.get("/citizen/").content)
    r = client.post(
        "/citizen/", {**form(cast, **change), "captcha_0": hashkey, "captcha_1": answer}
    )
    assert r.status_code == 422
    assert message in r.content.decode()
    assert Event.objects.count() == 0


def submit(cast, *, phone=PHONE, address="", when=MON, point=True):
    lat, lng = cast.point_a1 if point else (None, None)
    with clock.frozen(when):
        return citizen_report_submit(
            actor=None,
            phone=phone,
            description="路灯坏了",
            category=cast.neighbour.pk,
            lat=lat,
            lng=lng,
            address=address,
        )


def test_reports_are_throttled_by_phone(cast, citizen, settings):
    settings.PINGAN_CITIZEN_MAX_PER_PHONE_DAY = 2
    submit(cast, address="海盐县武原街道海滨路1号")
    submit(cast, address="海盐县武原街道海滨路2号")
    with pytest.raises(Throttled):
        submit(cast, address="海盐县武原街道海滨路3号")
    assert Event.objects.count() == 2
    submit(cast, address="海盐县武原街道海滨路3号", when=MON + dt.timedelta(days=1, minutes=1))


def test_reports_are_throttled_by_address(cast, citizen, settings):
    settings.PINGAN_CITIZEN_MAX_PER_ADDRESS_DAY = 2
    submit(cast, phone="13900000001", address="武原街道 海滨路1号")
    submit(cast, phone="13900000002", address="武原街道海滨路1号")
    with pytest.raises(Throttled):  # the same place however it is spaced
        submit(cast, phone="13900000003", address="武原街道，海滨路1号 ")
    # Without an address the point counts, rounded to about 100 m.
    submit(cast, phone="13900000004", point=True)
    submit(cast, phone="13900000005", point=True)
    with pytest.raises(Throttled):
        submit(cast, phone="13900000006", point=True)


def test_throttled_page_says_so(cast, citizen, settings):
    settings.PINGAN_CITIZEN_MAX_PER_PHONE_DAY = 0
    client = Client()
    hashkey, answer = captcha_from(client.get("/citizen/").content)
    r = client.post("/citizen/", {**form(cast), "captcha_0": hashkey, "captcha_1": answer})
    assert r.status_code == 429
    assert "今日提交次数已达上限" in r.content.decode()


def _close(cast, event):
    u = cast.county_dispatcher
    event_transition(actor=u, event_id=event.pk, action="accept")
    event_transition(
        actor=u, event_id=event.pk, action="dispatch", payload={"lead_department": cast.police.pk}
    )
    event_transition(actor=cast.handler, event_id=event.pk, action="acknowledge")
    event_transition(
        actor=cast.handler, event_id=event.pk, action="resolve", payload={"result": "已修复"}
    )
    event_transition(actor=u, event_id=event.pk, action="verify", payload={"passed": True})


def test_tracking_needs_the_code_and_the_last_four_digits(cast, citizen):
    report = submit(cast)
    client = Client()
    r = client.get("/citizen/track/", {"code": report.code, "last4": "0000"})
    assert r.status_code == 404 and report.event.code not in r.content.decode()
    r = client.get("/citizen/track/", {"code": report.code.lower(), "last4": PHONE[-4:]})
    assert r.status_code == 200
    text = r.content.decode()
    assert report.event.code in text and "待受理" in text
    assert PHONE not in text and "张" not in text  # no phone, no staff names
    assert 'data-testid="citizen-rate"' not in text  # not closed yet


def test_the_citizen_rates_a_closed_event_once(cast, citizen):
    report = submit(cast)
    with pytest.raises(Conflict):
        citizen_rate(actor=None, report=report, satisfaction="satisfied")
    _close(cast, report.event)
    client = Client()
    url = f"/citizen/track/?code={report.code}&last4={PHONE[-4:]}"
    page = client.get(url).content.decode()
    assert "已办结" in page and 'data-testid="citizen-rate"' in page
    assert "县公安局" in page
    r = client.post(url, {"satisfaction": "basically_satisfied", "comment": "修得挺快"})
    assert r.status_code == 302
    report.refresh_from_db()
    event = Event.objects.get(pk=report.event_id)
    assert report.satisfaction == event.satisfaction == "basically_satisfied"
    follow = event.timeline.get(action="follow_up")
    assert "修得挺快" in follow.note
    again = client.post(url, {"satisfaction": "dissatisfied"})
    assert again.status_code == 409
    assert Event.objects.get(pk=event.pk).satisfaction == "basically_satisfied"
    # Only the right code and digits may rate.
    r = Client().post(
        f"/citizen/track/?code={report.code}&last4=9999", {"satisfaction": "dissatisfied"}
    )
    assert r.status_code == 404


def test_tracking_shows_the_public_reply_and_never_the_internal_note(cast, citizen):
    report = submit(cast)
    u = cast.county_dispatcher
    event_transition(
        actor=u, event_id=report.event_id, action="accept", payload={"note": "王大明来电催办"}
    )
    event_transition(
        actor=u,
        event_id=report.event_id,
        action="dispatch",
        payload={"lead_department": cast.police.pk, "note": "联系人张三13812345678"},
    )
    event_transition(actor=cast.handler, event_id=report.event_id, action="acknowledge")
    event_transition(
        actor=cast.handler,
        event_id=report.event_id,
        action="resolve",
        payload={
            "result": "已约谈王大明（13812345678），责令整改",
            "public_reply": "路灯已于3月5日修复，如有问题请致电13700001234。",
        },
    )
    page = Client().get("/citizen/track/", {"code": report.code, "last4": PHONE[-4:]})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="citizen-reply"' in text
    assert "路灯已于3月5日修复，如有问题请致电137****1234。" in text
    for internal in ("王大明", "张三", "13812345678", "责令整改", "13700001234"):
        assert internal not in text, internal


def test_the_channel_must_be_open(cast):
    with pytest.raises(Conflict):
        submit(cast)


def test_the_citizen_phone_and_address_are_not_stored_in_clear(cast, citizen):
    from django.db import connection

    report = submit(cast, address="武原街道海滨路1号")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT phone, phone_index, address_key FROM citizen_citizenreport WHERE id = %s",
            [report.pk],
        )
        phone, index, key = cur.fetchone()
    assert PHONE not in phone and "海滨路" not in key and "1号" not in key
    assert index and PHONE not in index
    # The model still reads the phone, and the tracking page still opens with it.
    assert CitizenReport.objects.get(pk=report.pk).phone == PHONE
    from pingan.citizen.services import citizen_report_find

    assert citizen_report_find(code=report.code, phone_last4=PHONE[-4:]) == report
    assert citizen_report_find(code=report.code, phone_last4="0000") is None


def test_staff_without_the_need_see_the_citizen_phone_masked(cast, citizen):
    report = submit(cast)
    _close(cast, report.event)
    handler = Client()
    handler.force_login(cast.handler)
    page = handler.get(f"/events/{report.event_id}/").content.decode()
    assert "139****5678" in page and PHONE not in page
    # The dispatcher calls the citizen back: the page shows the phone masked too, and the
    # explicit 显示 action (audited) gives it whole; the handler may not (no assignment).
    dispatcher = Client()
    dispatcher.force_login(cast.county_dispatcher)
    assert PHONE not in dispatcher.get(f"/events/{report.event_id}/").content.decode()
    shown = dispatcher.post(f"/events/{report.event_id}/contact/")
    assert shown.status_code == 200 and PHONE in shown.content.decode()
    assert handler.post(f"/events/{report.event_id}/contact/").status_code in (403, 404)


def test_a_captcha_answers_one_post_only(cast, citizen):
    client = Client()
    hashkey, answer = captcha_from(client.get("/citizen/").content)
    data = {**form(cast), "captcha_0": hashkey, "captcha_1": answer}
    assert client.post("/citizen/", data).status_code == 302
    replay = client.post("/citizen/", data)
    assert replay.status_code == 422 and "验证码不正确" in replay.content.decode()
    assert Event.objects.count() == 1


def test_the_map_gets_the_town_outlines_without_signing_in(cast, citizen):
    from pingan.conftest import square

    cast.town_a.geometry = square(120.9, 30.5, 0.1)
    cast.town_a.save(update_fields=["geometry"])
    fc = Client().get("/citizen/regions.geojson").json()
    assert [f["properties"]["name"] for f in fc["features"]] == ["武原街道"]  # no grids
