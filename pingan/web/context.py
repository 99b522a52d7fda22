"""Template context for the page header: the user's roles, navigation and unread count."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pingan.notifications.selectors import unread_group_count
from pingan.org.choices import ADMIN_ROLES, GRID_ROLES, Role
from pingan.org.selectors import user_roles

REPORTING_ROLES = GRID_ROLES | {Role.DISPATCHER}
EVENT_ROLES = GRID_ROLES | {Role.DISPATCHER, Role.HANDLER, Role.LEADER}
DASHBOARD_ROLES = {Role.DISPATCHER, Role.LEADER, Role.GRID_LEADER}
MEDIATION_ROLES = {Role.MEDIATOR, Role.DISPATCHER, Role.LEADER}
REGISTRY_ROLES = GRID_ROLES | {Role.DISPATCHER, Role.LEADER}
SCREENING_ROLES = GRID_ROLES | {Role.DISPATCHER, Role.LEADER}
CENTRE_ROLES = {Role.DISPATCHER, Role.LEADER, Role.HANDLER}
EMERGENCY_ROLES = {Role.DISPATCHER, Role.LEADER, Role.HANDLER}
# 平安建设: the assessment, inspections, rectification, campaigns, listed rectification,
# surveys and safety production, reached through one hub page (web/views/construction.py).
CONSTRUCTION_ROLES = {Role.DISPATCHER, Role.LEADER, Role.HANDLER, Role.INSPECTOR}
CONSTRUCTION_KEYS = frozenset(
    {"construction", "assessment", "inspections", "rectification", "campaigns", "listings"}
    | {"surveys", "safety"}
)


def nav_for(roles: set[str]) -> list[dict[str, Any]]:
    """Header links for a set of roles: (key, label, url), in display order."""
    items: list[dict[str, Any]] = [
        {"key": "workbench", "label": _("工作台"), "url": reverse("workbench")}
    ]
    if roles & EVENT_ROLES:
        items.append({"key": "events", "label": _("事件查询"), "url": reverse("event_list")})
        items.append(
            {"key": "supervision", "label": _("督办件"), "url": reverse("supervision_list")}
        )
    if roles & REPORTING_ROLES:
        items.append({"key": "report", "label": _("上报事件"), "url": reverse("event_report")})
    if roles & MEDIATION_ROLES:
        items.append(
            {"key": "mediation", "label": _("调解"), "url": reverse("mediation_workbench")}
        )
    if roles & REGISTRY_ROLES:
        items.append(
            {"key": "registry", "label": _("实有人口"), "url": reverse("registry_overview")}
        )
    if roles & SCREENING_ROLES:
        items.append({"key": "screening", "label": _("排查"), "url": reverse("screening_rounds")})
    if roles & CENTRE_ROLES:
        items.append({"key": "risk", "label": _("稳评"), "url": reverse("risk_register")})
    if roles & EMERGENCY_ROLES:
        items.append(
            {"key": "emergency", "label": _("应急"), "url": reverse("emergency_activations")}
        )
    if roles & CONSTRUCTION_ROLES:
        items.append(
            {
                "key": "construction",
                "label": _("平安建设"),
                "url": reverse("construction_hub"),
                "group": CONSTRUCTION_KEYS,
            }
        )
    if roles & DASHBOARD_ROLES:
        items.append({"key": "dashboard", "label": _("统计分析"), "url": reverse("dashboard")})
        items.append({"key": "briefings", "label": _("简报"), "url": reverse("briefings")})
    if roles & GRID_ROLES:
        items.append({"key": "field", "label": _("网格通"), "url": "/m/"})
    if roles & (GRID_ROLES | {Role.DISPATCHER, Role.LEADER}):
        items.append({"key": "gridsys", "label": _("网格六制"), "url": "/grid/"})
    if roles & (EVENT_ROLES | {Role.SEC_ADMIN}):
        items.append({"key": "exports", "label": _("导出审批"), "url": reverse("export_requests")})
    if roles & ADMIN_ROLES:
        items.append({"key": "admin", "label": _("后台管理"), "url": reverse("admin:index")})
    if Role.AUDIT_ADMIN in roles:
        items.append({"key": "audit", "label": _("审计日志"), "url": reverse("audit_log")})
    return items


def header(request: HttpRequest) -> dict[str, Any]:
    """Header data for signed-in users; nothing for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user_roles(user)
    return {
        "header_roles": roles,
        "header_nav": nav_for(roles),
        "header_unread": unread_group_count(user),
        "header_role_labels": [Role(r).label for r in sorted(roles) if r in Role.values],
    }
