"""Back office for the deadline sweeper: its runs, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from pingan.sla.models import SweepRun


@admin.register(SweepRun)
class SweepRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "warned", "overdue", "escalated", "reminded"]
    date_hierarchy = "started_at"
    readonly_fields = ["started_at", "finished_at", "warned", "overdue", "escalated", "reminded"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
