"""Back office for patrols: read-only (written by the phones through the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pingan.patrols.models import Patrol, PatrolVisit


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


_VISIT_FIELDS = ("kind", "masked_target", "note", "at")


class VisitInline(admin.TabularInline):
    model = PatrolVisit
    extra = 0
    fields = _VISIT_FIELDS
    readonly_fields = _VISIT_FIELDS
    can_delete = False


@admin.register(Patrol)
class PatrolAdmin(_ReadOnly):
    list_display = [
        "user",
        "region",
        "status",
        "started_at",
        "finished_at",
        "point_count",
        "distance_m",
        "duration_s",
    ]
    list_filter = ["status"]
    date_hierarchy = "started_at"
    search_fields = ["user__username", "user__name"]
    exclude = ["region_path"]
    inlines = [VisitInline]
