"""The listing kind's table and every row, through the engine: who may, what it writes,
what it refuses (nothing written)."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from pingan.campaigns import workflow
from pingan.campaigns.choices import ListingStatus
from pingan.campaigns.kind import LISTING
from pingan.campaigns.models import ListedItem, ListingProgress
from pingan.campaigns.tests.factories import at_state, fire, new_listing, today
from pingan.cases.service import allowed
from pingan.core.audit import AuditEntry
from pingan.core.errors import Conflict, Forbidden, Invalid, NotFound

DOC = Path(settings.BASE_DIR) / "docs" / "workflow-listing.md"


def test_docs_workflow_listing_md_is_generated_from_the_table():
    out = StringIO()
    call_command("workflow_doc", "listing", stdout=out)
    assert DOC.exists(), "docs/workflow-listing.md is missing"
    assert DOC.read_text(encoding="utf-8") == out.getvalue(), (
        "docs/workflow-listing.md is stale (pingan/campaigns/workflow.py changed): run "
        "`manage.py workflow_doc listing > docs/workflow-listing.md`"
    )


def test_every_state_is_reachable_and_every_open_one_has_a_way_out():
    assert workflow.LISTING.reachable_states() == set(ListingStatus.values)
    for state in set(ListingStatus.values) - workflow.TERMINAL:
        exits = [t for t in workflow.TABLE if state in t.sources and t.target not in (None, state)]
        assert exits, f"state {state} has no transition out of it"
    for t in workflow.TABLE:
        assert not t.sources & workflow.TERMINAL, f"{t.action} fires from a terminal state"


def test_the_whole_loop_to_delisting(cast):
    item = new_listing(cast)
    assert item.status == "listed"
    assert item.timeline.get().action == "list"
    item = fire(item, cast.dispatcher, "start")  # town A's dispatcher: the owner unit
    item = fire(item, cast.dispatcher, "report", text="清理占道摊点12处")
    assert ListingProgress.objects.get(item=item).text == "清理占道摊点12处"
    item = fire(item, cast.dispatcher, "request_acceptance", note="整改完毕")
    assert item.status == "acceptance"
    item = fire(item, cast.county_dispatcher, "reject", note="消防通道仍有堵塞")
    assert item.status == "rectifying"
    item = fire(item, cast.dispatcher, "request_acceptance", note="再次整改完毕")
    item = fire(item, cast.county_dispatcher, "accept", note="验收合格")
    assert item.status == "accepted" and item.accepted_at is not None
    item = fire(item, cast.county_dispatcher, "delist", note="摘牌")
    assert item.status == "delisted" and item.delisted_at is not None
    actions = list(item.timeline.values_list("action", flat=True))
    assert actions == [
        "list",
        "start",
        "report",
        "request_acceptance",
        "reject",
        "request_acceptance",
        "accept",
        "delist",
    ]
    assert item.timeline.get(action="delist").data == {"on_time": True}
    assert AuditEntry.objects.filter(action="listing.delist", object_id=str(item.pk)).exists()


def test_a_department_owner_answers_through_its_handlers(cast):
    item = new_listing(cast, unit_region=None, unit_department=cast.market.pk)
    with pytest.raises(Forbidden):  # town A's dispatcher sees it (its region) but is no owner
        fire(item, cast.dispatcher, "start")
    item = fire(item, cast.handler_market, "start")
    item = fire(item, cast.handler_market, "report", text="约谈经营户")
    assert item.status == "rectifying"
    with pytest.raises(NotFound):  # the police do not see it
        fire(item, cast.handler, "report", text="x")


def test_only_the_office_accepts_delists_extends_and_cancels(cast):
    item = at_state(cast, "acceptance")
    for user in (cast.dispatcher, cast.leader):
        with pytest.raises(Forbidden):
            fire(item, user, "accept", note="合格")
    with pytest.raises(NotFound):
        fire(item, cast.dispatcher_b, "accept", note="合格")  # town B's: not in scope
    assert ListedItem.objects.get(pk=item.pk).status == "acceptance"


def test_extend_moves_the_deadline_and_keeps_the_first(cast):
    item = at_state(cast, "rectifying")
    first = item.deadline
    later = first + dt.timedelta(days=20)
    item = fire(item, cast.county_dispatcher, "extend", deadline=later.isoformat(), note="汛期")
    assert item.deadline == later and item.original_deadline == first
    row = item.timeline.get(action="extend")
    assert row.data == {"old_deadline": first.isoformat(), "deadline": later.isoformat()}


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"note": "汛期"}, "deadline"),
        ({"deadline": "明天", "note": "汛期"}, "deadline"),
        ({"deadline": "2000-01-01", "note": "汛期"}, "deadline"),
        ({"deadline": "2099-01-01"}, "note"),
    ],
)
def test_extend_refuses_bad_fields_with_nothing_written(cast, payload, field):
    item = at_state(cast, "listed")
    with pytest.raises(Invalid) as e:
        fire(item, cast.county_dispatcher, "extend", **payload)
    assert field in e.value.fields
    fresh = ListedItem.objects.get(pk=item.pk)
    assert fresh.deadline == item.deadline and fresh.timeline.count() == 1


def test_cancel_from_every_open_state_and_nothing_after(cast):
    for state in ("listed", "rectifying", "acceptance", "accepted"):
        item = fire(at_state(cast, state), cast.county_dispatcher, "cancel", note="重复挂牌")
        assert item.status == "cancelled"
        with pytest.raises(Conflict):
            fire(item, cast.county_dispatcher, "extend", deadline="2099-01-01", note="x")


def test_wrong_state_is_409_and_required_fields_422(cast):
    item = at_state(cast, "listed")
    with pytest.raises(Conflict):
        fire(item, cast.dispatcher, "request_acceptance", note="x")
    with pytest.raises(Conflict):
        fire(item, cast.county_dispatcher, "delist")
    item = fire(item, cast.dispatcher, "start")
    with pytest.raises(Invalid):
        fire(item, cast.dispatcher, "report", text="  ")
    with pytest.raises(Invalid):
        fire(item, cast.dispatcher, "request_acceptance")


def test_buttons_follow_role_and_state(cast):
    item = at_state(cast, "rectifying")
    unit = {r.action for r in allowed(LISTING, cast.dispatcher, item)}
    office = {r.action for r in allowed(LISTING, cast.county_dispatcher, item)}
    assert unit == {"report", "request_acceptance"}
    assert office == {"extend", "cancel"}
    assert not allowed(LISTING, cast.leader, item)  # the county leader reads
    assert not allowed(LISTING, cast.gridworker, item)


def test_overdue_is_deadline_passed_and_still_listed(cast):
    item = at_state(cast, "rectifying")
    assert not item.is_overdue(today())
    assert item.is_overdue(item.deadline + dt.timedelta(days=1))
    item = fire(item, cast.county_dispatcher, "cancel", note="x")
    assert not item.is_overdue(item.deadline + dt.timedelta(days=1))
