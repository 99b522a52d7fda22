"""Telling a unit's people that their screening report is due today (the notifications
app's `users_tell`: an inbox row each and an e-mail to those with an address, once per
report and person). The text names the round and the due date only."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from pingan.geo.choices import Level
from pingan.geo.models import Region
from pingan.notifications.services import users_tell
from pingan.org.choices import GRID_ROLES
from pingan.org.models import Membership
from pingan.screening.choices import ReportStatus
from pingan.screening.models import ScreeningReport
from pingan.screening.permissions import REPORTER_ROLES


def unit_people(unit: Region) -> list[Any]:
    """The active accounts that report for `unit` (`permissions.reporting_units`)."""
    q = Q(region=unit, role__in=REPORTER_ROLES)
    if unit.level == Level.VILLAGE:
        q |= Q(region__parent=unit, region__level=Level.GRID, role__in=GRID_ROLES)
    rows = (
        Membership.objects.filter(q, is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    seen: dict[int, Any] = {}
    for m in rows:
        seen.setdefault(m.user_id, m.user)
    return list(seen.values())


def due_today(report_ids: list[int]) -> int:
    """Tell the people of each still pending report that it is due; returns how many
    people were told."""
    told = 0
    reports = ScreeningReport.objects.filter(
        pk__in=report_ids, status=ReportStatus.PENDING
    ).select_related("round", "unit")
    for report in reports:
        users = unit_people(report.unit)
        if not users:
            continue
        told += users_tell(
            users=users,
            event=None,
            kind="screening_due",
            title=gettext("排查报告今日截止：%(unit)s %(round)s")
            % {"unit": report.unit.name, "round": report.round},
            cause=f"screening-due-r{report.pk}",
            body=gettext("请于%(day)s前报送本期矛盾纠纷排查情况（无则报“无”）。")
            % {"day": report.round.due_on.isoformat()},
        )
    return told
