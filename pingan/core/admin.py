"""Back office for the shared kernel: the audit trail (read-only) and workday overrides.

Also names the admin site: every page of the back office is in Chinese.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pingan.core.models import AuditAnchor, AuditChainHead, AuditEntry, WorkdayOverride

admin.site.site_header = _("平安·基层社会治理 管理后台")
admin.site.site_title = _("平安管理后台")
admin.site.index_title = _("系统配置")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that are written by the system only: viewable, never added, changed or deleted."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "username", "action", "object_type", "object_id", "result", "ip"]
    list_filter = ["result", "object_type"]
    search_fields = ["username", "action", "object_id"]
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False  # COUNT(*) over millions of rows on every page is slow


@admin.register(AuditAnchor)
class AuditAnchorAdmin(ReadOnlyAdmin):
    list_display = ["at", "seq", "purged", "cutoff", "actor"]


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin):
    list_display = ["seq", "hash"]


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
