"""Who may see and move which event: scope over two towns and two departments, the
workflow table role by role, and two people acting on one event at the same moment."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient, dispatched_to_police, error_of, report
from pingan.conftest import on_postgres
from pingan.events import workflow
from pingan.events.models import Event
from pingan.events.services import event_transition

MEDIATION_PARTIES = [
    {"role": "applicant", "name": "王小明", "phone": "13812345678"},
    {"role": "respondent", "name": "李大华", "phone": "13987654321"},
]

# A plausible payload for every action, so that a refusal is never about missing fields.
PAYLOADS: dict[str, dict[str, Any]] = {
    "accept": {},
    "reject": {"note": "不予受理"},
    "merge": {"master": 1},
    "escalate": {"note": "提级"},
    "resolve_on_site": {"result": "已解决"},
    "dispatch": {"note": "派遣"},
    "acknowledge": {},
    "return": {"note": "退回"},
    "extend": {"days": 2, "note": "需要时间"},
    "decide_extension": {"approve": True},
    "resolve": {"result": "已处置"},
    "verify": {"passed": True},
    "follow_up": {"satisfaction": "satisfied"},
    "reopen": {"note": "重办"},
    "track": {},
    "recheck": {"check": 1, "recurred": False},
    "consult": {"participants": "各方", "conclusion": "结论"},
    "supervise": {"note": "督办"},
    "remind": {"note": "催办"},
    "comment": {"note": "备注"},
    "accept_dispatch": {"lead_department": 1, "note": "派遣"},
    "reassign": {"lead_department": 1, "note": "改派"},
    "add_assist": {"department": 1, "note": "协办"},
    "remove_assist": {"department": 1, "note": "撤销"},
    "waive_assist": {"department": 1, "note": "免除"},
    "conclude_consult": {"participants": "各方", "conclusion": "结论"},
    "reply_supervision": {"reply": "已办理"},
    "refer_mediation": {"parties": MEDIATION_PARTIES},
    "activate_plan": {"plan": 1, "level": "IV"},
}


def snapshot(event_id: int) -> tuple[Any, ...]:
    e = Event.objects.get(pk=event_id)
    return (
        e.status,
        e.queue_region_id,
        e.lead_department_id,
        e.due_at,
        e.satisfaction,
        e.timeline.count(),
        e.assignments.count(),
        e.updated_at,
    )


# ---- scope: other town, other department ----------------------------------------------


@pytest.mark.parametrize("stranger", ["dispatcher_b", "handler_market", "leader_b", "gridworker_b"])
def test_strangers_neither_see_nor_move_the_event(cast, api_as, stranger):
    e = dispatched_to_police(cast)
    payloads = {**PAYLOADS, "dispatch": {"lead_department": cast.police.pk}}
    api = api_as(getattr(cast, stranger))
    before = snapshot(e.pk)

    r = api.get(f"/events/{e.pk}")
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"
    for action in workflow.ACTIONS:
        r = api.act(e.pk, action, **payloads[action])
        assert r.status_code == 404, (action, r.json())
        # The same answer as for an event that does not exist.
        assert r.json() == api.act(10**9, action, **payloads[action]).json()
    assert snapshot(e.pk) == before

    listed = api.get("/events").json()
    assert e.pk not in [i["id"] for i in listed["items"]]
    assert listed["count"] == 0
    assert api.get("/events", region=cast.town_a.pk).json()["count"] == 0
    assert api.get("/stats/summary").json()["total"] == 0
    assert api.get("/stats/summary", region=cast.town_a.pk).json()["total"] == 0


def test_the_right_town_and_department_do_see_it(cast, api_as):
    e = dispatched_to_police(cast)
    for user in (cast.dispatcher, cast.handler, cast.county_dispatcher, cast.leader):
        api = api_as(user)
        assert api.get(f"/events/{e.pk}").status_code == 200
        assert api.get("/events").json()["count"] == 1
        assert api.get("/stats/summary").json()["total"] == 1


# ---- the workflow table, row by row ---------------------------------------------------


def _accepted(c):
    e = report(c)
    return event_transition(actor=c.dispatcher, event_id=e.pk, action="accept")


def _dispatched(c):
    e = _accepted(c)
    return event_transition(
        actor=c.dispatcher,
        event_id=e.pk,
        action="dispatch",
        payload={"lead_department": c.police.pk, "assisting_departments": [c.market.pk]},
    )


def _in_progress(c):
    e = _dispatched(c)
    return event_transition(actor=c.handler, event_id=e.pk, action="acknowledge")


def _assist_acknowledged(c):
    e = _in_progress(c)
    return event_transition(actor=c.handler_market, event_id=e.pk, action="acknowledge")


def _assist_done(c):
    e = _assist_acknowledged(c)
    return event_transition(
        actor=c.handler_market, event_id=e.pk, action="resolve", payload={"result": "已协助"}
    )


def _lead_waiting(c):
    # The lead has reported; the assisting market department has signed, not reported.
    e = _assist_acknowledged(c)
    return event_transition(
        actor=c.handler, event_id=e.pk, action="resolve", payload={"result": "已处置"}
    )


def _resolved(c):
    e = _assist_done(c)
    return event_transition(
        actor=c.handler, event_id=e.pk, action="resolve", payload={"result": "已处置"}
    )


def _followed_up(c):
    e = _closed(c)
    return event_transition(
        actor=c.dispatcher, event_id=e.pk, action="follow_up", payload={"satisfaction": "satisfied"}
    )


def _closed(c):
    e = _resolved(c)
    return event_transition(
        actor=c.gridworker, event_id=e.pk, action="verify", payload={"passed": True}
    )


def _closed_on_site(c):
    e = report(c)
    return event_transition(
        actor=c.gridworker, event_id=e.pk, action="resolve_on_site", payload={"result": "现场解决"}
    )


def _pending_extension(c):
    e = _in_progress(c)
    return event_transition(
        actor=c.handler, event_id=e.pk, action="extend", payload={"days": 2, "note": "需协调"}
    )


def _tracked(c):
    e = _closed(c)
    return event_transition(actor=c.dispatcher, event_id=e.pk, action="track")


def _invited(c):
    e = _accepted(c)
    payload = {"invited_departments": [c.police.pk], "topic": "责任归属"}
    return event_transition(actor=c.leader, event_id=e.pk, action="consult", payload=payload)


def _supervised(c):
    e = _in_progress(c)
    payload = {"note": "请加快", "level": "key"}
    return event_transition(actor=c.leader, event_id=e.pk, action="supervise", payload=payload)


# (action, variant) → (set-up, allowed actor, payload builder, expected status after)
RECIPES: dict[tuple[str, str], tuple[Any, str, Any, str]] = {
    ("accept", ""): (report, "dispatcher", lambda c, e: {}, "accepted"),
    ("reject", ""): (report, "dispatcher", lambda c, e: {"note": "重复"}, "rejected"),
    ("merge", ""): (report, "dispatcher", lambda c, e: {"master": report(c).pk}, "merged"),
    ("escalate", ""): (report, "dispatcher", lambda c, e: {"note": "跨镇"}, "reported"),
    ("escalate", "handling"): (_in_progress, "handler", lambda c, e: {"note": "难"}, "in_progress"),
    ("resolve_on_site", ""): (report, "gridworker", lambda c, e: {"result": "劝解"}, "closed"),
    ("dispatch", ""): (
        _accepted,
        "dispatcher",
        lambda c, e: {"lead_department": c.police.pk},
        "dispatched",
    ),
    ("acknowledge", "lead"): (_dispatched, "handler", lambda c, e: {}, "in_progress"),
    ("acknowledge", "assist"): (_dispatched, "handler_market", lambda c, e: {}, "dispatched"),
    ("return", "lead"): (_dispatched, "handler", lambda c, e: {"note": "非本部门"}, "accepted"),
    ("return", "assist"): (
        _dispatched,
        "handler_market",
        lambda c, e: {"note": "非本部门"},
        "dispatched",
    ),
    ("extend", "lead"): (
        _in_progress,
        "handler",
        lambda c, e: {"days": 2, "note": "需协调"},
        "in_progress",
    ),
    ("decide_extension", ""): (
        _pending_extension,
        "dispatcher",
        lambda c, e: {"approve": True},
        "in_progress",
    ),
    ("return", "assist_last"): (
        _lead_waiting,
        "handler_market",
        lambda c, e: {"note": "非本部门"},
        "resolved",
    ),
    ("resolve", "lead"): (_assist_done, "handler", lambda c, e: {"result": "已处置"}, "resolved"),
    ("resolve", "lead_waiting"): (
        _assist_acknowledged,
        "handler",
        lambda c, e: {"result": "已处置"},
        "in_progress",
    ),
    ("resolve", "assist"): (
        _assist_acknowledged,
        "handler_market",
        lambda c, e: {"result": "已协助"},
        "in_progress",
    ),
    ("resolve", "assist_last"): (
        _lead_waiting,
        "handler_market",
        lambda c, e: {"result": "已协助"},
        "resolved",
    ),
    ("waive_assist", ""): (
        _dispatched,
        "dispatcher",
        lambda c, e: {"department": c.market.pk, "note": "无需协办"},
        "dispatched",
    ),
    ("waive_assist", "last"): (
        _lead_waiting,
        "dispatcher",
        lambda c, e: {"department": c.market.pk, "note": "协办部门未反馈，主办结果已足够"},
        "resolved",
    ),
    ("verify", "passed"): (_resolved, "gridworker", lambda c, e: {"passed": True}, "closed"),
    ("verify", "failed"): (
        _resolved,
        "dispatcher",
        lambda c, e: {"passed": False, "note": "未整改"},
        "in_progress",
    ),
    ("follow_up", "first"): (
        _closed,
        "dispatcher",
        lambda c, e: {"satisfaction": "satisfied"},
        "closed",
    ),
    ("follow_up", "correct"): (
        _followed_up,
        "dispatcher",
        lambda c, e: {"satisfaction": "dissatisfied", "note": "群众来电更正"},
        "closed",
    ),
    ("reopen", "dispatched"): (_closed, "dispatcher", lambda c, e: {"note": "复发"}, "in_progress"),
    ("reopen", "undispatched"): (
        _closed_on_site,
        "dispatcher",
        lambda c, e: {"note": "复发"},
        "accepted",
    ),
    ("track", ""): (_closed, "dispatcher", lambda c, e: {}, "closed"),
    ("recheck", ""): (
        _tracked,
        "gridworker",
        lambda c, e: {"check": e.tracking_checks.first().pk, "recurred": False},
        "closed",
    ),
    ("consult", ""): (
        _accepted,
        "leader",
        lambda c, e: {"participants": "派出所、社区", "conclusion": "调解"},
        "accepted",
    ),
    ("supervise", ""): (_in_progress, "leader", lambda c, e: {"note": "督办"}, "in_progress"),
    ("remind", ""): (_dispatched, "dispatcher", lambda c, e: {"note": "催办"}, "dispatched"),
    ("comment", ""): (report, "gridworker", lambda c, e: {"note": "备注"}, "reported"),
    ("accept_dispatch", ""): (
        report,
        "dispatcher",
        lambda c, e: {"lead_department": c.police.pk},
        "dispatched",
    ),
    ("reassign", ""): (
        _in_progress,
        "dispatcher",
        lambda c, e: {"lead_department": c.housing.pk, "note": "职能不符"},
        "dispatched",
    ),
    ("add_assist", ""): (
        _dispatched,
        "dispatcher",
        lambda c, e: {"department": c.housing.pk, "note": "协助"},
        "dispatched",
    ),
    ("remove_assist", ""): (
        _dispatched,
        "dispatcher",
        lambda c, e: {"department": c.market.pk, "note": "无需"},
        "dispatched",
    ),
    ("remove_assist", "last"): (
        _lead_waiting,
        "dispatcher",
        lambda c, e: {"department": c.market.pk, "note": "不涉及本部门职责"},
        "resolved",
    ),
    ("consult", "invite"): (
        _accepted,
        "dispatcher",
        lambda c, e: {"invited_departments": [c.police.pk], "topic": "责任归属"},
        "accepted",
    ),
    ("conclude_consult", ""): (
        _invited,
        "leader",
        lambda c, e: {"participants": "公安", "conclusion": "公安主办"},
        "accepted",
    ),
    ("reply_supervision", ""): (
        _supervised,
        "handler",
        lambda c, e: {"reply": "已办理"},
        "in_progress",
    ),
    # Answered with the new mediation case (201); the event waits where it was.
    ("refer_mediation", ""): (
        report,
        "dispatcher",
        lambda c, e: {"parties": MEDIATION_PARTIES},
        "reported",
    ),
    # 启动预案 (pingan.emergency): the activation is made; the event stays where it was.
    ("activate_plan", ""): (
        report,
        "dispatcher",
        lambda c, e: {"plan": _emergency_plan(c).pk, "level": "IV"},
        "reported",
    ),
}


def _emergency_plan(c: Any) -> Any:
    from pingan.emergency.tests.factories import wage_plan

    return wage_plan(c)


# One user per role, all with scope over town A (or the police), plus one with no scope.
BY_ROLE = {
    "grid_worker": "gridworker",
    "grid_leader": "gridleader",
    "dispatcher": "dispatcher",
    "handler": "handler",
    "leader": "leader",
    "sys_admin": "sysadmin",
}


def test_every_row_of_the_table_has_a_recipe():
    assert set(RECIPES) == {(t.action, t.variant) for t in workflow.TABLE}


@pytest.mark.parametrize("key", list(RECIPES), ids=lambda k: "-".join(filter(None, k)))
def test_row_refuses_other_roles_and_allows_its_own(cast, api_as, key):
    row = workflow.find(*key)
    assert row is not None
    setup, actor, build, target = RECIPES[key]
    event = setup(cast)
    payload = build(cast, event)
    before = snapshot(event.pk)

    for role, username in BY_ROLE.items():
        if role in row.roles:
            continue
        r = api_as(getattr(cast, username)).act(event.pk, key[0], **payload)
        assert r.status_code in (403, 404), (role, r.status_code, r.json())
        assert error_of(r)["code"] in ("forbidden", "not_found")
    assert snapshot(event.pk) == before

    r = api_as(getattr(cast, actor)).act(event.pk, key[0], **payload)
    if key[0] == "refer_mediation":
        assert r.status_code == 201, r.json()
        assert r.json()["event"] == event.pk
        r = api_as(getattr(cast, actor)).get(f"/events/{event.pk}")
    else:
        assert r.status_code == 200, r.json()
    assert r.json()["status"] == target
    assert r.json()["timeline"][-1]["action"] == key[0]


def test_in_scope_leader_is_refused_with_403(cast, api_as):
    e = report(cast)
    r = api_as(cast.leader).act(e.pk, "accept")
    assert r.status_code == 403
    assert error_of(r)["code"] == "forbidden"
    assert Event.objects.get(pk=e.pk).status == "reported"


# ---- two people, one event, one moment -------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.skipif(not on_postgres(), reason="row locks across connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_one_wins_one_conflicts(cast):
    e = report(cast)
    tokens = [token_issue(user=cast.dispatcher), token_issue(user=cast.county_dispatcher)]
    barrier = threading.Barrier(len(tokens))
    results: list[int] = []
    lock = threading.Lock()

    def accept(token: str) -> None:
        try:
            api = ApiClient(Client(), token)
            barrier.wait(timeout=10)
            status = api.act(e.pk, "accept").status_code
            with lock:
                results.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == [200, 409]
    e.refresh_from_db()
    assert e.status == "accepted"
    assert list(e.timeline.values_list("action", flat=True)) == ["report", "accept"]
