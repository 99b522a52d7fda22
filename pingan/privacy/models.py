"""Clearances for sensitive records and approvals of bulk exports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pingan.core import pii
from pingan.privacy.choices import ExportStatus, Sensitivity


class Clearance(models.Model):
    """Permission for one user to see records carrying one sensitivity label
    (community corrections, petitions, stability). Granted by the security administrator;
    without it, labelled records are out of scope (404) for everyone but their reporter."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="clearances",
        verbose_name=_("用户"),
    )
    label = models.CharField(
        _("敏感标签"), max_length=12, choices=[c for c in Sensitivity.choices if c[0]]
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("授权人"),
    )
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)

    class Meta:
        verbose_name = _("敏感信息授权")
        verbose_name_plural = _("敏感信息授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "label"], name="privacy_clearance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_label_display()}"


class ExportRequest(models.Model):
    """A request to export more rows than the threshold: the filters, the row count seen
    when asking, and a second user's decision. An approved request serves one download."""

    kind = models.CharField(_("导出内容"), max_length=32, default="events")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="export_requests",
        verbose_name=pgettext_lazy("export", "申请人"),
    )
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("行数"))
    reason = models.CharField(_("用途"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    used_at = models.DateTimeField(_("导出时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出审批")
        verbose_name_plural = _("导出审批")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="privacy_export_status")]

    def __str__(self) -> str:
        return f"{self.requested_by} {self.row_count} {self.get_status_display()}"

    def plain_filters(self) -> dict[str, str]:
        """The filters to run, with the sealed personal values opened."""
        return unseal_filters(self.filters)

    def display_filters(self) -> dict[str, str]:
        """The filters to show on pages and in the audit log: personal values masked."""
        return masked_filters(self.plain_filters())


# Filters that carry personal data: stored encrypted, shown masked.
SEALED = {
    "reporter_phone": pii.mask_phone,
    # A register export's search: an exact ID number or phone (docs/registry.md, "Exports").
    "person_q": pii.mask_in_text,
}


def seal_filters(filters: dict[str, str]) -> dict[str, str]:
    return {k: pii.encrypt(v) if k in SEALED else v for k, v in filters.items()}


def unseal_filters(filters: dict[str, str]) -> dict[str, str]:
    return {k: pii.decrypt(v) if k in SEALED else str(v) for k, v in filters.items()}


def masked_filters(filters: dict[str, str]) -> dict[str, str]:
    return {k: SEALED[k](v) if k in SEALED else v for k, v in filters.items()}


class ExportedRows(models.Model):
    """Rows of events one user took out in one export (CSV or Excel, page or API, with or
    without an approval). The rows of the last PINGAN_EXPORT_WINDOW_HOURS count towards
    PINGAN_EXPORT_APPROVAL_ROWS (`services.export_rows_claim`), so a large export split
    into small ones still needs a second person. No personal data: who, when, how many."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("用户"),
    )
    at = models.DateTimeField(_("导出时间"))
    rows = models.PositiveIntegerField(_("行数"))
    kind = models.CharField(_("导出内容"), max_length=32)
    approval = models.ForeignKey(
        ExportRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("导出审批"),
    )

    class Meta:
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        indexes = [models.Index(fields=["user", "at"], name="privacy_exported_user_at")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.rows} {self.at:%Y-%m-%d %H:%M}"
