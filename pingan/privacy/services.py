"""Writes: clearances, the request → approve → download cycle of bulk exports (every step
audited), and the rolling count of the rows each user exported (`export_rows_claim`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from pingan.core import audit, clock
from pingan.core.errors import Conflict, Forbidden, NotFound, invalid
from pingan.org.choices import Role
from pingan.org.selectors import user_roles
from pingan.privacy.choices import LABELS, ExportStatus
from pingan.privacy.models import Clearance, ExportedRows, ExportRequest, seal_filters
from pingan.privacy.selectors import can_decide_export

# An approval serves one download within this time.
APPROVAL_VALID_FOR = dt.timedelta(days=3)


def _can_grant(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or Role.SEC_ADMIN in user_roles(user)


def clearance_grant(
    *, user: Any, label: str, granted_by: Any = None, request: Any = None
) -> Clearance:
    """Give `user` sight of records labelled `label` (idempotent)."""
    if label not in LABELS:
        raise invalid("label", _("敏感标签不正确"))
    if granted_by is not None and not _can_grant(granted_by):
        raise Forbidden(_("只有安全管理员可以授权敏感信息"))
    with transaction.atomic():
        row, created = Clearance.objects.get_or_create(
            user=user, label=label, defaults={"granted_by": granted_by}
        )
        if created:
            audit.record(
                action="privacy.clearance_grant",
                actor=granted_by,
                object_type="user",
                object_id=user.pk,
                request=request,
                detail={"label": label},
            )
    if hasattr(user, "_pingan_clearances"):
        del user._pingan_clearances
    return row


def clearance_revoke(*, user: Any, label: str, revoked_by: Any = None, request: Any = None) -> None:
    if revoked_by is not None and not _can_grant(revoked_by):
        raise Forbidden(_("只有安全管理员可以收回敏感信息授权"))
    with transaction.atomic():
        deleted, _n = Clearance.objects.filter(user=user, label=label).delete()
        if deleted:
            audit.record(
                action="privacy.clearance_revoke",
                actor=revoked_by,
                object_type="user",
                object_id=user.pk,
                request=request,
                detail={"label": label},
            )
    if hasattr(user, "_pingan_clearances"):
        del user._pingan_clearances


def export_request_create(
    *,
    user: Any,
    kind: str,
    filters: dict[str, str],
    row_count: int,
    reason: str,
    request: Any = None,
) -> ExportRequest:
    """Ask a second person to approve an export of `row_count` rows."""
    reason = (reason or "").strip()
    if not reason:
        raise invalid("reason", _("请填写导出用途"))
    if len(reason) > 200:
        raise invalid("reason", _("用途不能超过200字"))
    with transaction.atomic():
        row = ExportRequest.objects.create(
            kind=kind,
            requested_by=user,
            filters=seal_filters(dict(filters)),
            row_count=row_count,
            reason=reason,
            created_at=clock.now(),
        )
        audit.record(
            action="export.request",
            actor=user,
            object_type="export_request",
            object_id=row.pk,
            request=request,
            detail={"kind": kind, "rows": row_count, "filters": row.display_filters()},
        )
    return row


def export_request_decide(
    *, user: Any, request_id: int, approve: bool, note: str = "", request: Any = None
) -> ExportRequest:
    """Approve or reject a pending request; never one's own."""
    with transaction.atomic():
        row = (
            ExportRequest.objects.select_for_update()
            .select_related("requested_by")
            .filter(pk=request_id)
            .first()
        )
        if row is None:
            raise NotFound(_("导出申请不存在"))
        if row.requested_by_id == user.pk:
            raise Forbidden(_("不能审批自己的导出申请"))
        if not can_decide_export(user, row):
            raise NotFound(_("导出申请不存在"))
        if row.status != ExportStatus.PENDING:
            raise Conflict(_("该申请已处理"))
        row.status = ExportStatus.APPROVED if approve else ExportStatus.REJECTED
        row.decided_by = user
        row.decided_at = clock.now()
        row.decision_note = (note or "").strip()[:200]
        row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit.record(
            action="export.approve" if approve else "export.reject",
            actor=user,
            object_type="export_request",
            object_id=row.pk,
            request=request,
            detail={"requested_by": row.requested_by_id, "rows": row.row_count},
        )
    return row


