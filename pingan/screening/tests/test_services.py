"""Screening rounds end to end on the services: generation, reports, dispositions,
missing reports, the summary, the scope and the reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from pingan.core.audit import AuditEntry
from pingan.core.errors import Conflict, Forbidden, Invalid, NotFound
from pingan.events.models import Event
from pingan.mediation.models import MediationCase
from pingan.notifications.models import Notification
from pingan.screening import selectors, services
from pingan.screening.models import ScreeningItem, ScreeningReport, ScreeningRound
from pingan.screening.periods import today
from pingan.screening.tests.factories import PARTIES, item, submit, village_round

pytestmark = pytest.mark.django_db


# ---- generation ---------------------------------------------------------------------------


def test_rounds_are_made_for_every_level_and_unit_and_a_second_run_makes_nothing(cast):
    first = services.rounds_generate()
    assert first.rounds == 3
    levels = {r.level: r for r in ScreeningRound.objects.all()}
    assert set(levels) == {"village", "town", "county"}
    units = {lv: set(r.reports.values_list("unit__name", flat=True)) for lv, r in levels.items()}
    assert units == {
        "village": {"城东社区", "通元村"},
        "town": {"武原街道", "通元镇"},
        "county": {"海盐县"},
    }
    assert first.reports == 5
    again = services.rounds_generate()
    assert (again.rounds, again.reports) == (0, 0)
    assert ScreeningReport.objects.count() == 5


def test_generating_since_eight_weeks_ago_makes_one_village_round_a_week(cast):
    start = today() - dt.timedelta(weeks=8)
    services.rounds_generate(since=start)
    weeks = ScreeningRound.objects.filter(level="village").order_by("period_start")
    assert weeks.count() == 9
    for r in weeks:
        assert r.period_start.weekday() == 0
        assert (r.period_end - r.period_start).days == 6
        assert r.period_start <= r.due_on
    months = ScreeningRound.objects.filter(level="county")
    assert months.count() in (2, 3)
    assert services.rounds_generate(since=start).rounds == 0


def test_a_unit_added_later_gets_its_report_in_open_rounds_only(cast):
    from pingan.geo.services import region_upsert

    found = village_round(past=True)
    services.rounds_close(on=today())
    found.refresh_from_db()
    assert found.status == "closed"
    region_upsert(code="330424001002", name="城西社区", level="village", parent=cast.town_a)
    services.rounds_generate(on=found.period_start)
    assert found.reports.count() == 2
    services.rounds_generate()
    current = ScreeningRound.objects.get(
        level="village", period_start__lte=today(), period_end__gte=today()
    )
    assert current.reports.count() == 3


# ---- reports ------------------------------------------------------------------------------


def test_a_village_reports_none_found(cast):
    found = village_round()
    report = submit(cast, found, none_found=True)
    assert report.status == "submitted" and report.none_found
    assert report.unit == cast.village_a and report.submitted_by == cast.gridleader
    assert not report.late
    assert report.items.count() == 0
    assert AuditEntry.objects.filter(action="screening.report", object_id=str(report.pk)).exists()


def test_a_grid_worker_reports_items_for_the_village_of_the_grid(cast):
    found = village_round()
    report = submit(
        cast,
        found,
        user=cast.gridworker,
        items=[item(), item(kind="risk", risk_level="high", summary="厂房消防通道堵塞")],
    )
    assert report.unit == cast.village_a
    assert sorted(report.items.values_list("kind", flat=True)) == ["dispute", "risk"]


def test_a_second_report_updates_the_first_and_keeps_disposed_items(cast):
    found = village_round()
    report = submit(cast, found, items=[item(summary="甲"), item(summary="乙")])
    first, second = report.items.order_by("pk")
    services.item_dispose(
        actor=cast.gridleader,
        item_id=first.pk,
        disposition="handled",
        payload={"note": "村调委会已在调处"},
    )
    again = submit(cast, found, items=[{**item(summary="丙"), "id": second.pk}, item(summary="丁")])
    assert again.pk == report.pk
    assert sorted(again.items.values_list("summary", flat=True)) == ["丁", "丙", "甲"]
    assert again.first_submitted_at <= again.submitted_at
    with pytest.raises(Invalid) as err:
        submit(cast, found, none_found=True)
    assert "none_found" in err.value.fields


def test_a_late_report_is_flagged(cast):
    found = village_round(past=True)
    report = submit(cast, found)
    assert report.late


def test_bad_reports_are_refused_naming_the_field(cast):
    found = village_round()
    cases = [
        ({"none_found": "yes"}, "none_found"),
        ({"none_found": True, "items": [item()]}, "items"),
        ({"none_found": False, "items": []}, "items"),
        ({"none_found": False, "items": [item(kind="gossip")]}, "items[0].kind"),
        ({"none_found": False, "items": [item(), item(summary=" ")]}, "items[1].summary"),
        ({"none_found": False, "items": [item(parties_count=-1)]}, "items[0].parties_count"),
        ({"none_found": False, "items": [item(risk_level="")]}, "items[0].risk_level"),
        ({"none_found": False, "items": [{**item(), "id": 999999}]}, "items[0].id"),
        ({"none_found": True, "unit": "abc"}, "unit"),
    ]
    for kw, field in cases:
        with pytest.raises(Invalid) as err:
            services.report_submit(actor=cast.gridleader, round_id=found.pk, **kw)
        assert field in err.value.fields, (kw, err.value.fields)
    assert ScreeningItem.objects.count() == 0
    assert found.reports.filter(status="submitted").count() == 0


def test_only_the_units_people_report_for_it(cast):
    found = village_round()
    with pytest.raises(Forbidden):  # the town's dispatcher reports for the town, not here
        submit(cast, found, user=cast.dispatcher, none_found=True)
    with pytest.raises(Forbidden):  # another town's grid worker, for 城东社区
        submit(cast, found, user=cast.gridworker_b, none_found=True, unit=cast.village_a.pk)
    with pytest.raises(NotFound):  # handlers see no rounds
        submit(cast, found, user=cast.handler, none_found=True)
    report = submit(cast, found, user=cast.gridworker_b, none_found=True)
    assert report.unit == cast.village_b


def test_a_closed_round_takes_no_report(cast):
    found = village_round(past=True)
    services.rounds_close()
    with pytest.raises(Conflict):
        submit(cast, found, none_found=True)


# ---- dispositions --------------------------------------------------------------------------


def _one_item(cast, user=None, **kw):
    found = village_round()
    report = submit(cast, found, user=user, items=[item(**kw)])
    return report.items.get()


def test_an_item_becomes_an_event_in_the_reporters_grid(cast):
    it = _one_item(cast, user=cast.gridworker, risk_level="high")
    done = services.item_dispose(
        actor=cast.gridworker,
        item_id=it.pk,
        disposition="event",
        payload={"category": cast.neighbour.pk},
    )
    event = Event.objects.get(pk=done.event_id)
    assert done.disposition == "event"
    assert event.region == cast.grid_a1 and event.category == cast.neighbour
    assert event.urgency == "urgent"
    assert "宅基地" in event.description and event.reporter == cast.gridworker
    with pytest.raises(Conflict):
        services.item_dispose(
            actor=cast.gridworker, item_id=it.pk, disposition="handled", payload={"note": "x"}
        )


def test_an_item_becomes_a_mediation_case_through_the_towns_dispatcher(cast):
    it = _one_item(cast)
    done = services.item_dispose(
        actor=cast.dispatcher,
        item_id=it.pk,
        disposition="mediation",
        payload={"parties": PARTIES, "dispute_kind": "neighbour"},
    )
    case = MediationCase.objects.get(pk=done.case_id)
    assert case.region == cast.village_a and case.dispute_kind == "neighbour"
    assert case.summary == it.summary and case.parties.count() == 2


def test_a_bad_disposition_changes_nothing(cast):
    it = _one_item(cast)
    for disposition, payload, field in (
        ("event", {}, "category"),
        ("event", {"category": cast.dispute.pk}, "category"),  # not a leaf
        ("event", {"category": cast.neighbour.pk, "region": cast.grid_b1.pk}, "region"),
        ("mediation", {"parties": []}, "parties"),
        ("handled", {"note": ""}, "note"),
        ("handled", {"note": "在办", "event": 999999}, "event"),
        ("shrug", {}, "disposition"),
    ):
        with pytest.raises(Invalid) as err:
            services.item_dispose(
                actor=cast.gridleader, item_id=it.pk, disposition=disposition, payload=payload
            )
        assert field in err.value.fields, (disposition, err.value.fields)
    it.refresh_from_db()
    assert it.disposition == "pending" and it.event_id is None and it.case_id is None
    assert Event.objects.count() == 0 and MediationCase.objects.count() == 0


def test_others_may_not_dispose(cast):
    it = _one_item(cast)
    with pytest.raises(NotFound):
        services.item_dispose(
            actor=cast.dispatcher_b, item_id=it.pk, disposition="handled", payload={"note": "x"}
        )
    with pytest.raises(Forbidden):  # sees it, neither the unit's people nor a dispatcher
        services.item_dispose(
            actor=cast.leader, item_id=it.pk, disposition="handled", payload={"note": "x"}
        )


def test_handled_links_the_event_it_is_handled_in(cast):
    from pingan.api.tests.helpers import report as report_event

    event = report_event(cast)
    it = _one_item(cast)
    done = services.item_dispose(
        actor=cast.gridleader,
        item_id=it.pk,
        disposition="handled",
        payload={"note": "已在网格处理", "event": event.pk},
    )
    assert done.event_id == event.pk and done.handled_note == "已在网格处理"


# ---- missing, summary, scope ---------------------------------------------------------------


def test_after_the_due_date_units_without_a_report_are_missing(cast):
    found = village_round(past=True)
    submit(cast, found, items=[item(), item(kind="instability", risk_level="low")])
    figures = selectors.summary(cast.county_dispatcher, found)
    assert figures["past_due"]
    assert (figures["due"], figures["reported"], figures["missing"]) == (2, 1, 1)
    assert figures["missing_units"][0]["name"] == "通元村"
    assert figures["missing_units"][0]["town"] == "通元镇"
    assert figures["reported_rate"] == {
        "numerator": 1,
        "denominator": 2,
        "rate": 0.5,
        "text": "50.00%",
    }
    assert figures["late"] == 1 and figures["on_time_rate"]["numerator"] == 0
    by_town = {t["town"]: t for t in figures["by_town"]}
    assert by_town["通元镇"]["missing"] == 1 and by_town["武原街道"]["reported"] == 1
    kinds = {k["kind"]: k for k in figures["by_kind"]}
    assert kinds["dispute"]["medium"] == 1 and kinds["instability"]["low"] == 1
    assert figures["items"] == 2
    disp = {d["disposition"]: d["count"] for d in figures["dispositions"]}
    assert disp["pending"] == 2


def test_before_the_due_date_pending_units_are_waiting_not_missing(cast):
    found = village_round()
    submit(cast, found, none_found=True)
    figures = selectors.summary(cast.county_dispatcher, found)
    assert (figures["missing"], figures["waiting"], figures["none_found"]) == (0, 1, 1)
    assert figures["none_found_rate"]["text"] == "100.00%"


def test_each_sees_the_units_in_their_regions(cast):
    found = village_round(past=True)
    assert selectors.summary(cast.dispatcher_b, found)["due"] == 1
    assert selectors.summary(cast.leader, found)["due"] == 2
    assert selectors.summary(cast.gridworker, found)["due"] == 1
    listed = {r.pk: r for r in selectors.round_list(cast.dispatcher_b)}
    assert listed[found.pk].due == 1 and listed[found.pk].missing == 1
    # A village's people do not see the town and county rounds.
    levels = {r.level for r in selectors.round_list(cast.gridleader)}
    assert levels == {"village"}
    assert not selectors.round_list(cast.handler).exists()


def test_round_list_filters(cast):
    services.rounds_generate(since=today() - dt.timedelta(days=40))
    assert {r.level for r in selectors.round_list(cast.leader, level="town")} == {"town"}
    on = today() - dt.timedelta(days=20)
    for r in selectors.round_list(cast.leader, on=on):
        assert r.period_start <= on <= r.period_end
    inside = selectors.round_list(cast.leader, region=cast.village_b.pk, level="town")
    assert not inside.exists()
    with pytest.raises(Invalid):
        list(selectors.round_list(cast.leader, level="grid"))


def test_my_pending_lists_the_actors_units_most_urgent_first(cast):
    village_round(past=True)
    village_round()
    pending = selectors.my_pending(cast.gridworker)
    assert [p.unit for p in pending] == [cast.village_a, cast.village_a]
    assert pending[0].round.due_on < pending[1].round.due_on


# ---- reminders, the command ----------------------------------------------------------------


def test_the_units_people_are_told_on_the_due_date_once(cast, django_capture_on_commit_callbacks):
    found = village_round()
    submit(cast, found, user=cast.gridworker_b, none_found=True)
    with django_capture_on_commit_callbacks(execute=True):
        ids = services.due_reminders(on=found.due_on)
    assert len(ids) == 1
    told = set(
        Notification.objects.filter(kind="screening_due").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"gw", "gl"}
    assert services.due_reminders(on=found.due_on) == []
    assert Notification.objects.filter(kind="screening_due").count() == 2


def test_the_command_is_idempotent(cast, capsys):
    call_command("screening_rounds")
    call_command("screening_rounds")
    out = capsys.readouterr().out
    assert "rounds created 3" in out and "rounds created 0" in out


def test_the_daily_task_generates_and_closes(cast):
    from pingan.screening.tasks import screening_daily

    village_round(past=True)
    result = screening_daily.enqueue()
    assert ScreeningRound.objects.filter(status="closed", level="village").count() == 1
    assert ScreeningRound.objects.filter(
        level="village", period_start__lte=today(), period_end__gte=today()
    ).exists()
    assert result.return_value["closed"] >= 1
