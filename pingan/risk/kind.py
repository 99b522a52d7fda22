"""The major matter as a case kind: what the engine needs beyond the table in
`risk.workflow` (docs/architecture.md, "Adding a case type")."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_noop

from pingan.access.actor import Actor
from pingan.cases.kind import CaseKind, FormField, register
from pingan.cases.table import Transition, Workflow
from pingan.org.choices import Role
from pingan.org.models import Membership
from pingan.risk import workflow
from pingan.risk.choices import GOING_AHEAD, Decision, Grade, StepKind
from pingan.risk.models import MajorMatter, MatterTransition, RiskMeasure
from pingan.risk.permissions import is_office, matter_scope_q


def _choices(values: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(v), str(label)) for v, label in values.choices)


class RiskKind(CaseKind[MajorMatter]):
    name = "risk"
    label = gettext_noop("重大事项稳评")
    model = MajorMatter
    timeline = MatterTransition
    timeline_case_field = "matter"
    workflow: ClassVar[Workflow] = workflow.RISK
    audit_type = "risk"
    field_labels: ClassVar[dict[str, str]] = {
        "note": gettext_noop("说明"),
        "step_kind": gettext_noop("评估环节"),
        "held_on": gettext_noop("日期"),
        "body": gettext_noop("评估机构"),
        "summary": gettext_noop("情况摘要"),
        "grade": gettext_noop("风险等级"),
        "reasons": gettext_noop("定级理由"),
        "decision": gettext_noop("决策结果"),
        "measure": gettext_noop("措施内容"),
        "owner_department": gettext_noop("责任部门"),
        "owner_user": gettext_noop("责任人"),
        "deadline": gettext_noop("完成期限"),
        "measure_id": gettext_noop("措施"),
    }
    messages: ClassVar[dict[str, str]] = {
        "not_found": gettext_noop("重大事项不存在"),
        "wrong_state": gettext_noop("事项当前状态为「%(status)s」，不能执行「%(action)s」"),
        "wrong_role": gettext_noop("当前角色不能执行「%(action)s」"),
        "not_yours": gettext_noop("您不负责此重大事项，不能执行「%(action)s」"),
    }
    form_fields: ClassVar[dict[str, FormField]] = {
        "summary": FormField("summary", gettext_noop("情况摘要"), "textarea"),
        "reasons": FormField("reasons", gettext_noop("定级理由"), "textarea"),
        "measure": FormField("measure", gettext_noop("措施内容"), "textarea"),
        "owner_department": FormField("owner_department", gettext_noop("责任部门"), "integer"),
        "measure_id": FormField("measure_id", gettext_noop("措施"), "integer"),
        "step_kind": FormField("step_kind", gettext_noop("评估环节"), "choice", _choices(StepKind)),
        "grade": FormField("grade", gettext_noop("风险等级"), "choice", _choices(Grade)),
        "decision": FormField("decision", gettext_noop("决策结果"), "choice", _choices(Decision)),
    }
    doc_title = "重大事项社会稳定风险评估流转（workflow）"
    doc_source = "pingan/risk/workflow.py"

    def doc_sections(self) -> list[tuple[str, list[str]]]:
        steps = "、".join(f"`{v}` {label}" for v, label in StepKind.choices)
        grades = "、".join(f"`{v}` {label}" for v, label in Grade.choices)
        decisions = "、".join(f"`{v}` {label}" for v, label in Decision.choices)
        return [
            (
                "评估与定级",
                [
                    f"- 记录评估环节（`record_step`）：`step_kind`（{steps}）、"
                    "日期 `held_on`（不晚于今天）、情况摘要 `summary`；"
                    "第三方评估须填评估机构 `body`。",
                    f"- 定级（`grade`）：`grade`（{grades}）与定级理由 `reasons`；"
                    "须已记录至少一个评估环节；已定级的事项可再次定级（时间线记原等级）。",
                ],
            ),
            (
                "决策、措施与跟踪",
                [
                    f"- 决策（`decide`）：`decision`（{decisions}）与说明 `note`；"
                    "附条件实施须先制定防范措施。",
                    "- 制定防范措施（`add_measure`）：`measure`、责任部门 `owner_department`、"
                    "完成期限 `deadline`（不早于今天），"
                    "可选责任人 `owner_user`（责任部门的在岗人员）。",
                    "- 措施完成（`measure_done`）：`measure_id`，可选 `note`；"
                    "完成日（本地日期）不晚于期限为按期完成；部门处置人员只能登记本部门的措施。",
                    "- 开始跟踪（`start_tracking`）：仅实施、附条件实施的事项；"
                    "办结（`close`）须全部措施已完成；暂缓实施、不实施的事项决策后可直接办结，"
                    "暂缓实施的事项也可重新评估（`reassess`，等级与决策清空）。",
                ],
            ),
        ]

    def page_url(self, case: MajorMatter) -> str:
        return reverse("risk_matter", args=[case.pk])

    # ---- scope ------------------------------------------------------------------------------

    def scope_q(self, actor: Actor) -> Q:
        return matter_scope_q(actor)

    def context(self, case: MajorMatter) -> dict[str, Any]:
        """The departments answering for the matter (its owner, the measures' owners) and
        those with a measure still open."""
        rows = list(
            RiskMeasure.objects.filter(matter=case).values_list("owner_department_id", "done_at")
        )
        return {
            "departments": {case.owner_department_id} | {d for d, _ in rows},
            "open": {d for d, done in rows if done is None},
        }

    def covers(self, membership: Membership, scope: str, case: MajorMatter, context: Any) -> bool:
        m = membership
        if scope == workflow.OFFICE:
            return is_office(m, case.region_path)
        if scope == workflow.DEPARTMENT:
            return m.role == Role.HANDLER and m.department_id in context["departments"]
        return False

    def available(self, row: Transition, case: MajorMatter, actor: Actor, context: Any) -> bool:
        if row.action == "measure_done":
            if Role.DISPATCHER in actor.roles:  # the office: any open measure
                return bool(context["open"])
            return bool(context["open"] & actor.department_ids())  # their department's
        if row.action == "start_tracking":
            return case.decision in GOING_AHEAD
        if row.action == "reassess":
            return case.decision == Decision.POSTPONE
        if row.action == "close":
            if case.status == workflow.S.DECIDED:
                return case.decision not in GOING_AHEAD
            return not context["open"]
        return not (row.action == "decide" and case.grade == "")


RISK = register(RiskKind())
