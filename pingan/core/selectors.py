"""Reads of the shared kernel: the audit log, for whoever holds `core.view_auditentry`
(the audit administrator; see `pingan.accounts.roles`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from pingan.core.errors import Forbidden, invalid
from pingan.core.models import AuditEntry


@dataclass(frozen=True)
class AuditFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    username: str = ""
    action: str = ""
    result: str = ""
    object_type: str = ""
    object_id: str = ""
    ip: str = ""

    @classmethod
    def from_params(cls, params: Any) -> AuditFilters:
        def day(name: str) -> dt.date | None:
            raw = (params.get(name) or "").strip()
            if not raw:
                return None
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                raise invalid(name, gettext("日期格式应为 YYYY-MM-DD")) from None

        values = {
            k: (params.get(k) or "").strip()[:150]
            for k in ("username", "action", "result", "object_type", "object_id", "ip")
        }
        return cls(date_from=day("date_from"), date_to=day("date_to"), **values)

    def as_params(self) -> dict[str, str]:
        out = {k: v for k, v in self.__dict__.items() if v and not isinstance(v, dt.date)}
        if self.date_from:
            out["date_from"] = self.date_from.isoformat()
        if self.date_to:
            out["date_to"] = self.date_to.isoformat()
        return out


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries(*, user: Any, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Audit rows matching `filters`, newest first; only for the audit administrator."""
    if not getattr(user, "is_active", False) or not user.has_perm("core.view_auditentry"):
        raise Forbidden(gettext("只有审计管理员可以查看审计日志"))
    qs = AuditEntry.objects.all().order_by("-seq", "-id")
    if filters.date_from:
        qs = qs.filter(at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_local_midnight(filters.date_to + dt.timedelta(days=1)))
    if filters.username:
        qs = qs.filter(username=filters.username)
    if filters.action:
        qs = qs.filter(action__startswith=filters.action)
    if filters.result:
        qs = qs.filter(result=filters.result)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id)
    if filters.ip:
        qs = qs.filter(ip=filters.ip)
    return qs
