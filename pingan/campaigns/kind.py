"""The listed item (挂牌整治) as a case kind: what the engine needs beyond the table in
`campaigns.workflow` (docs/architecture.md, "Adding a case type")."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_noop

from pingan.access.actor import Actor
from pingan.campaigns import workflow
from pingan.campaigns.models import ListedItem, ListingTransition
from pingan.campaigns.permissions import is_office, is_unit, listing_scope_q
from pingan.cases.kind import CaseKind, FormField, register
from pingan.cases.table import Workflow
from pingan.org.models import Membership


class ListingKind(CaseKind[ListedItem]):
    name = "listing"
    label = gettext_noop("挂牌整治")
    model = ListedItem
    timeline = ListingTransition
    timeline_case_field = "item"
    workflow: ClassVar[Workflow] = workflow.LISTING
    audit_type = "listing"
    field_labels: ClassVar[dict[str, str]] = {
        "note": gettext_noop("说明"),
        "text": gettext_noop("进展情况"),
        "deadline": gettext_noop("整治期限"),
    }
    messages: ClassVar[dict[str, str]] = {
        "not_found": gettext_noop("挂牌整治项不存在"),
        "wrong_state": gettext_noop("挂牌项当前状态为「%(status)s」，不能执行「%(action)s」"),
        "wrong_role": gettext_noop("当前角色不能执行「%(action)s」"),
        "not_yours": gettext_noop("您不是此挂牌项的责任单位或平安办，不能执行「%(action)s」"),
    }
    form_fields: ClassVar[dict[str, FormField]] = {
        "text": FormField("text", gettext_noop("进展情况"), "textarea"),
        "deadline": FormField("deadline", gettext_noop("整治期限（如 2026-12-31）"), "text"),
    }
    doc_title = "挂牌整治流转（workflow）"
    doc_source = "pingan/campaigns/workflow.py"

    def doc_sections(self) -> list[tuple[str, list[str]]]:
        return [
            (
                "整改、验收与摘牌",
                [
                    "- 报告整改进展（`report`）：进展情况 `text`，每次一条进展记录；",
                    "- 申请验收（`request_acceptance`）：整改情况 `note`；",
                    "- 验收通过（`accept`）/ 验收不通过（`reject`）：验收意见 `note`；"
                    "不通过退回整改中；",
                    "- 摘牌（`delist`）：仅验收通过的挂牌项；"
                    "摘牌日（本地日期）不晚于整治期限为按期摘牌；",
                    "- 延长整治期限（`extend`）：新期限 `deadline`（晚于原期限且不早于今天）"
                    "与延期理由 `note`；原定期限保留。",
                    "- 逾期：整治期限已过而尚未摘牌或撤销（页面标红）。",
                ],
            ),
        ]

    def page_url(self, case: ListedItem) -> str:
        return reverse("campaigns_listing", args=[case.pk])

    def scope_q(self, actor: Actor) -> Q:
        return listing_scope_q(actor)

    def covers(self, membership: Membership, scope: str, case: ListedItem, context: Any) -> bool:
        if scope == workflow.OFFICE:
            return is_office(membership, case.region_path)
        if scope == workflow.UNIT:
            return is_unit(membership, case)
        return False


LISTING = register(ListingKind())
