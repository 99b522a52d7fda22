"""The rectification order as a case kind: what the engine needs beyond the table in
`rectification.workflow` (docs/architecture.md, "Adding a case type")."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_noop

from pingan.access.actor import Actor
from pingan.cases.kind import CaseKind, FormField, register
from pingan.cases.table import Transition, Workflow
from pingan.org.choices import Role
from pingan.org.models import Membership
from pingan.rectification import workflow
from pingan.rectification.models import OrderTransition, RectificationOrder
from pingan.rectification.permissions import is_office, is_unit, order_scope_q


class RectificationKind(CaseKind[RectificationOrder]):
    name = "rectification"
    label = gettext_noop("整改通知")
    model = RectificationOrder
    timeline = OrderTransition
    timeline_case_field = "order"
    workflow: ClassVar[Workflow] = workflow.RECTIFICATION
    audit_type = "rectification"
    field_labels: ClassVar[dict[str, str]] = {
        "note": gettext_noop("说明"),
        "result": gettext_noop("整改情况"),
        "passed": gettext_noop("复查结论"),
        "deadline": gettext_noop("整改期限"),
    }
    messages: ClassVar[dict[str, str]] = {
        "not_found": gettext_noop("整改通知不存在"),
        "wrong_state": gettext_noop("整改通知当前状态为「%(status)s」，不能执行「%(action)s」"),
        "wrong_role": gettext_noop("当前角色不能执行「%(action)s」"),
        "not_yours": gettext_noop("您不负责此整改通知，不能执行「%(action)s」"),
    }
    form_fields: ClassVar[dict[str, FormField]] = {
        "result": FormField("result", gettext_noop("整改情况"), "textarea"),
        "passed": FormField("passed", gettext_noop("复查结论（是：通过）"), "yes_no"),
        "deadline": FormField("deadline", gettext_noop("整改期限（如 2026-12-31）"), "text"),
    }
    doc_title = "整改通知流转（workflow）"
    doc_source = "pingan/rectification/workflow.py"
    doc_settled = "已复查通过，待销号"

    def doc_sections(self) -> list[tuple[str, list[str]]]:
        return [
            (
                "下发与公开",
                [
                    "- 下发（`issue`，服务 `order_issue`）：县级平安办或督查员（所辖区划包含问题"
                    "所在地），或系统（督查检查的发现）；责任单位为一个乡镇或一个部门。",
                    "- 暗访的整改通知以未公开（`published` 为假）下发：责任单位看不到，"
                    "也不计超期，直到 `orders_publish` 公开。",
                ],
            ),
            (
                "反馈、复查与扣分",
                [
                    "- 反馈（`submit`）：`result` 必填；通知写明佐证材料要求时，须先上传本轮"
                    "佐证材料（`POST /api/v1/rectifications/{id}/evidence`），"
                    "否则 422 `evidence`。",
                    "- 复查（`recheck`）：`passed` 为是则复查通过；为否须填 `note` 与新的整改期限"
                    " `deadline`（不早于今天），回到整改中，复查未通过次数加一，"
                    "并按通知的扣分分值对责任单位扣分（来源 `failed_recheck`）。",
                    "- 超期：每日扫描把已公开、待签收或整改中且期限已过的通知标为超期，"
                    "对责任单位扣分（来源 `overdue_order`），同一通知同一期限只扣一次。",
                    "- 延期（`extend`）：新期限须晚于原期限且不早于今天，超期标记清除"
                    "（已扣分保留，可由平安办撤销扣分）。",
                ],
            ),
        ]

    def page_url(self, case: RectificationOrder) -> str:
        try:
            return reverse("rectification_order", args=[case.pk])
        except NoReverseMatch:
            return ""

    # ---- scope ------------------------------------------------------------------------------

    def scope_q(self, actor: Actor) -> Q:
        return order_scope_q(actor)

    def context(self, case: RectificationOrder) -> dict[str, Any]:
        return {"watchers": set(case.watchers.values_list("pk", flat=True))}

    def variant(
        self, action: str, case: RectificationOrder, actor: Actor, payload: dict[str, Any]
    ) -> str:
        if action == "recheck":
            return "failed" if workflow.passed_of(payload) is False else "passed"
        return ""

    def covers(
        self, membership: Membership, scope: str, case: RectificationOrder, context: Any
    ) -> bool:
        m = membership
        if scope == workflow.OFFICE:
            return is_office(m, case.region_path)
        if scope == workflow.UNIT:
            return case.published and is_unit(m, case)
        if scope == workflow.WATCHER:
            return m.role == Role.INSPECTOR and m.user_id in context["watchers"]
        return False

    def available(
        self, row: Transition, case: RectificationOrder, actor: Actor, context: Any
    ) -> bool:
        return True


RECTIFICATION = register(RectificationKind())
