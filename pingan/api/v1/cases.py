"""`POST /api/v1/<kind>/{id}/transitions {action, ...}` for every registered case kind.

The event's endpoint (events.py) has its documented payload and answers the event's
detail; a kind that brings no adapter of its own gets the generic payload (action, note,
public_reply and any further fields its rows require, passed through to the engine) and
the generic answer: the case's id, state and the actions the caller may fire next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import BaseModel, ConfigDict

from pingan.access.actor import actor_of
from pingan.cases.kind import CaseKind, kinds
from pingan.cases.service import allowed, transition
from pingan.cases.table import Transition

router = Router(tags=["cases"])


class CaseTransitionIn(BaseModel):
    """`{"action", ...fields}`: the fields each action requires are in its workflow
    document (`manage.py workflow_doc <kind>`). A pydantic model, not a ninja Schema: the
    Schema's own validator reads its input through an attribute getter and so drops every
    field it does not declare, `extra="allow"` or not; here the action's fields (a
    committee, a date…) reach the engine."""

    model_config = ConfigDict(extra="allow")

    action: str
    note: str | None = Field(None, description="内部说明（不对外公开）")
    public_reply: str | None = Field(None, description="对外答复（选填，仅部分操作可填）")


class CaseActionOut(Schema):
    action: str
    variant: str
    label: str
    requires: list[str]
    public_reply: bool


class CaseStateOut(Schema):
    id: int
    kind: str
    state: str
    state_label: str
    allowed_actions: list[CaseActionOut]


def case_state(request: HttpRequest, kind: CaseKind[Any], case: Any) -> dict[str, Any]:
    """The generic answer: where the case stands and what the caller may do next."""
    state = kind.state(case)
    return {
        "id": case.pk,
        "kind": kind.name,
        "state": state,
        "state_label": kind.workflow.state_label(state),
        "allowed_actions": action_rows(allowed(kind, actor_of(request), case)),
    }


def timeline_rows(kind: CaseKind[Any], rows: Iterable[Any]) -> list[dict[str, Any]]:
    """A case's timeline rows (`cases.models.TimelineEntry`) as the detail answers give
    them, each action with its label."""
    wf = kind.workflow
    return [
        {
            "action": t.action,
            "action_label": wf.action_label(t.action),
            "from_status": t.from_status,
            "to_status": t.to_status,
            "actor": t.actor_id,
            "actor_role": t.actor_role,
            "note": t.note,
            "public_reply": t.public_reply,
            "data": t.data,
            "at": t.at,
        }
        for t in rows
    ]


def action_rows(rows: Iterable[Transition]) -> list[dict[str, Any]]:
    """The actions the caller may fire next (`cases.service.allowed`), as answered."""
    return [
        {
            "action": r.action,
            "variant": r.variant,
            "label": r.display_label,
            "requires": list(r.requires),
            "public_reply": r.public_reply,
        }
        for r in rows
    ]


def payload_of(body: BaseModel) -> dict[str, Any]:
    """The transition's fields: everything sent except the action, without the nulls."""
    return {k: v for k, v in body.model_dump().items() if v is not None and k != "action"}


def add_transition_route(
    target: Router,
    kind: CaseKind[Any],
    *,
    payload: type[BaseModel] = CaseTransitionIn,
    response: Any = CaseStateOut,
    answer: Callable[[HttpRequest, Any], Any] | None = None,
) -> None:
    """Register `POST /<kind.name>/{case_id}/transitions` on `target` (the engine's codes:
    404 out of scope, 403 role or scope, 409 state, 422 fields; nothing half-applied)."""

    def create(request: HttpRequest, case_id: int, body: payload) -> Any:  # type: ignore[valid-type]
        case = transition(
            kind,
            actor=actor_of(request),
            case_id=case_id,
            action=body.action,  # type: ignore[attr-defined]
            payload=payload_of(body),
        )
        if answer is not None:
            return answer(request, case)
        return case_state(request, kind, case)

    # Real types, not the strings `from __future__ import annotations` leaves: the body
    # schema is this call's argument, which django-ninja could not find by name.
    create.__annotations__ = {
        "request": HttpRequest,
        "case_id": int,
        "body": payload,
        "return": Any,
    }
    create.__name__ = f"{kind.name}_transition_create"
    target.post(
        f"/{kind.name}/{{case_id}}/transitions",
        response=response,
        summary=f"对{kind.label}执行流转操作（409 当前状态不可，403 角色或范围不可，"
        "404 不在范围，422 字段错误）",
        operation_id=f"{kind.name}_transition_create",
    )(create)


def install(own: set[str]) -> None:
    """Routes for every registered kind whose app brings no endpoint of its own."""
    for kind in kinds():
        if kind.name not in own:
            add_transition_route(router, kind)
