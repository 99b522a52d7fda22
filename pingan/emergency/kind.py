"""The activation as a case kind: what the engine needs beyond the table in
`emergency.workflow` (docs/architecture.md, "Adding a case type")."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_noop

from pingan.access.actor import Actor
from pingan.cases.kind import CaseKind, FormField, register
from pingan.cases.table import Workflow
from pingan.emergency import workflow
from pingan.emergency.choices import Level
from pingan.emergency.models import Activation, ActivationGroup, ActivationTransition
from pingan.emergency.permissions import activation_scope_q
from pingan.geo.scope import within
from pingan.org.models import Membership

# The rows after which the called-up people are told (emergency.tasks).
ANNOUNCED = frozenset({"change_level", "add_task", "stand_down"})


class ActivationKind(CaseKind[Activation]):
    name = "activation"
    label = gettext_noop("预案启动")
    model = Activation
    timeline = ActivationTransition
    timeline_case_field = "activation"
    workflow: ClassVar[Workflow] = workflow.ACTIVATION
    audit_type = "activation"
    field_labels: ClassVar[dict[str, str]] = {
        "note": gettext_noop("说明"),
        "summary": gettext_noop("处置总结"),
        "lessons": gettext_noop("经验教训"),
        "level": gettext_noop("响应级别"),
        "group": gettext_noop("工作组"),
        "title": gettext_noop("任务"),
        "minutes": gettext_noop("完成时限（分钟）"),
        "text": gettext_noop("情况"),
        "task": gettext_noop("任务"),
    }
    messages: ClassVar[dict[str, str]] = {
        "not_found": gettext_noop("预案启动记录不存在"),
        "wrong_state": gettext_noop("应急响应当前状态为「%(status)s」，不能执行「%(action)s」"),
        "wrong_role": gettext_noop("当前角色不能执行「%(action)s」"),
        "not_yours": gettext_noop("您不负责此次应急响应，不能执行「%(action)s」"),
    }
    form_fields: ClassVar[dict[str, FormField]] = {
        "summary": FormField("summary", gettext_noop("处置总结"), "textarea"),
        "lessons": FormField("lessons", gettext_noop("经验教训"), "textarea"),
        "text": FormField("text", gettext_noop("情况"), "textarea"),
        "minutes": FormField("minutes", gettext_noop("完成时限（分钟）"), "integer"),
        "group": FormField("group", gettext_noop("工作组"), "integer"),
        "task": FormField("task", gettext_noop("任务"), "integer"),
        "level": FormField(
            "level",
            gettext_noop("响应级别"),
            "choice",
            tuple((str(v), str(label)) for v, label in Level.choices),
        ),
    }
    doc_title = "预案启动与应急响应流转（workflow）"
    doc_source = "pingan/emergency/workflow.py"
    doc_settled = "已终止"

    def doc_sections(self) -> list[tuple[str, list[str]]]:
        return [
            (
                "启动",
                [
                    "- 在事件上执行「启动预案」（`POST /api/v1/events/{id}/transitions`，"
                    '`{"action": "activate_plan", "plan": 预案编号, "level": "I"…"IV"}`）：'
                    "预案须启用，级别须为该预案适用级别，否则 422；同一事件有未终止的启动时 409。",
                    "- 启动时按预案生成工作组（牵头部门、成员部门、组长、成员）与各组任务，"
                    "任务时限按自然时（分钟）计算；随即通知：先通知事件所在镇（街道）和县的"
                    "当班值班人员，再通知各组成员。",
                    f"- 组长须在启动后 {workflow.ACK_MINUTES} 分钟内签收"
                    "（`PINGAN_EMERGENCY_ACK_MINUTES`，自然时）；超时未签收由超期扫描记"
                    "「签收超时」并通知现场指挥、启动人和当班值班人员。任务超期同样标记并通知。",
                ],
            ),
            (
                "响应时间",
                [
                    "- 记录事件上报、启动、到达现场（`arrive`）、控制局面（`control`）、"
                    "终止响应（`stand_down`）各时刻，分段计算响应时间。",
                    "- 终止响应须填处置总结（`summary`）与经验教训（`lessons`），"
                    "总结同时写入事件的备注；调整响应级别也在事件上留备注。",
                ],
            ),
        ]

    def page_url(self, case: Activation) -> str:
        return reverse("emergency_activation", args=[case.pk])

    # ---- scope ------------------------------------------------------------------------------

    def scope_q(self, actor: Actor) -> Q:
        return activation_scope_q(actor)

    def lock(self, actor: Actor, pk: int) -> Activation:
        case = super().lock(actor, pk)
        return Activation.objects.select_related("plan", "event").get(pk=case.pk)

    def context(self, case: Activation) -> set[int]:
        """The users called up in one of the activation's groups."""
        people = ActivationGroup.people.through.objects.filter(activationgroup__activation=case)
        return set(people.values_list("user_id", flat=True))

    def covers(self, membership: Membership, scope: str, case: Activation, context: Any) -> bool:
        m = membership
        if scope == workflow.REGION:
            return m.region is not None and within(case.region_path, (m.region.path,))
        if scope == workflow.GROUP:
            return m.user_id in context
        return False

    # ---- writing ------------------------------------------------------------------------------

    def announce(self, case: Activation, action: str, record: Any, variant: str) -> None:
        if action not in ANNOUNCED:
            return
        activation_id, row_id = case.pk, record.pk

        def enqueue() -> None:
            from pingan.emergency.tasks import activation_changed

            activation_changed.enqueue(activation_id, row_id)

        transaction.on_commit(enqueue)


ACTIVATION = register(ActivationKind())
