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
from pingan.events import deadlines, signals, supervision, workflow
from pingan.events.choices import (
    AssignmentRole,
    AssignmentStatus,
    ExtensionStatus,
    Status,
    TrackingStatus,
    Urgency,
)
from pingan.events.models import ConsultationStatus, Event, EventTransition
from pingan.events.partitions import key_q
from pingan.events.permissions import access_event, active_department_ids, event_scope_q
from pingan.events.timeline import announce, record_transition
from pingan.geo.scope import within
from pingan.org.models import Membership

# The rules of 派遣, 改派, 协办, 会商 and 督办 that docs/workflow.md states beside the table.
DISPATCH_DOC_SECTIONS: list[tuple[str, list[str]]] = [
    (
        "派遣、改派与协办调整",
        [
            "- 受理并派遣（`accept_dispatch`）：待受理事件一步受理并派遣，字段与派遣相同"
            "（`lead_department`、`assisting_departments`、`note`），同时记下受理时间与派遣时间。",
            "- 改派（`reassign`）：原主办部门的派遣撤销，新主办部门（`lead_department`，须与原主办"
            "不同）重新签收，签收与办理时限从改派时起重新计算，事件回到已派遣；原为协办的部门改为"
            "主办；原主办部门待审批的延期申请随之失效。须填改派理由（`note`）。",
            "- 增加协办（`add_assist`）与撤销协办（`remove_assist`）：字段 `department` 与 `note`；"
            "不能是主办部门、不能重复增加、只能撤销在办的协办部门，否则 422，不作任何改动。",
            "- 改派、增加协办、撤销协办都通知所涉部门的承办人。",
        ],
    ),
    (
        "会商",
        [
            "- 发起会商（`consult` `invite`）：受邀部门（`invited_departments`）、议题（`topic`）、"
            "可选会商时间（`scheduled_at`，如 `2026-12-07T09:30`）；通知受邀部门的承办人。",
            "- 会商结论（`conclude_consult`）：参会人员（`participants`）、结论（`conclusion`），"
            "可选建议主办部门（`suggested_lead`）与建议协办部门（`suggested_assisting`）；"
            "事件尚未派遣时，派遣表单按会商建议预选部门。",
            "- 一步记录会商（`consult`，字段 `participants` 与 `conclusion`）仍可用"
            "（原接口写法）。",
        ],
    ),
    (
        "督办",
        [
            "- 督办（`supervise`）分两级：一般督办（`normal`，默认）与重点督办（`key`），"
            "回复期限按级别（`PINGAN_SUPERVISION_REPLY_DAYS`，默认一般 3 个、重点 1 个工作日），"
            "可用 `reply_days` 另定（1 到 30 个工作日）。",
            "- 被督办部门默认为主办部门，可用 `department` 指定其他在办部门；事件尚未派遣时由"
            "受理中心回复。通知被督办部门的承办人（未派遣时为受理中心）。",
            "- 督办回复（`reply_supervision`）：被督办部门填写回复内容（`reply`），"
            "可用 `supervision` 指定督办件；通知督办人。",
            "- 超过回复期限未回复的督办件为“回复超期”，按查询时刻计算，不另行标记；"
            "督办件列表、工作台、统计分析与简报显示待回复与回复超期件数。",
        ],
    ),
]


