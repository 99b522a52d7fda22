"""The pages and the API answer the roles as docs/assessment.md says."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from pingan.assessment import scoring
from pingan.assessment.tests.factories import at, office, published, town
from pingan.core import clock

pytestmark = pytest.mark.django_db


def _client(cast: Any, user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_pages_and_scores_api(cast: Any) -> None:
    with clock.frozen(at(5, 10)):
        scheme = published(cast)
        scoring.scheme_score(actor=office(cast), scheme_id=scheme.pk)
        disp = _client(cast, cast.dispatcher)
        page = disp.get(f"/assessment/{scheme.pk}/units/{town(cast)}/")
        assert page.status_code == 200 and "事件办结率" in page.content.decode()
        assert (
            _client(cast, cast.dispatcher_b)
            .get(f"/assessment/{scheme.pk}/units/{town(cast)}/")
            .status_code
            == 404
        )
        boss = _client(cast, cast.county_dispatcher)
        assert "武原街道" in boss.get(f"/assessment/{scheme.pk}/").content.decode()
        api = disp.get(f"/api/v1/assessment/scores?scheme={scheme.pk}&unit={town(cast)}")
        assert api.status_code == 200
        body = api.json()
        a1 = next(s for s in body["scores"] if s["indicator"] == "A1")
        assert a1["points"] == 15.0 and "办结率" in a1["source_text"]
        assert (
            boss.get(f"/api/v1/assessment/scores?scheme={scheme.pk}&unit=town:x").status_code == 422
        )
        queued = boss.post(
            f"/api/v1/assessment/schemes/{scheme.pk}/score", {}, content_type="application/json"
        )
        assert queued.status_code == 202
        assert (
            disp.post(
                f"/api/v1/assessment/schemes/{scheme.pk}/score", {}, content_type="application/json"
            ).status_code
            == 403
        )
        xlsx = boss.get(f"/assessment/{scheme.pk}/ranking.xlsx")
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_office_records_a_veto_through_the_api_and_the_unit_ranks_last(cast: Any) -> None:
    with clock.frozen(at(5, 10)):
        scheme = published(cast)
        e1 = scheme.indicators.get(code="E1").pk
        b1 = scheme.indicators.get(code="B1").pk
        form = {"scheme": scheme.pk, "indicator": e1, "unit": town(cast), "reason": "重大事故"}
        town_disp = _client(cast, cast.dispatcher)
        assert town_disp.post("/api/v1/assessment/vetoes", form).status_code == 403
        boss = _client(cast, cast.county_dispatcher)
        wrong = boss.post("/api/v1/assessment/vetoes", {**form, "indicator": b1})
        assert wrong.status_code == 422 and "indicator" in wrong.json()["error"]["fields"]
        blank = boss.post("/api/v1/assessment/vetoes", {**form, "reason": ""})
        assert blank.status_code == 422
        made = boss.post("/api/v1/assessment/vetoes", form)
        assert made.status_code == 201 and made.json()["unit"] == town(cast)
        scoring.scheme_score(actor=office(cast), scheme_id=scheme.pk)
        body = boss.get(f"/api/v1/assessment/scores?scheme={scheme.pk}&unit={town(cast)}").json()
    assert body["result"]["veto"] is True
    assert [v["reason"] for v in body["vetoes"]] == ["重大事故"]
