"""Campaigns: who creates and runs them, who sees them, the events they hold (by rule and
by hand), progress against targets (equal to a direct count) and the closing report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import IntegrityError, transaction

from pingan.api.tests.helpers import report
from pingan.campaigns.models import Campaign, CampaignEvent, ListedItem
from pingan.campaigns.progress import progress, register_counter
from pingan.campaigns.selectors import (
    campaign_choices,
    campaign_events,
    campaign_list,
    events_by_category,
    events_by_town,
)
from pingan.campaigns.services import (
    campaign_activate,
    campaign_close,
    campaign_create,
    campaign_event_add,
    campaign_event_remove,
    campaign_update,
    target_enter,
)
from pingan.campaigns.tests.factories import new_campaign, new_listing, today
from pingan.core import clock
from pingan.core.audit import AuditEntry
from pingan.core.errors import Conflict, Forbidden, Invalid, NotFound
from pingan.events.models import Event
from pingan.events.services import event_transition
from pingan.geo.scope import within_q


def fire_event(cast, point="point_a1", **kw):
    return report(cast, point=point, category=cast.fire.pk, extra={"place_kind": "商铺"}, **kw)


def close_event(cast, e):
    """Accepted, dispatched to housing, acknowledged, resolved, verified (closed)."""
    d, h = cast.dispatcher, cast.handler_housing

    def go(user, action, **payload):
        return event_transition(actor=user, event_id=e.pk, action=action, payload=payload)

    go(d, "accept")
    go(d, "dispatch", lead_department=cast.housing.pk)
    go(h, "acknowledge")
    go(h, "resolve", result="已整改", resolution="resolved")
    return go(cast.gridworker, "verify", passed=True)


def test_the_office_creates_a_draft_with_targets_and_others_may_not(cast):
    c = new_campaign(cast, active=False)
    assert c.status == "draft" and c.region == cast.county
    assert [t.label for t in c.targets.order_by("sort")] == ["排查隐患", "整改隐患", "出动检查人次"]
    assert AuditEntry.objects.filter(action="campaign.create", object_id=str(c.pk)).exists()
    for user in (cast.dispatcher, cast.leader, cast.handler, cast.gridworker):
        with pytest.raises(Forbidden):
            campaign_create(actor=user, name="x", starts_on=today(), ends_on=today())


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": ""}, "name"),
        ({"kind": "party"}, "kind"),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"starts_on": "昨天"}, "starts_on"),
        ({"areas": [999999]}, "areas"),
        ({"categories": [999999]}, "categories"),
        ({"targets": [{"metric": "nonsense", "target": 1}]}, "targets"),
        ({"targets": [{"metric": "events", "target": -1}]}, "targets"),
        (
            {"targets": [{"metric": "events", "target": 1}, {"metric": "events", "target": 2}]},
            "targets",
        ),
    ],
)
def test_bad_fields_are_422_naming_the_field_and_nothing_is_written(cast, change, field):
    before = Campaign.objects.count()
    with pytest.raises(Invalid) as e:
        new_campaign(cast, active=False, **change)
    assert field in e.value.fields
    assert Campaign.objects.count() == before


def test_a_village_is_not_an_area(cast):
    with pytest.raises(Invalid) as e:
        new_campaign(cast, active=False, areas=[cast.village_a.pk])
    assert "areas" in e.value.fields


def test_the_period_constraint_holds_in_the_database(cast):
    c = new_campaign(cast, active=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=c.pk).update(ends_on=c.starts_on - dt.timedelta(days=1))


def test_draft_changes_then_activate_then_close_with_summary(cast):
    c = new_campaign(cast, active=False)
    c = campaign_update(actor=cast.county_dispatcher, campaign_id=c.pk, name="百日攻坚（修订）")
    assert c.name == "百日攻坚（修订）"
    c = campaign_activate(actor=cast.county_dispatcher, campaign_id=c.pk)
    assert c.status == "active"
    with pytest.raises(Conflict):
        campaign_update(actor=cast.county_dispatcher, campaign_id=c.pk, name="再改")
    with pytest.raises(Invalid):
        campaign_close(actor=cast.county_dispatcher, campaign_id=c.pk, summary="  ")
    c = campaign_close(actor=cast.county_dispatcher, campaign_id=c.pk, summary="共排查隐患…")
    assert c.status == "closed" and c.closed_at is not None
    with pytest.raises(Conflict):
        campaign_close(actor=cast.county_dispatcher, campaign_id=c.pk, summary="again")


def test_a_campaign_without_targets_cannot_start(cast):
    c = new_campaign(cast, active=False, targets=[])
    with pytest.raises(Conflict):
        campaign_activate(actor=cast.county_dispatcher, campaign_id=c.pk)


def test_who_sees_a_campaign(cast):
    draft = new_campaign(cast, active=False, name="草拟")
    active_a = new_campaign(cast, name="城东")  # areas: town A
    county_wide = new_campaign(cast, name="全县", areas=[])

    def seen(user):
        return set(campaign_list(actor=user).values_list("name", flat=True))

    assert seen(cast.county_dispatcher) == {"草拟", "城东", "全县"}
    assert seen(cast.leader) == {"草拟", "城东", "全县"}
    assert seen(cast.dispatcher) == {"城东", "全县"}
    assert seen(cast.dispatcher_b) == {"全县"}
    assert seen(cast.leader_b) == {"全县"}
    assert seen(cast.handler) == {"城东", "全县"}
    assert seen(cast.gridworker) == set()
    assert {c.pk for c in campaign_choices(cast.dispatcher)} == {active_a.pk, county_wide.pk}
    assert draft.pk not in {c.pk for c in campaign_choices(cast.county_dispatcher)}
    with pytest.raises(NotFound):
        campaign_events(actor=cast.dispatcher_b, campaign_id=active_a.pk)


def test_events_by_rule_and_by_hand_and_progress_equals_a_direct_count(cast):
    c = new_campaign(cast)
    in_a = [fire_event(cast) for _ in range(3)]
    fire_event(cast, point="point_b1")  # town B: outside the areas
    report(cast)  # a neighbour dispute: outside the categories
    with clock.frozen(clock.now() - dt.timedelta(days=60)):
        fire_event(cast)  # before the period
    close_event(cast, in_a[0])
    outside = report(cast, point="point_b1", user=cast.gridworker_b)
    row = campaign_event_add(
        actor=cast.county_dispatcher, campaign_id=c.pk, event_id=outside.pk, note="同类隐患"
    )
    assert row.event_id == outside.pk
    with pytest.raises(Conflict):  # tagged already
        campaign_event_add(actor=cast.county_dispatcher, campaign_id=c.pk, event_id=outside.pk)
    with pytest.raises(Conflict):  # in by the rule
        campaign_event_add(actor=cast.county_dispatcher, campaign_id=c.pk, event_id=in_a[1].pk)
    with pytest.raises(Invalid):
        campaign_event_add(actor=cast.county_dispatcher, campaign_id=c.pk, event_id=999999)

    start = dt.datetime.combine(c.starts_on, dt.time.min)
    direct = (
        Event.objects.filter(
            within_q("region_path", [cast.town_a.path]),
            category__in=[cast.hazard, cast.fire],
            reported_at__date__gte=start.date(),
        )
        .exclude(status__in=["rejected", "merged"])
        .count()
        + 1
    )
    figures = {t.label: t for t in progress(c)}
    assert figures["排查隐患"].actual == direct == 4
    assert figures["排查隐患"].text == "100.00%（4/4）" and figures["排查隐患"].reached
    assert figures["整改隐患"].actual == 1
    assert figures["整改隐患"].text == "50.00%（1/2）"
    assert figures["出动检查人次"].actual is None

    # Town A's dispatcher lists the campaign's events they may see: not town B's tagged one.
    mine = set(
        campaign_events(actor=cast.dispatcher, campaign_id=c.pk).values_list("pk", flat=True)
    )
    assert mine == {e.pk for e in in_a}
    office = campaign_events(actor=cast.county_dispatcher, campaign_id=c.pk)
    assert office.count() == 4

    assert dict((n, a) for n, a, _ in events_by_category(c)) == {"消防隐患": 3, "邻里纠纷": 1}
    assert dict((n, a) for n, a, _ in events_by_town(c)) == {"武原街道": 3, "通元镇": 1}

    campaign_event_remove(actor=cast.county_dispatcher, campaign_id=c.pk, event_id=outside.pk)
    assert not CampaignEvent.objects.filter(campaign=c).exists()
    with pytest.raises(NotFound):  # an event in by the rule is not untagged
        campaign_event_remove(actor=cast.county_dispatcher, campaign_id=c.pk, event_id=in_a[1].pk)
    assert {t.label: t.actual for t in progress(c)}["排查隐患"] == 3


def test_only_the_office_tags_events(cast):
    c = new_campaign(cast)
    e = fire_event(cast)
    for user, error in ((cast.dispatcher, Forbidden), (cast.leader, Forbidden)):
        with pytest.raises(error):
            campaign_event_add(actor=user, campaign_id=c.pk, event_id=e.pk)
    with pytest.raises(NotFound):
        campaign_event_add(actor=cast.dispatcher_b, campaign_id=c.pk, event_id=e.pk)


def test_entered_targets_and_registered_counters(cast):
    register_counter("walk_test_counter", "测试计数", lambda campaign: 7)
    c = new_campaign(
        cast,
        targets=[
            {"metric": "entered", "label": "出动检查人次", "target": 100},
            {"metric": "walk_test_counter", "label": "测试", "target": 14},
            {"metric": "listings_delisted", "label": "摘牌", "target": 1},
        ],
    )
    entered = c.targets.get(metric="entered")
    with pytest.raises(Invalid):
        target_enter(actor=cast.county_dispatcher, campaign_id=c.pk, target_id=entered.pk, value=5)
    target_enter(
        actor=cast.county_dispatcher,
        campaign_id=c.pk,
        target_id=entered.pk,
        value=85,
        note="据各镇报表汇总",
    )
    other = c.targets.get(metric="walk_test_counter")
    with pytest.raises(Conflict):
        target_enter(
            actor=cast.county_dispatcher, campaign_id=c.pk, target_id=other.pk, value=1, note="x"
        )
    new_listing(cast, campaign=c.pk)
    figures = {t.label: t for t in progress(c)}
    assert figures["出动检查人次"].text == "85.00%（85/100）"
    assert figures["出动检查人次"].note == "据各镇报表汇总"
    assert figures["测试"].actual == 7 and figures["测试"].percent == 50
    assert figures["摘牌"].actual == 0
    assert ListedItem.objects.get(campaign=c).campaign_id == c.pk


def test_the_closing_report_opens_and_holds_the_figures(cast):
    from docx import Document

    from pingan.campaigns.documents import campaign_report

    c = new_campaign(cast)
    fire_event(cast)
    campaign_close(actor=cast.county_dispatcher, campaign_id=c.pk, summary="成效明显。\n下一步…")
    data, name = campaign_report(actor=cast.leader, campaign_id=c.pk)
    assert name.endswith(".docx") and c.name in name
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert c.name in text and "成效明显。" in text
    cells = [[cell.text for cell in row.cells] for t in doc.tables for row in t.rows]
    assert ["排查隐患", "4", "1", "25.00%（1/4）"] in cells
    assert ["武原街道", "1", "0"] in cells
    with pytest.raises(NotFound):
        campaign_report(actor=cast.dispatcher_b, campaign_id=c.pk)
