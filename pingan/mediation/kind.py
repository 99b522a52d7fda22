"""The mediation case as a case kind: what the engine needs beyond the table in
`mediation.workflow` (docs/architecture.md, "Adding a case type")."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_noop

from pingan.access.actor import Actor
from pingan.cases import deadlines
from pingan.cases.kind import CaseKind, FormField, register
from pingan.cases.table import CLOCK_START, CLOCK_STOP, Transition, Workflow
from pingan.geo.scope import within
from pingan.mediation import notify, rollup, workflow
from pingan.mediation.choices import CommitteeKind, Performance, Referral, Ruling
from pingan.mediation.deadlines import clock_state
from pingan.mediation.models import MediationCase, MediationTransition, Mediator
from pingan.mediation.permissions import case_scope_q, judicial_visible_to_centre
from pingan.org.choices import Role
from pingan.org.models import Membership


class MediationKind(CaseKind[MediationCase]):
    name = "mediation"
    label = gettext_noop("调解案件")
    model = MediationCase
    timeline = MediationTransition
    timeline_case_field = "case"
    workflow: ClassVar[Workflow] = workflow.MEDIATION
    audit_type = "mediation"
    field_labels: ClassVar[dict[str, str]] = {
        "note": gettext_noop("说明"),
        "committee": gettext_noop("调委会"),
        "mediator": gettext_noop("调解员"),
        "record": gettext_noop("调解记录"),
        "days": gettext_noop("延期天数"),
        "terms": gettext_noop("协议内容"),
        "performance": gettext_noop("履行方式"),
        "court": gettext_noop("受理法院"),
        "ruling": gettext_noop("司法确认结果"),
        "performed": gettext_noop("履行情况"),
    }
    messages: ClassVar[dict[str, str]] = {
        "not_found": gettext_noop("调解案件不存在"),
        "wrong_state": gettext_noop("案件当前状态为「%(status)s」，不能执行「%(action)s」"),
        "wrong_role": gettext_noop("当前角色不能执行「%(action)s」"),
        "not_yours": gettext_noop("您不负责此调解案件，不能执行「%(action)s」"),
    }
    form_fields: ClassVar[dict[str, FormField]] = {
        "record": FormField("record", gettext_noop("调解记录"), "textarea"),
        "terms": FormField("terms", gettext_noop("协议内容"), "textarea"),
        "days": FormField("days", gettext_noop("延期天数"), "integer"),
        "committee": FormField("committee", gettext_noop("调委会"), "integer"),
        "performed": FormField("performed", gettext_noop("履行情况"), "yes_no"),
        "performance": FormField(
            "performance",
            gettext_noop("履行方式"),
            "choice",
            tuple((str(v), str(label)) for v, label in Performance.choices),
        ),
        "ruling": FormField(
            "ruling",
            gettext_noop("司法确认结果"),
            "choice",
            tuple((str(v), str(label)) for v, label in Ruling.choices),
        ),
    }
    doc_title = "调解案件流转（workflow）"
    doc_source = "pingan/mediation/workflow.py"
    doc_settled = "调解已终结（待结案）"

    def doc_sections(self) -> list[tuple[str, list[str]]]:
        referrals = "、".join(f"`{v}` {label}" for v, label in Referral.choices)
        return [
            (
                "期限",
                [
                    f"- 受理（`accept`）开始计时：调解期限为受理后 {workflow.TERM_DAYS} 日"
                    "（`PINGAN_MEDIATION_DAYS`），默认按工作日历计算"
                    "（`PINGAN_MEDIATION_NATURAL_TIME` 为真时按自然日）。",
                    f"- 延期（`extend`）：`days`（1 到 {workflow.MAX_EXTENSION_DAYS}）"
                    "与延期理由（`note`），调解期限顺延。",
                    "- 调解成功、调解不成、撤回、不予受理时停止计时。",
                ],
            ),
            (
                "指派、提级与转交",
                [
                    "- 指派（`assign`）：调委会（`committee`）与可选的调解员（`mediator`，"
                    "须为该调委会在任调解员）；调解员只能在本调委会内指派。",
                    "- 提级调解（`escalate`）：转到更高一级的调委会"
                    "（村 → 镇 → 县级或专业性 → 联合调解中心），须填理由（`note`）。",
                    "- 转交行政或司法调解（`refer`）：转到行政调解或司法调解组织，须填理由。",
                ],
            ),
            (
                "调解结果与关联事件",
                [
                    "- 调解成功（`succeed`）：协议内容（`terms`）、履行方式（`performance`："
                    "`at_once` 即时履行或 `by_date` 限期履行，限期履行须填 `performance_due`）。",
                    "- 调解不成（`fail`）：原因（`note`），"
                    f"可选引导途径（`referral`：{referrals}）。",
                    "- 由事件转调解的案件，调解成功时事件的化解结果为已解决（化解），"
                    "调解不成时为未化解（带引导途径）；尚未反馈的事件随之进入待核查，"
                    "时间线记“调解结果”。撤回时事件只记一行时间线，状态不变。",
                    "- 申请司法确认（`request_confirmation`，`court`）须在调解成功后三十日内；"
                    "司法确认结果（`record_ruling`）：`ruling` 为 `confirmed` 或 `rejected`，"
                    "可选裁定日期 `ruled_on`。",
                    "- 结案（`close`）：调解成功的案件须先履行回访（`check_performance`，"
                    "`performed` 是或否），已申请司法确认的须先记录结果。",
                ],
            ),
        ]

    def page_url(self, case: MediationCase) -> str:
        return reverse("mediation_case", args=[case.pk])

    # ---- scope ------------------------------------------------------------------------------

    def lock(self, actor: Actor, pk: int) -> MediationCase:
        case = super().lock(actor, pk)
        rollup.remember(case)  # the figures' rollup: what the case counted for before
        return case

    def written(self, case: MediationCase, action: str) -> None:
        rollup.case_written(case)

    def scope_q(self, actor: Actor) -> Q:
        return case_scope_q(actor)

    def context(self, case: MediationCase) -> set[int]:
        """The users who hold a mediator post on the case: its committee's active
        mediators and the case's own mediator."""
        q = Q(committee_id=case.committee_id) if case.committee_id else Q(pk__in=[])
        if case.mediator_id:
            q |= Q(pk=case.mediator_id)
        users = Mediator.objects.filter(q, is_active=True, user__isnull=False)
        return set(users.values_list("user_id", flat=True))

    def covers(self, membership: Membership, scope: str, case: MediationCase, context: Any) -> bool:
        m = membership
        if scope == workflow.REGION:
            if m.region is None or not within(case.region_path, (m.region.path,)):
                return False
            judicial = case.committee is not None and case.committee.kind == CommitteeKind.JUDICIAL
            return judicial_visible_to_centre() or not judicial
        if scope == workflow.COMMITTEE:
            return m.role == Role.MEDIATOR and m.user_id in context
        return False

    def available(self, row: Transition, case: MediationCase, actor: Actor, context: Any) -> bool:
        if row.action == "request_confirmation":
            return case.judicial_requested_at is None
        if row.action == "record_ruling":
            return case.judicial_requested_at is not None and not case.judicial_ruling
        if row.action == "check_performance":
            return case.performed is None
        return True

    # ---- writing ------------------------------------------------------------------------------

    def apply_clock(self, case: MediationCase, row: Transition, now: dt.datetime) -> None:
        if row.clock == CLOCK_START:
            natural = workflow.natural_time()
            case.due_at = deadlines.due(now, workflow.term_days(), "days", natural=natural)
            case.warn_at = deadlines.warning_at(now, case.due_at, natural=natural)
        elif row.clock == CLOCK_STOP:
            case.warn_at = None
        clock_state(case, row, now)  # the deadline light (mediation.deadlines)

    def announce(self, case: MediationCase, action: str, record: Any, variant: str) -> None:
        notify.announce(case, action, record)  # assignments tell the mediators


MEDIATION = register(MediationKind())
