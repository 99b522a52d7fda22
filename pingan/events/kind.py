"""The event as a case kind: what the case engine needs to know beyond the table in
`events.workflow` (the worked example of docs/architecture.md, "Adding a case type")."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_noop

from pingan.access.actor import Actor
from pingan.cases.kind import CaseKind, register
from pingan.cases.table import Transition, Workflow
from pingan.events import deadlines, signals, workflow
from pingan.events.choices import (
    AssignmentRole,
    AssignmentStatus,
    ExtensionStatus,
    Status,
    TrackingStatus,
)
from pingan.events.models import Event, EventTransition
from pingan.events.partitions import key_q
from pingan.events.permissions import access_event, active_department_ids, event_scope_q
from pingan.events.timeline import announce, record_transition
from pingan.geo.scope import within
from pingan.org.models import Membership


class EventKind(CaseKind[Event]):
    name = "events"
    label = gettext_noop("事件")
    model = Event
    workflow: ClassVar[Workflow] = workflow.LOOP
    audit_type = "event"
    field_labels: ClassVar[dict[str, str]] = {
        "note": gettext_noop("说明"),
        "master": gettext_noop("主事件"),
        "lead_department": gettext_noop("主办部门"),
        "days": gettext_noop("延期天数"),
        "approve": gettext_noop("审批意见"),
        "result": gettext_noop("处置结果"),
        "passed": gettext_noop("核查结论"),
        "satisfaction": gettext_noop("满意度"),
        "participants": gettext_noop("参与方"),
        "conclusion": gettext_noop("会商结论"),
        "check": gettext_noop("复查任务"),
        "recurred": gettext_noop("复查结论"),
    }
    messages: ClassVar[dict[str, str]] = {
        "not_found": gettext_noop("事件不存在"),
        "wrong_state": gettext_noop("事件当前状态为「%(status)s」，不能执行「%(action)s」"),
        "wrong_role": gettext_noop("当前角色不能执行「%(action)s」"),
        "not_yours": gettext_noop("您不负责此事件，不能执行「%(action)s」"),
    }
    doc_title = "事件流转（workflow）"
    doc_source = "pingan/events/workflow.py"
    doc_settled = "已办结（可回访、重办、长效跟踪）"
    doc_operations_intro: ClassVar[tuple[str, ...]] = (
        "同一操作有多行时为不同变体，由服务根据事件与操作人自动选择。",
        "“目标状态”为（不变）表示只记录时间线，不改变事件状态。",
        "“对外答复”为“可填”的操作可另填 `public_reply`：写给反映人和公众的答复，",
        "与内部说明（`note`）分开保存，手机号、身份证号打码后对外公开",
        "（Open311 的 `status_notes`、民声一键办查询页、短信）；内部说明从不对外公开。",
    )

    def page_url(self, case: Event) -> str:
        return reverse("event_detail", args=[case.pk])

    # ---- scope ------------------------------------------------------------------------------

    def scope_q(self, actor: Actor) -> Q:
        return event_scope_q(actor)

    def key_q(self, pk: int) -> Q:
        return key_q(pk=pk)

    def get(self, actor: Actor, pk: int) -> Event:
        return access_event(actor, pk)

    def lock(self, actor: Actor, pk: int) -> Event:
        event = access_event(actor, pk, for_update=True)
        return (
            Event.objects.select_related("category", "region", "queue_region")
            .filter(pk=event.pk, reported_at=event.reported_at)
            .get()
        )

    def context(self, case: Event) -> set[int]:
        """The departments holding an active assignment on the event."""
        return active_department_ids(case)

    def covers(self, membership: Membership, scope: str, case: Event, context: Any) -> bool:
        m = membership
        if scope == workflow.REGION:
            return m.region is not None and within(case.region_path, (m.region.path,))
        if scope == workflow.QUEUE:
            return m.region is not None and within(case.queue_region.path, (m.region.path,))
        if scope == workflow.ASSIGNMENT:
            return m.department_id is not None and m.department_id in context
        return False

    def variant(self, action: str, case: Event, actor: Actor, payload: dict[str, Any]) -> str:
        if action == "extend":
            return "lead"
        if action in ("acknowledge", "return", "resolve"):
            statuses = (
                (AssignmentStatus.DISPATCHED,) if action == "acknowledge" else workflow.ACTIVE
            )
            a = workflow.actor_assignment(actor, case, statuses=statuses)
            if a is not None and a.role == AssignmentRole.ASSIST:
                return "assist"
            return "lead"
        if action == "verify":
            return "failed" if payload.get("passed") is False else "passed"
        if action == "reopen":
            return "dispatched" if case.lead_department_id else "undispatched"
        if action == "escalate":
            return "handling" if case.status in (Status.DISPATCHED, Status.IN_PROGRESS) else ""
        return ""

    def available(self, row: Transition, case: Event, actor: Actor, context: Any) -> bool:
        action = row.action
        if action == "decide_extension":
            return case.extensions.filter(status=ExtensionStatus.PENDING).exists()
        if action == "track":
            return not case.under_tracking
        if action == "recheck":
            return case.tracking_checks.filter(status=TrackingStatus.PENDING).exists()
        if action == "acknowledge":
            statuses: tuple[str, ...] = (AssignmentStatus.DISPATCHED,)
            return workflow.actor_assignment(actor, case, statuses=statuses) is not None
        if action in ("resolve", "return", "extend"):
            return workflow.actor_assignment(actor, case, statuses=workflow.ACTIVE) is not None
        return True

    # ---- writing ------------------------------------------------------------------------------

    def apply_clock(self, case: Event, row: Transition, now: dt.datetime) -> None:
        if row.clock == workflow.CLOCK_START:
            deadlines.start_clocks(case, now)
        elif row.clock == workflow.CLOCK_STOP_ACK:
            deadlines.stop_ack_clock(case, now)
        elif row.clock == workflow.CLOCK_RESTART:
            deadlines.restart_handling_clock(case, now)
        elif row.clock == workflow.CLOCK_STOP:
            deadlines.stop_clocks(case)

    def written(self, case: Event, action: str) -> None:
        signals.event_written.send(sender=Event, event=case, action=action)

    def record(
        self,
        case: Event,
        *,
        action: str,
        from_state: str,
        to_state: str,
        actor: Actor,
        role: str,
        note: str,
        public_reply: str,
        data: dict[str, Any],
        at: Any,
        columns: dict[str, Any],
    ) -> EventTransition:
        return record_transition(
            case,
            action,
            from_state,
            to_state,
            actor.user,
            role,
            note=note,
            public_reply=public_reply,
            department=columns.get("department"),
            data=data,
            at=at,
        )

    def announce(self, case: Event, action: str, record: Any, variant: str) -> None:
        announce(case, action, record, variant=variant)


EVENTS = register(EventKind())