def export_request_use(*, user: Any, request_id: int, request: Any = None) -> ExportRequest:
    """Mark an approved request as used by its requester (one download per approval)."""
    with transaction.atomic():
        row = (
            ExportRequest.objects.select_for_update()
            .filter(pk=request_id, requested_by_id=user.pk)
            .first()
        )
        if row is None:
            raise NotFound(_("导出申请不存在"))
        if row.status != ExportStatus.APPROVED:
            raise Conflict(_("该申请未获批准或已使用"))
        now = clock.now()
        if row.decided_at is not None and now - row.decided_at > APPROVAL_VALID_FOR:
            row.status = ExportStatus.EXPIRED
            row.save(update_fields=["status"])
            raise Conflict(_("批准已过期，请重新申请"))
        row.status = ExportStatus.USED
        row.used_at = now
        row.save(update_fields=["status", "used_at"])
    return row


class ExportNeedsApproval(Forbidden):
    """This export's rows, with the rows the user exported in the last
    PINGAN_EXPORT_WINDOW_HOURS, are more than PINGAN_EXPORT_APPROVAL_ROWS and there is no
    approval: ask for one (request → second person → one download)."""

    code = "export_approval_required"

    def __init__(self, count: int, threshold: int, recent: int = 0) -> None:
        if recent:
            message = _(
                "本次导出 %(count)s 条，加上您最近 %(hours)s 小时内已导出的 %(recent)s 条，"
                "超过 %(threshold)s 条，需要另一位负责人批准后才能下载"
            ) % {
                "count": count,
                "hours": export_window_hours(),
                "recent": recent,
                "threshold": threshold,
            }
        else:
            message = _(
                "本次导出共 %(count)s 条，超过 %(threshold)s 条，需要另一位负责人批准后才能下载"
            ) % {"count": count, "threshold": threshold}
        super().__init__(message)
        self.count = count
        self.threshold = threshold
        self.recent = recent


def export_window_hours() -> int:
    return max(int(settings.PINGAN_EXPORT_WINDOW_HOURS), 0)


def exported_rows_recently(*, user: Any) -> int:
    """Event rows `user` exported in the last PINGAN_EXPORT_WINDOW_HOURS (approved ones
    included)."""
    hours = export_window_hours()
    if not hours:
        return 0
    since = clock.now() - dt.timedelta(hours=hours)
    total = ExportedRows.objects.filter(user_id=user.pk, at__gt=since).aggregate(n=Sum("rows"))
    return int(total["n"] or 0)


def export_rows_claim(
    *, user: Any, kind: str, rows: int, approval: ExportRequest | None = None
) -> int:
    """Count an export of `rows` event rows by `user`, or refuse it: without an approval
    (`approval`, already used by `export_request_use`), the rows `user` exported in the
    rolling window plus `rows` may not exceed PINGAN_EXPORT_APPROVAL_ROWS
    (ExportNeedsApproval, nothing written). Call it in the export's transaction, before
    its audit row: the user's row is locked, so two exports at once are counted one after
    the other. Rows older than the window are deleted. Returns the rows in the window
    before this export."""
    threshold = settings.PINGAN_EXPORT_APPROVAL_ROWS
    with transaction.atomic():
        # One user's exports queue here (PostgreSQL; SQLite has one writer anyway).
        get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
        recent = exported_rows_recently(user=user)
        if approval is None and recent + rows > threshold:
            raise ExportNeedsApproval(rows, threshold, recent)
        now = clock.now()
        ExportedRows.objects.filter(
            user_id=user.pk, at__lte=now - dt.timedelta(hours=export_window_hours())
        ).delete()
        if rows > 0:
            ExportedRows.objects.create(
                user_id=user.pk, at=now, rows=rows, kind=kind[:32], approval=approval
            )
    return recent
