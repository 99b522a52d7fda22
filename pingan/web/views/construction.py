"""平安建设: one page leading to the assessment, inspections, rectification orders,
campaigns, listed rectification, surveys and safety production, each shown to the roles
whose pages answer them (the pages check again)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pingan.access.actor import actor_of
from pingan.org.choices import Role


@dataclass(frozen=True)
class Part:
    url_name: str
    title: Promise
    text: Promise
    roles: frozenset[str]


_OFFICE = frozenset({Role.DISPATCHER, Role.LEADER})
_UNITS = _OFFICE | {Role.HANDLER}
PARTS = (
    Part(
        "assessment_schemes",
        _("平安考核"),
        _("考核方案与目标责任书，年中、年终评分，排名、申诉和最终结果"),
        _UNITS,
    ),
    Part(
        "inspections_home",
        _("督查检查"),
        _("县领导督查、专项督查、暗访、自查的计划与任务，检查记录和通报"),
        _UNITS | {Role.INSPECTOR},
    ),
    Part(
        "rectification_list",
        _("整改通知"),
        _("督查发现问题的整改：下发、签收、反馈、复查、销号，逾期与扣分"),
        _UNITS | {Role.INSPECTOR},
    ),
    Part(
        "campaigns_list",
        _("专项行动"),
        _("专项行动的目标与进度，纳入的事件，总结报告"),
        _UNITS,
    ),
    Part(
        "campaigns_listings",
        _("挂牌整治"),
        _("重点复杂地区和突出问题的挂牌、整治进展、验收与摘牌"),
        _UNITS,
    ),
    Part(
        "surveys_list",
        _("问卷调查"),
        _("安全感满意率等问卷：入户调查、扫码填写、各镇样本与误差"),
        _OFFICE,
    ),
    Part(
        "safety_grid",
        _("安全生产"),
        _("各镇每月事故起数、死亡人数、直接经济损失与“三个零增长”"),
        _OFFICE,
    ),
)


@login_required
def construction_hub(request: HttpRequest) -> HttpResponse:
    """The parts of 平安建设 this user's roles reach."""
    roles = actor_of(request).roles
    parts = [
        {"url": reverse(p.url_name), "title": p.title, "text": p.text}
        for p in PARTS
        if roles & p.roles
    ]
    return render(request, "web/construction.html", {"nav_active": "construction", "parts": parts})
