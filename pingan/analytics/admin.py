"""Back office for statistics: locked periods, briefings and exports, read-only (locking
goes through the audited service: POST /api/v1/stats/locks)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from pingan.analytics.models import Briefing, ExportJob, PeriodLock


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(PeriodLock)
class PeriodLockAdmin(ReadOnly):
    list_display = ["date_from", "date_to", "note", "locked_at", "locked_by"]


@admin.register(Briefing)
class BriefingAdmin(ReadOnly):
    list_display = ["title", "region", "date_from", "date_to", "format", "created_at", "created_by"]
    list_filter = ["format"]


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnly):
    list_display = ["kind", "state", "total", "done", "created_at", "created_by"]
    list_filter = ["state"]
