"""Routing: the most specific rule suggests the departments; the dispatcher may override."""

from __future__ import annotations

import pytest

from pingan.core.errors import Invalid, NotFound
from pingan.core.models import AuditEntry
from pingan.events.catalogue import category_upsert
from pingan.events.choices import AssignmentRole, Status
from pingan.events.services import event_report, event_transition
from pingan.routing.selectors import suggest, suggest_for
from pingan.routing.services import dispatch_suggested, routing_rule_create


def report(cast, *, category=None, point=None, user=None):
    lat, lng = point or cast.point_a1
    event, _ = event_report(
        actor=user or cast.gridworker,
        category=(category or cast.neighbour).pk,
        description="楼道堆放杂物，邻居争吵",
        lat=lat,
        lng=lng,
    )
    return event


def accepted(cast, **kw):
    e = report(cast, **kw)
    dispatcher = cast.dispatcher_b if kw.get("point") == cast.point_b1 else cast.dispatcher
    return event_transition(actor=dispatcher, event_id=e.pk, action="accept")


def rule(cast, category, region, lead, assisting=(), priority=0, **kw):
    return routing_rule_create(
        category=category,
        region=region,
        lead_department=lead,
        assisting_departments=assisting,
        priority=priority,
        **kw,
    )


def test_leaf_category_rule_beats_parent_rule_even_on_a_deeper_region(cast):
    rule(cast, cast.dispute, cast.town_a, cast.market)
    leaf = rule(cast, cast.neighbour, cast.county, cast.housing)

    s = suggest(report(cast))

    assert s.lead == cast.housing and s.rule == leaf


def test_town_rule_beats_county_rule_only_inside_the_town(cast):
    county_rule = rule(cast, cast.neighbour, cast.county, cast.market)
    town_rule = rule(cast, cast.neighbour, cast.town_a, cast.housing, assisting=[cast.market])

    in_a = suggest(report(cast))
    in_b = suggest(report(cast, point=cast.point_b1, user=cast.gridworker_b))

    assert (in_a.lead, in_a.assisting, in_a.rule) == (cast.housing, [cast.market], town_rule)
    assert (in_b.lead, in_b.assisting, in_b.rule) == (cast.market, [], county_rule)


def test_priority_breaks_ties_and_inactive_rules_are_ignored(cast):
    rule(cast, cast.neighbour, cast.town_a, cast.market, priority=1)
    high = rule(cast, cast.neighbour, cast.town_a, cast.housing, priority=5)
    rule(cast, cast.neighbour, cast.town_a, cast.police, priority=9, is_active=False)

    assert suggest(report(cast)).rule == high


def test_rule_on_a_parent_category_applies_to_its_children(cast):
    r = rule(cast, cast.dispute, cast.county, cast.market)
    assert suggest(report(cast)).rule == r


def test_without_rules_the_category_default_department_leads(cast):
    s = suggest(report(cast))
    assert (s.lead, s.assisting, s.rule) == (cast.police, [], None)


def test_without_rules_or_own_default_the_parent_default_leads(cast):
    env = category_upsert(code="env", name="生态环境", default_department=cast.market)
    noise = category_upsert(code="env.noise", name="噪声扰民", parent=env)

    s = suggest(report(cast, category=noise))

    assert (s.lead, s.rule) == (cast.market, None)


def test_suggest_for_is_scoped(cast):
    e = report(cast)
    assert suggest_for(user=cast.dispatcher, event_id=e.pk).lead == cast.police
    with pytest.raises(NotFound):
        suggest_for(user=cast.dispatcher_b, event_id=e.pk)


def test_one_action_dispatches_to_the_suggested_departments(cast):
    r = rule(cast, cast.neighbour, cast.town_a, cast.market, assisting=[cast.housing, cast.police])
    e = accepted(cast)

    e = dispatch_suggested(actor=cast.dispatcher, event_id=e.pk, note="请联合处置")

    assert e.status == Status.DISPATCHED and e.lead_department == cast.market
    roles = dict(e.assignments.values_list("department_id", "role"))
    assert roles == {
        cast.market.pk: AssignmentRole.LEAD,
        cast.housing.pk: AssignmentRole.ASSIST,
        cast.police.pk: AssignmentRole.ASSIST,
    }
    last = e.timeline.last()
    assert (last.action, last.note) == ("dispatch", "请联合处置")
    audit = AuditEntry.objects.get(action="routing.dispatch")
    assert audit.detail == {"rule": r.pk, "overridden": False}


def test_dispatcher_overrides_the_suggestion(cast):
    rule(cast, cast.neighbour, cast.town_a, cast.market, assisting=[cast.housing])
    e = accepted(cast)

    e = dispatch_suggested(
        actor=cast.dispatcher,
        event_id=e.pk,
        lead_department=cast.police,
        assisting_departments=[],
    )

    assert e.lead_department == cast.police
    assert list(e.assignments.values_list("department_id", flat=True)) == [cast.police.pk]
    assert AuditEntry.objects.get(action="routing.dispatch").detail["overridden"] is True


def test_overriding_only_the_lead_keeps_the_suggested_assistants(cast):
    rule(cast, cast.neighbour, cast.town_a, cast.market, assisting=[cast.housing])
    e = accepted(cast)

    e = dispatch_suggested(actor=cast.dispatcher, event_id=e.pk, lead_department=cast.housing.pk)

    assert e.lead_department == cast.housing
    assert list(e.assignments.values_list("department_id", flat=True)) == [cast.housing.pk]


def test_default_department_is_used_when_no_rule_matches(cast):
    e = accepted(cast)
    e = dispatch_suggested(actor=cast.dispatcher, event_id=e.pk)
    assert e.lead_department == cast.police


def test_nothing_to_suggest_and_no_override_is_invalid(cast):
    env = category_upsert(code="env", name="生态环境")
    noise = category_upsert(code="env.noise", name="噪声扰民", parent=env)
    e = accepted(cast, category=noise)

    with pytest.raises(Invalid) as err:
        dispatch_suggested(actor=cast.dispatcher, event_id=e.pk)

    assert "lead_department" in err.value.fields
    e.refresh_from_db()
    assert e.status == Status.ACCEPTED


def test_dispatcher_of_another_town_gets_404(cast):
    e = accepted(cast)
    with pytest.raises(NotFound):
        dispatch_suggested(actor=cast.dispatcher_b, event_id=e.pk)
    e.refresh_from_db()
    assert e.status == Status.ACCEPTED
