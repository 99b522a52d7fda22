"""The answer to a transition is built from the event the service returned (not read again
through the scope, docs/performance.md "Cost of one request"): it must be what the
detail endpoint says right after, for every action and every role that acts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from pingan.api.tests.helpers import report
from pingan.events.models import Event, TrackingCheck
from pingan.events.selectors import with_detail
from pingan.events.services import allowed_actions, event_transition

BUTTON_ROLES = (
    "dispatcher",
    "county_dispatcher",
    "handler",
    "handler_market",
    "handler_housing",
    "gridworker",
    "leader",
)


def _buttons_agree(cast: Any, event_id: int) -> None:
    """The buttons computed from the assignments read with the event (the answer's and the
    detail's way) are those the rules give when they ask the database themselves."""
    for role in BUTTON_ROLES:
        user = getattr(cast, role)
        asking = allowed_actions(user, Event.objects.get(pk=event_id))
        read = allowed_actions(user, with_detail(Event.objects.get(pk=event_id)))
        assert [(r.action, r.variant) for r in read] == [(r.action, r.variant) for r in asking], (
            role
        )


def _same_as_detail(
    api_as: Any, cast: Any, user: Any, event_id: int, action: str, **fields: Any
) -> dict:
    api = api_as(user)
    r = api.act(event_id, action, **fields)
    assert r.status_code == 200, (action, r.json())
    answer = r.json()
    detail = api.get(f"/events/{event_id}")
    assert detail.status_code == 200, (action, detail.json())
    assert answer == detail.json(), action
    _buttons_agree(cast, event_id)
    return answer


def test_every_action_answers_what_the_detail_says(cast, api_as):
    e = report(cast).pk
    disp, gw, leader = cast.dispatcher, cast.gridworker, cast.leader
    police, market = cast.handler, cast.handler_market

    def step(user: Any, action: str, **fields: Any) -> dict:
        return _same_as_detail(api_as, cast, user, e, action, **fields)

    step(disp, "accept")
    step(disp, "consult", invited_departments=[cast.police.pk], topic="邻里纠纷会商")
    step(disp, "conclude_consult", participants=["派出所"], conclusion="由派出所主办")
    step(leader, "supervise", note="尽快派遣")
    step(disp, "reply_supervision", reply="今日派遣")
    body = step(
        disp, "dispatch", lead_department=cast.police.pk, assisting_departments=[cast.market.pk]
    )
    assert body["status"] == "dispatched" and body["assisting_departments"] == [cast.market.pk]
    step(disp, "add_assist", department=cast.housing.pk, note="涉及违建")
    step(disp, "remove_assist", department=cast.housing.pk, note="不涉及违建")
    step(market, "acknowledge")
    assert step(police, "acknowledge")["status"] == "in_progress"
    step(disp, "remind", note="请尽快")
    step(police, "extend", days=3, note="需协调业主")
    step(disp, "decide_extension", approve=True)
    step(police, "resolve", result="双方和解")  # waits for the market's feedback
    assert step(market, "resolve", result="已检查商铺")["status"] == "resolved"
    assert step(gw, "verify", passed=False, note="杂物未清")["status"] == "in_progress"
    step(police, "resolve", result="杂物已清", public_reply="已清理")
    assert step(gw, "verify", passed=True)["status"] == "closed"
    step(disp, "follow_up", satisfaction="satisfied")
    step(disp, "follow_up", satisfaction="basically_satisfied", note="电话更正")
    step(disp, "track", intervals=[7, 30])
    check = TrackingCheck.objects.filter(event_id=e, status="pending").order_by("id").first()
    assert check is not None
    step(gw, "recheck", check=check.pk, recurred=False)
    assert step(disp, "reopen", note="群众反映复发")["status"] == "in_progress"
    step(gw, "comment", note="已到现场查看")
    step(police, "escalate", note="需县级协调")
    body = step(police, "return", note="不属于本部门职责")
    assert body["status"] == "accepted" and body["lead_department"] is None
    # The handler's 提级 moved the queue to the county's centre.
    step(cast.county_dispatcher, "dispatch", lead_department=cast.housing.pk)


def test_joint_handling_actions_answer_what_the_detail_says(cast, api_as):
    e = report(cast).pk
    disp = cast.dispatcher

    def step(user: Any, action: str, **fields: Any) -> dict:
        return _same_as_detail(api_as, cast, user, e, action, **fields)

    step(
        disp,
        "accept_dispatch",
        lead_department=cast.police.pk,
        assisting_departments=[cast.housing.pk, cast.market.pk],
    )
    step(cast.handler_housing, "acknowledge")
    step(cast.handler_housing, "return", note="不属于本部门")
    body = step(disp, "reassign", lead_department=cast.market.pk, note="改由市场监管主办")
    assert body["lead_department"] == cast.market.pk
    step(cast.handler_market, "acknowledge")
    assert step(cast.handler_market, "resolve", result="已处理")["status"] == "resolved"
    assert step(disp, "verify", passed=True)["status"] == "closed"


@pytest.mark.parametrize(
    ("role", "action", "fields"),
    [
        ("dispatcher", "reject", {"note": "不属于受理范围", "public_reply": "请向法院起诉"}),
        ("gridworker", "resolve_on_site", {"result": "现场劝解"}),
        ("dispatcher", "merge", {}),
        ("dispatcher", "escalate", {"note": "涉及多个镇"}),
    ],
)
def test_actions_from_reported_answer_what_the_detail_says(cast, api_as, role, action, fields):
    e = report(cast).pk
    if action == "merge":
        fields = {"master": report(cast).pk}
    _same_as_detail(api_as, cast, getattr(cast, role), e, action, **fields)


# Statements of one accept and one dispatch (with their BEGIN, savepoints and COMMIT) after
# the answer stopped reading the event again and the lock became one statement: 41 and 51
# before on PostgreSQL (docs/performance.md, "Cost of one request").
STATEMENTS = {"postgresql": (33, 42), "sqlite": (32, 41)}


def test_the_answer_does_not_read_the_event_again(cast, api_as, django_assert_max_num_queries):
    """Accept and dispatch answer from the locked event: the statements of one request stay
    at what the write and its answer need (bench/request_cost.py measures their CPU)."""
    accept_max, dispatch_max = STATEMENTS[connection.vendor]
    accepted = report(cast).pk
    event_transition(actor=cast.dispatcher, event_id=accepted, action="accept")
    waiting = report(cast).pk
    api = api_as(cast.dispatcher)
    api.get("/me")  # the token's first use writes its last_used_at
    with django_assert_max_num_queries(accept_max):
        assert api.act(waiting, "accept").status_code == 200
    with django_assert_max_num_queries(dispatch_max):
        r = api.act(accepted, "dispatch", lead_department=cast.police.pk)
        assert r.status_code == 200
