"""The survey pages and API: the list, the editor, a survey's results page, the xlsx, the
QR code, the citizens' page with its captcha, and the API's answers and masks."""

from __future__ import annotations

import io
import json
import re

import pytest
from captcha.models import CaptchaStore
from django.test import Client
from openpyxl import load_workbook

from pingan.surveys.models import Response, Survey
from pingan.surveys.services import response_submit
from pingan.surveys.tests.factories import answers, security_survey

pytestmark = pytest.mark.django_db


def client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_editor_starts_from_the_standard_questionnaire_and_saves_a_draft(cast):
    c = client(cast.county_dispatcher)
    page = c.get("/surveys/new/?template=security").content.decode()
    assert "您觉得您所在的镇（街道）、村（社区）社会治安状况安全吗？" in page
    assert "+安全" in page
    got = c.post(
        "/surveys/new/",
        {
            "title": "2026年度安全感调查",
            "kind": "security",
            "year": "2026",
            "opens_on": "2026-03-01",
            "closes_on": "2026-11-30",
            "q_text": ["您觉得本地安全吗？", "意见建议", ""],
            "q_kind": ["single", "text", "single"],
            "q_options": ["+安全\n+比较安全\n不安全", "", ""],
            "headline": "0",
            "q_optional": ["1"],
            f"quota_{cast.town_a.pk}": "300",
        },
    )
    assert got.status_code == 302
    s = Survey.objects.get()
    head = s.questions.get(headline=True)
    assert [o.positive for o in head.options.all()] == [True, True, False]
    assert s.questions.get(order=2).required is False
    assert s.quotas.get().target == 300


def test_editor_is_for_the_office_only(cast):
    assert client(cast.dispatcher).get("/surveys/new/").status_code == 403
    bad = client(cast.county_dispatcher).post(
        "/surveys/new/",
        {
            "title": "x",
            "kind": "security",
            "year": "2026",
            "opens_on": "2026-01-01",
            "closes_on": "2026-12-31",
            "q_text": ["安全吗"],
            "q_kind": ["single"],
            "q_options": ["是\n否"],
        },
    )
    assert bad.status_code == 422 and "核心题" in bad.content.decode()
    assert Survey.objects.count() == 0


def test_results_page_export_and_qr(cast):
    s = security_survey(cast)
    response_submit(actor=cast.gridworker, survey_id=s.pk, answers=answers(s))
    office = client(cast.county_dispatcher)
    page = office.get(f"/surveys/{s.pk}/").content.decode()
    assert "100.00%（1/1）" in page and "1/4" in page  # town A: rate and quota
    assert "与事件回访满意率分开统计" in page
    assert f"/s/{s.token}/" in page
    svg = office.get(f"/surveys/{s.pk}/qr.svg")
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    png = office.get(f"/surveys/{s.pk}/qr.png?download=1")
    assert png.content.startswith(b"\x89PNG") and "attachment" in png["Content-Disposition"]
    assert client(cast.dispatcher).get(f"/surveys/{s.pk}/qr.svg").status_code == 403
    xlsx = office.get(f"/surveys/{s.pk}/results.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "100.00%（1/1）" in values and "武原街道" in values
    # a town's dispatcher: town A's row only; the grid worker reads no results
    town_page = client(cast.dispatcher).get(f"/surveys/{s.pk}/").content.decode()
    assert "武原街道" in town_page and "通元镇" not in town_page
    assert "survey-results" not in client(cast.gridworker).get(f"/surveys/{s.pk}/").content.decode()


def _captcha(page: bytes) -> tuple[str, str]:
    key = re.search(rb'name="captcha_0"[^>]*value="([0-9a-f]+)"', page) or re.search(
        rb'value="([0-9a-f]+)"[^>]*name="captcha_0"', page
    )
    assert key
    hashkey = key.group(1).decode()
    return hashkey, CaptchaStore.objects.get(hashkey=hashkey).response


def test_citizen_answers_through_the_link_once_per_phone(cast):
    s = security_survey(cast)
    c = client()
    page = c.get(f"/s/{s.token}/")
    assert page.status_code == 200 and "不收集姓名" in page.content.decode()
    form = {f"q{k}": v for k, v in answers(s).items()}
    form.update({"region": cast.village_b.pk, "phone": "13912345678"})
    wrong = c.post(
        f"/s/{s.token}/", {**form, "captcha_0": _captcha(page.content)[0], "captcha_1": "x"}
    )
    assert wrong.status_code == 422 and Response.objects.count() == 0
    key, answer = _captcha(c.get(f"/s/{s.token}/").content)
    ok = c.post(f"/s/{s.token}/", {**form, "captcha_0": key, "captcha_1": answer})
    assert ok.status_code == 200 and "提交成功" in ok.content.decode()
    row = Response.objects.get()
    assert (row.channel, row.town_id, row.submitted_by_id) == ("citizen", cast.town_b.pk, None)
    key, answer = _captcha(c.get(f"/s/{s.token}/").content)
    again = c.post(f"/s/{s.token}/", {**form, "captcha_0": key, "captcha_1": answer})
    assert again.status_code == 409 and "只能作答一次" in again.content.decode()
    assert client().get("/s/not-a-token/").status_code == 404


def test_api_create_answer_list_masked_and_results(cast):
    office = client(cast.county_dispatcher)
    s = security_survey(cast)
    body = {
        "answers": answers(s),
        "phone": "13800001234",
        "client_uuid": "0b7c6a52-7d1e-4a43-9a55-7f8a2f1b9c02",
    }
    gw = client(cast.gridworker)
    first = gw.post(
        f"/api/v1/surveys/{s.pk}/responses", json.dumps(body), content_type="application/json"
    )
    again = gw.post(
        f"/api/v1/surveys/{s.pk}/responses", json.dumps(body), content_type="application/json"
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    other = {**body, "client_uuid": None}
    dup = gw.post(
        f"/api/v1/surveys/{s.pk}/responses", json.dumps(other), content_type="application/json"
    )
    assert dup.status_code == 409 and "只能作答一次" in dup.json()["error"]["message"]
    listed = office.get(f"/api/v1/surveys/{s.pk}/responses").json()
    assert listed["count"] == 1 and listed["items"][0]["phone"] == "138****1234"
    assert "13800001234" not in json.dumps(listed)
    assert gw.get(f"/api/v1/surveys/{s.pk}/responses").status_code == 403
    res = office.get(f"/api/v1/surveys/{s.pk}/results?region={cast.town_a.pk}").json()
    assert [t["region"] for t in res["towns"]] == [cast.town_a.pk] and res["county"] is None
    assert res["towns"][0]["rate_text"] == "100.00%（1/1）"
    assert gw.get(f"/api/v1/surveys/{s.pk}/results").status_code == 403
    bad = {**body, "client_uuid": None, "phone": "", "answers": {}}
    got = gw.post(
        f"/api/v1/surveys/{s.pk}/responses", json.dumps(bad), content_type="application/json"
    )
    assert got.status_code == 422 and any(
        k.startswith("answers.") for k in got.json()["error"]["fields"]
    )
    created = office.post(
        "/api/v1/surveys",
        json.dumps(
            {
                "title": "t",
                "kind": "other",
                "year": 2026,
                "opens_on": "2026-01-01",
                "closes_on": "2026-02-01",
                "questions": [{"text": "q", "kind": "text"}],
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["status"] == "draft"