class EventKind(CaseKind[Event]):
    name = "events"
    label = gettext_noop("事件")
    model = Event
    timeline = EventTransition
    timeline_case_field = "event"
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
        "department": gettext_noop("部门"),
        "invited_departments": gettext_noop("受邀部门"),
        "topic": gettext_noop("会商议题"),
        "reply": gettext_noop("回复内容"),
        "resolution": gettext_noop("化解结果"),
        "referral": gettext_noop("引导途径"),
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
        "（Open311 的 `status_notes`、群众随手拍查询页、短信）；内部说明从不对外公开。",
    )

    def doc_sections(self) -> list[tuple[str, list[str]]]:
        """The rules docs/workflow.md states beside the table: how the clocks count, joint
        handling, verification and follow-up (`pingan.cases.docs`)."""
        natural = [u for u in Urgency if deadlines.natural_by_default(u)]
        working = [u for u in Urgency if not deadlines.natural_by_default(u)]

        def names(us: list[Urgency]) -> str:
            return "、".join(f"{u.label}（`{u.value}`）" for u in us) or "（无）"

        return [
            (
                "计时方式",
                [
                    f"- 自然时：{names(natural)}事件的签收与办理时限昼夜连续计算，"
                    "含周末和节假日（默认由 `PINGAN_NATURAL_TIME_URGENCIES` 设定）。",
                    f"- 工作时：{names(working)}事件只计工作日的办公时间"
                    "（`PINGAN_WORKING_HOURS`，法定节假日与调休按工作日历）。",
                    "- 分类时限（`CategoryDeadline`）的“计时方式”（`natural_time`）"
                    "可逐分类、逐紧急程度改为自然时或工作时；留空则按上面的默认。",
                    "  该紧急程度没有时限行而借用“一般”一行的时限时，"
                    "计时方式仍按事件的紧急程度默认。",
                    "- 同一事件的派遣开始计时、重新计时（核查不通过、重办）、延期顺延"
                    "和临期预警时刻，都按同一计时方式计算；延期天数在自然时下为自然日。",
                ],
            ),
            (
                "组团跨界处置（主办与协办）",
                [
                    "- 每个协办部门有自己的签收（`acknowledge` `assist`）与协办反馈"
                    "（`resolve` `assist`），须先签收再反馈。",
                    "- 主办部门办结反馈时仍有协办部门在办（待签收或处置中），"
                    "主办部门的派遣办结，事件仍为处置中，等待协办反馈"
                    "（`resolve` `lead_waiting`，时间线记下等待的部门）；",
                    "  最后一个协办部门反馈或退回（`assist_last`），"
                    "或受理中心说明理由免除其反馈（`waive_assist` `last`）"
                    "或撤销该协办（`remove_assist` `last`）时，"
                    "事件自动进入待核查，处置结果为主办部门的结果。",
                    "- 办理计时在等待协办反馈期间继续。",
                    "- “按期办结”（`closed_on_time`）：事件的处置结果在办理期限内到齐，"
                    "即事件进入待核查的时刻（主办部门已办结反馈，"
                    "每个协办部门已反馈、退回或被免除）不晚于办理期限；"
                    "就地解决的事件算按期；没有办理期限的事件既不算按期也不算超期"
                    "（不计入按期办结率的分母）；核查不通过或重办时清空，下次到齐时重新判定。",
                    "- 核查通过时仍在办的派遣一律撤销："
                    "已办结、不予受理、已合并的事件没有在办派遣。",
                ],
            ),
            (
                "办结反馈的化解结果",
                [
                    "- 主办部门办结反馈（`resolve` `lead`、`lead_waiting`）时给出化解结果"
                    "（`resolution`）：`resolved` 已解决（化解）或 `unresolved` 未化解；"
                    "未化解的可另填引导途径（`referral`）：`litigation` 引导诉讼、"
                    "`arbitration` 申请仲裁、`petition` 信访渠道、`other` 其他。",
                    "- 矛盾纠纷类事件（顶级分类编码为 `PINGAN_DISPUTE_CATEGORY`，默认 `dispute`，"
                    "含县级前缀如 `330424-dispute`）在页面上必须选择化解结果（不预选），"
                    "未选时 422（字段 `resolution`），不作任何改动；接口保持约定的 "
                    "`resolve {result}`，不填时与其他事件一样为已解决。取值不对时 422"
                    "（字段 `resolution`）。引导途径只用于未化解，否则 422（字段 `referral`）。",
                    "- 协办反馈不带化解结果。就地解决（`resolve_on_site`）为已解决。",
                    "- 核查通过时保留主办部门给出的化解结果（时间线记下所确认的结果）；"
                    "核查不通过或重办时清空，主办部门再次办结反馈时重新选择。",
                    "- 时间线上矛盾纠纷（以及任何未化解事项）的办结反馈写明化解结果，"
                    "如“办结反馈 · 未化解，引导诉讼”。",
                    "- 统计：已办结而化解结果为未化解的矛盾纠纷不计入矛盾纠纷化解量"
                    "（docs/kpis.md）；此前已办结、没有化解结果的事件按已解决计。",
                ],
            ),
            (
                "核查与回访",
                [
                    "- 核查页列出主办、协办部门的处置结果与处置照片；核查通过须勾选"
                    "“已现场核实处置结果”确认（页面），接口不需另填字段。",
                    "- 分类设“核查须上传现场照片”（`verify_photo_required`）时，"
                    "核查通过须有核查人在事件进入待核查后上传的核查照片"
                    "（页面随表单上传；接口先以 `kind=verification` 上传照片再核查），"
                    "否则 422（字段 `photos`），不作任何改动。",
                    "- 回访只做一次（`follow_up` `first`）；再次回访为更正（`correct`），"
                    "须填更正理由（`note`），时间线记下原满意度与新满意度，"
                    "统计按更正后的满意度。",
                    "  重办后再次办结的事件，其后的第一次回访仍为 `first`。",
                ],
            ),
        ]

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
        # In scope and locked, with its relations, in one statement.
        return access_event(actor, pk, for_update=True)

    def context(self, case: Event) -> set[int]:
        """The departments holding an active assignment on the event (from its
        assignments when they were read with it: `selectors.with_detail`)."""
        rows = _read_assignments(case)
        if rows is not None:
            return {a.department_id for a in rows if a.status in workflow.ACTIVE}
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
            return self._department_variant(action, case, a)
        if action in ("waive_assist", "remove_assist"):
            # The last assisting part awaited after the lead's result: the event moves.
            if case.status != Status.IN_PROGRESS or not workflow.lead_has_reported(case):
                return ""
            exclude = _int_or_none(payload.get("department"))
            return "" if workflow.active_assists(case, exclude=exclude) else "last"
        if action == "follow_up":
            return "correct" if _followed_up(case) else "first"
        if action == "verify":
            return "failed" if payload.get("passed") is False else "passed"
        if action == "reopen":
            return "dispatched" if case.lead_department_id else "undispatched"
        if action == "escalate":
            return "handling" if case.status in (Status.DISPATCHED, Status.IN_PROGRESS) else ""
        if action == "consult":
            # The one-step record (participants + conclusion) or the invitation.
            return "" if "conclusion" in payload else "invite"
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
            return _actor_assignment(actor, case, statuses) is not None
        if action == "resolve":
            # Each department gives its feedback after its own 签收.
            statuses = (AssignmentStatus.ACKNOWLEDGED,)
            return _actor_assignment(actor, case, statuses) is not None
        if action == "extend":
            a = _actor_assignment(actor, case, workflow.ACTIVE)
            return a is not None and a.role == AssignmentRole.LEAD
        if action == "return":
            return _actor_assignment(actor, case, workflow.ACTIVE) is not None
        if action in ("waive_assist", "remove_assist"):
            # An assisting department still at work (待签收 or 处置中).
            rows = _read_assignments(case)
            if rows is not None:
                return any(
                    a.role == AssignmentRole.ASSIST and a.status in workflow.ACTIVE for a in rows
                )
            return case.assignments.filter(
                role=AssignmentRole.ASSIST, status__in=workflow.ACTIVE
            ).exists()
        if action == "conclude_consult":
            return case.consultations.filter(status=ConsultationStatus.INVITED).exists()
        if action == "reply_supervision":
            return bool(supervision.answerable(actor, case))
        return True

    def _department_variant(self, action: str, case: Event, a: Any) -> str:
        """A department's 签收 / 退回 / 反馈: the lead's or an assisting one's; the lead's
        feedback waits while assisting parts are open (`lead_waiting`), and the last
        assisting part to finish after the lead's result moves the event (`assist_last`)."""
        if a is None or a.role != AssignmentRole.ASSIST:
            if action == "resolve" and workflow.active_assists(case):
                return "lead_waiting"
            return "lead"
        if (
            action in ("resolve", "return")
            and case.status == Status.IN_PROGRESS
            and workflow.lead_has_reported(case)
            and not workflow.active_assists(case, exclude=a.department_id)
        ):
            return "assist_last"
        return "assist"

    # ---- writing ------------------------------------------------------------------------------

    def apply_clock(self, case: Event, row: Transition, now: dt.datetime) -> None:
        if row.clock == workflow.CLOCK_START:
            # 派遣 starts them itself (its assignments carry the deadlines): not twice.
            if case.clock_started_at != now:
                deadlines.start_clocks(case, now)
        elif row.clock == workflow.CLOCK_STOP_ACK:
            deadlines.stop_ack_clock(case, now)
        elif row.clock == workflow.CLOCK_RESTART:
            deadlines.restart_handling_clock(case, now)
        elif row.clock == workflow.CLOCK_STOP:
            deadlines.stop_clocks(case)

    def save(self, case: Event, fields: list[str] | None = None) -> None:
        # Only what the transition changed: the reporter's encrypted fields are not
        # encrypted again, and a column written by another statement of the transaction is
        # not put back. Event.save derives the phone's blind index itself.
        case.save(update_fields=fields)

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


