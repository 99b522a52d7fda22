"""Mediation figures: the counts behind the rates, their calibre, scope, breakdowns and
comparisons; and the event's 矛盾纠纷化解率 counting a mediation success."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from pingan.access.actor import as_actor
from pingan.analytics import kpis, mediation_figures
from pingan.analytics.selectors import summary as event_summary
from pingan.core import clock
from pingan.events.services import event_report, event_transition
from pingan.mediation.models import MediationCase
from pingan.mediation.services import mediation_case_from_event
from pingan.mediation.tests.factories import PARTIES, fire, mediation_cast, new_case


@pytest.fixture
def med(cast):
    return mediation_cast(cast)


def _today() -> dt.date:
    return timezone.localdate(clock.now())


def _mediating(cast, med, **kw):
    case = fire(new_case(cast, **kw), cast.dispatcher, "accept")
    return fire(case, cast.dispatcher, "assign", committee=med.village.pk)


def _succeed(cast, case, **kw):
    payload = {"terms": "互相谅解，共同清理", "performance": "at_once", **kw}
    return fire(case, cast.dispatcher, "succeed", **payload)


def _history(cast, med):
    """Two agreements (one performed and closed, one with a ruling confirmed), one
    failure, one withdrawal, one rejection, one case mediating, one only registered."""
    a = _succeed(cast, _mediating(cast, med))
    a = fire(a, cast.dispatcher, "check_performance", performed=True)
    fire(a, cast.dispatcher, "close")
    b = _succeed(cast, _mediating(cast, med, dispute_kind="contract", channel="hotline_12345"))
    b = fire(b, cast.dispatcher, "request_confirmation", court="县人民法院")
    fire(b, cast.dispatcher, "record_ruling", ruling="confirmed")
    fire(_mediating(cast, med), cast.dispatcher, "fail", note="双方分歧大", referral="litigation")
    fire(_mediating(cast, med), cast.dispatcher, "withdraw", note="已自行和解")
    fire(new_case(cast), cast.dispatcher, "reject", note="不属于调解范围")
    _mediating(cast, med)
    new_case(cast)


def test_counts_and_rates_with_their_parts(cast, med):
    _history(cast, med)
    f = mediation_figures.summary(user=cast.leader, date_from=_today(), date_to=_today())
    assert f["received"] == 7
    assert f["accepted"] == 5  # rejected and only registered ones are not accepted
    assert (f["succeeded"], f["failed"], f["mediated"]) == (2, 1, 3)
    assert (f["withdrawn"], f["rejected"], f["open"]) == (1, 1, 2)
    # 调解成功率 = succeeded / mediated; 调处率 = mediated / accepted.
    assert f["success_rate"] == round(2 / 3, 4)
    assert f["mediation_rate"] == 0.6
    # 协议履行率 over agreements with a follow-up; 司法确认率 over agreements.
    assert (f["performed"], f["performance_checked"], f["performance_rate"]) == (1, 1, 1.0)
    assert (f["confirmation_requested"], f["confirmed"], f["confirmation_rate"]) == (1, 1, 0.5)
    cards = {c["key"]: c for c in mediation_figures.cards(f)}
    assert cards["success_rate"]["value"] == "66.67%"
    assert cards["success_rate"]["parts"] == "调解成功 2 / 调解终结 3"
    assert cards["mediation_rate"]["parts"] == "调解终结 3 / 受理 5"


def test_breakdowns_carry_counts_and_rates(cast, med):
    _history(cast, med)
    f = mediation_figures.summary(user=cast.leader, date_from=_today(), date_to=_today())
    by_kind = {r["value"]: r for r in f["by_kind"]}
    assert by_kind["contract"]["received"] == 1 and by_kind["contract"]["success_rate"] == 1.0
    assert by_kind["neighbour"]["received"] == 6
    assert by_kind["neighbour"]["success_rate"] == 0.5
    by_committee = {r["name"]: r for r in f["by_committee"]}
    assert by_committee["城东社区人民调解委员会"]["mediated"] == 3
    assert by_committee["未指派调委会"]["received"] == 2
    by_channel = {r["value"]: r for r in f["by_channel"]}
    assert by_channel["hotline_12345"]["name"] == "12345热线"
    assert sum(r["received"] for r in f["by_level"]) == f["received"]
    assert sum(r["received"] for r in f["by_mediator"]) == f["received"]


def test_period_and_region_bound_the_population(cast, med):
    _history(cast, med)
    yesterday = _today() - dt.timedelta(days=1)
    f = mediation_figures.summary(user=cast.leader, date_from=yesterday, date_to=yesterday)
    assert f["received"] == 0 and f["success_rate"] is None
    f = mediation_figures.summary(user=cast.leader, region_id=cast.town_b.pk)
    assert f["received"] == 0
    f = mediation_figures.summary(user=cast.leader, region_id=cast.town_a.pk)
    assert f["received"] == 7


def test_scope_the_list_scope(cast, med):
    _history(cast, med)
    # Another town's leader sees none of town A's cases, even asking about the county.
    f = mediation_figures.summary(user=cast.leader_b, region_id=cast.county.pk)
    assert f["received"] == 0
    # A mediator of another committee sees only their committee's cases.
    f = mediation_figures.summary(user=med.stranger.user)
    assert f["received"] == 0
    f = mediation_figures.summary(user=med.village_mediator.user)
    assert f["received"] == 5  # the cases assigned to the village committee


def test_overdue_counts_open_cases_past_their_term(cast, med):
    case = _mediating(cast, med)
    MediationCase.objects.filter(pk=case.pk).update(due_at=clock.now() - dt.timedelta(hours=1))
    _mediating(cast, med)
    f = mediation_figures.summary(user=cast.leader)
    assert f["overdue"] == 1 and f["open"] == 2


def test_year_on_year_in_points_and_withheld_on_a_small_base(cast, med, settings):
    settings.PINGAN_COMPARE_MIN_BASE = 1
    today = _today()
    tz = timezone.get_current_timezone()
    with clock.frozen(dt.datetime.combine(kpis.year_before(today), dt.time(12), tzinfo=tz)):
        fire(_mediating(cast, med), cast.dispatcher, "fail", note="分歧大")
        _succeed(cast, _mediating(cast, med))
    for _ in range(3):
        _succeed(cast, _mediating(cast, med))
    f = mediation_figures.summary(user=cast.leader, date_from=today, date_to=today)
    # 100% now against 50% a year before: +50 points; the count +50%.
    assert f["yoy"]["success_rate"] == 50.0
    assert f["yoy"]["received"] == 50.0
    assert f["previous_period"]["received"] == 2
    settings.PINGAN_COMPARE_MIN_BASE = 10
    f = mediation_figures.summary(user=cast.leader, date_from=today, date_to=today)
    assert f["yoy"]["success_rate"] is None
    assert f["yoy_withheld"]["success_rate"] == "基期样本不足10件"


def test_comparison_withheld_before_the_first_day(cast, med):
    _history(cast, med)
    today = _today()
    f = mediation_figures.summary(user=cast.leader, date_from=today, date_to=today)
    assert f["yoy"]["received"] is None
    assert f["yoy_withheld"]["received"] == "基期数据不完整"
    assert f["mom_withheld"]["received"] == "基期数据不完整"


def test_mediation_success_counts_in_the_events_dispute_resolution_rate(cast, med):
    lat, lng = cast.point_a1
    event, _ = event_report(
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description="两户因排水沟堵塞争吵",
        lat=lat,
        lng=lng,
    )
    case, _ = mediation_case_from_event(
        actor=cast.dispatcher, event_id=event.pk, payload={"parties": PARTIES}
    )
    case = fire(case, cast.dispatcher, "accept")
    case = fire(case, cast.dispatcher, "assign", committee=med.village.pk)
    before = event_summary(user=cast.leader, date_from=_today(), date_to=_today())
    assert before["dispute_resolved"] == 0
    _succeed(cast, case)
    event_transition(
        actor=cast.gridworker, event_id=event.pk, action="verify", payload={"passed": True}
    )
    after = event_summary(user=cast.leader, date_from=_today(), date_to=_today())
    assert after["dispute_closed"] == 1 and after["dispute_resolved"] == 1
    assert after["dispute_resolution_rate"] == 1.0


def test_mediation_failure_is_closed_but_not_resolved(cast, med):
    lat, lng = cast.point_a1
    event, _ = event_report(
        actor=cast.gridworker,
        category=cast.neighbour.pk,
        description="两户因排水沟堵塞争吵",
        lat=lat,
        lng=lng,
    )
    case, _ = mediation_case_from_event(
        actor=cast.dispatcher, event_id=event.pk, payload={"parties": PARTIES}
    )
    case = fire(case, cast.dispatcher, "accept")
    case = fire(case, cast.dispatcher, "assign", committee=med.village.pk)
    fire(case, cast.dispatcher, "fail", note="分歧大", referral="litigation")
    event_transition(
        actor=cast.gridworker, event_id=event.pk, action="verify", payload={"passed": True}
    )
    after = event_summary(user=cast.leader, date_from=_today(), date_to=_today())
    assert after["dispute_closed"] == 1 and after["dispute_resolved"] == 0


# ---- GET /api/v1/mediation/stats ------------------------------------------------------------


@pytest.fixture
def api_as(db):
    from django.test import Client

    from pingan.accounts.services import token_issue
    from pingan.api.tests.helpers import ApiClient

    return lambda user: ApiClient(Client(), token_issue(user=user))


def test_api_gives_every_rate_with_its_parts(cast, med, api_as):
    _history(cast, med)
    today = _today().isoformat()
    r = api_as(cast.leader).get(
        "/mediation/stats", region=cast.county.pk, **{"from": today, "to": today}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["succeeded"], body["mediated"], body["success_rate"]) == (2, 3, 0.6667)
    assert (body["mediated"], body["accepted"], body["mediation_rate"]) == (3, 5, 0.6)
    assert (body["performed"], body["performance_checked"]) == (1, 1)
    assert (body["confirmed"], body["succeeded"], body["confirmation_rate"]) == (1, 2, 0.5)
    assert body["from"] == today and body["region"] == cast.county.pk
    kind = {row["value"]: row for row in body["by_kind"]}["contract"]
    assert (kind["succeeded"], kind["mediated"], kind["success_rate"]) == (1, 1, 1.0)
    assert body["yoy_withheld"]["success_rate"] == "基期数据不完整"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"region": 999999}, "region"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "to"),
        ({"from": "1800-01-01"}, "from"),
    ],
)
def test_api_rejects_bad_input_with_422(cast, api_as, params, field):
    from pingan.api.tests.helpers import error_of

    r = api_as(cast.leader).get("/mediation/stats", **params)
    assert r.status_code == 422, r.content
    assert field in error_of(r)["fields"]


# ---- the monthly rollup ----------------------------------------------------------------------


def _rows():
    from pingan.mediation.models import MonthlyRollup
    from pingan.mediation.rollup import MEASURES

    return {
        (r.region_path, r.day, r.dim, r.value, r.sensitivity): tuple(
            getattr(r, m) for m in MEASURES
        )
        for r in MonthlyRollup.objects.all()
        if r.n
    }


def _spread_history(cast, med):
    """Cases registered over three months, moved between committees, ended every way."""
    tz = timezone.get_current_timezone()
    for month, day in ((1, 15), (1, 28), (2, 10), (3, 5), (3, 20)):
        with clock.frozen(dt.datetime(2026, month, day, 10, tzinfo=tz)):
            _history(cast, med)
            case = _mediating(cast, med, channel="police_110")
            fire(case, cast.dispatcher, "escalate", committee=med.centre.pk, note="疑难")


def test_rollup_kept_in_each_transition_equals_a_recount(cast, med):
    from pingan.mediation import rollup

    _spread_history(cast, med)
    kept = _rows()
    assert kept
    recount = {k: tuple(v) for k, v in rollup.recount().items() if v[0]}
    assert kept == recount
    rollup.rebuild()
    assert _rows() == kept


def test_a_refused_transition_leaves_the_rollup_as_it_was(cast, med):
    from pingan.core.errors import Invalid

    case = _mediating(cast, med)
    before = _rows()
    with pytest.raises(Invalid):
        fire(case, cast.dispatcher, "succeed", terms="协议", performance="sometime")
    assert _rows() == before


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (dt.date(2026, 1, 20), dt.date(2026, 3, 10)),  # both ends partial
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),  # whole months only
        (dt.date(2026, 2, 3), dt.date(2026, 2, 20)),  # inside one month
        (None, dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 16), None),
    ],
)
def test_rollup_basis_gives_the_figures_of_the_cases(cast, med, monkeypatch, date_from, date_to):
    from pingan.mediation import stats

    _spread_history(cast, med)
    path = cast.county.path
    assert stats.rollup_basis(as_actor(cast.leader), path)
    from_rollup = stats.counts(
        actor=cast.leader, region_path=path, date_from=date_from, date_to=date_to
    )
    monkeypatch.setattr(stats, "rollup_basis", lambda actor, path: False)
    from_cases = stats.counts(
        actor=cast.leader, region_path=path, date_from=date_from, date_to=date_to
    )
    assert from_rollup["total"]["received"] > 0
    assert from_rollup["total"] == from_cases["total"]
    for column, values in from_cases["by"].items():
        assert from_rollup["by"][column] == values, column


def test_split_period_into_whole_months_and_edges():
    from pingan.mediation.stats import split_period

    d = dt.date
    assert split_period(d(2026, 1, 20), d(2026, 3, 10)) == (
        (d(2026, 2, 1), d(2026, 2, 1)),
        [(d(2026, 1, 20), d(2026, 1, 31)), (d(2026, 3, 1), d(2026, 3, 10))],
    )
    assert split_period(d(2026, 1, 1), d(2026, 12, 31)) == ((d(2026, 1, 1), d(2026, 12, 1)), [])
    months, edges = split_period(d(2026, 2, 3), d(2026, 2, 20))
    assert months[0] > months[1] and edges == [(d(2026, 2, 3), d(2026, 2, 20))]
    assert split_period(None, d(2026, 2, 27)) == (
        (None, d(2026, 1, 1)),
        [(d(2026, 2, 1), d(2026, 2, 27))],
    )


def test_rollup_command_recounts_after_a_bulk_write(cast, med):
    from django.core.management import call_command

    from pingan.mediation.models import MonthlyRollup

    _history(cast, med)
    kept = _rows()
    MonthlyRollup.objects.all().delete()  # as after cases written in bulk
    call_command("mediation_rollup", stdout=io.StringIO())
    assert _rows() == kept


def test_the_briefing_says_what_the_committees_did_with_the_parts_of_each_rate(cast, med):
    from pingan.analytics.briefings import briefing_figures, sections

    _succeed(cast, _mediating(cast, med))
    _succeed(cast, _mediating(cast, med))
    fire(_mediating(cast, med), cast.dispatcher, "fail", note="分歧大", referral="litigation")
    new_case(cast)  # registered, not yet accepted
    today = _today()
    fig = briefing_figures(
        user=cast.leader, region_id=cast.county.pk, date_from=today, date_to=today
    )
    text = "\n".join(
        sections(region=cast.county, date_from=today, date_to=today, fig=fig)[0]["paragraphs"]
    )
    assert "各级调解组织登记矛盾纠纷4件" in text
    assert "受理3件，调解终结3件" in text
    assert "调解成功2件，调解成功率66.67%" in text


def test_the_briefing_is_silent_on_mediation_where_none_was_registered(cast, med):
    from pingan.analytics.briefings import briefing_figures, sections

    today = _today()
    fig = briefing_figures(
        user=cast.leader, region_id=cast.county.pk, date_from=today, date_to=today
    )
    paragraphs = sections(region=cast.county, date_from=today, date_to=today, fig=fig)[0][
        "paragraphs"
    ]
    assert not any("调解组织" in p for p in paragraphs)