def _read_assignments(event: Event) -> list[Any] | None:
    """The event's assignments when they were read with it (`selectors.with_detail`, for
    a page or an answer that shows them), else None: the buttons then ask nothing more
    of them (docs/performance.md, "Cost of one request")."""
    return getattr(event, "assignment_rows", None)


def _actor_assignment(actor: Actor, event: Event, statuses: tuple[str, ...]) -> Any:
    """`workflow.actor_assignment` from the assignments read with the event, if they were."""
    rows = _read_assignments(event)
    if rows is None:
        return workflow.actor_assignment(actor, event, statuses=statuses)
    departments = actor.department_ids()
    mine = [a for a in rows if a.department_id in departments and a.status in statuses]
    return sorted(mine, key=lambda a: a.role != AssignmentRole.LEAD)[0] if mine else None


def _followed_up(event: Event) -> bool:
    """Whether the event's satisfaction was given for its present closure: a 回访 since it
    was last closed (one before a reopening does not count), or a satisfaction that came
    without any 回访 row (imported)."""
    if not event.satisfaction:
        return False
    rows = EventTransition.objects.filter(event=event, action="follow_up")
    if event.closed_at is None or not rows.exists():
        return True
    return rows.filter(at__gte=event.closed_at).exists()


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


EVENTS = register(EventKind())
