"""Back office: the checklists and their items (points per item) are configured here;
plans, tasks and inspections are shown read-mostly (they change through the services)."""

from __future__ import annotations

from django.contrib import admin

from pingan.inspections.models import Checklist, ChecklistItem, InspectionPlan


class ChecklistItemInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ChecklistItem
    extra = 1
    fields = ("order", "code", "text", "points")


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "active")
    list_filter = ("kind", "active")
    inlines = [ChecklistItemInline]


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "year", "level", "kind", "frequency", "active")
    list_filter = ("year", "level", "kind", "active")
    fields = ("name", "active", "checklist")
    readonly_fields = ("checklist",)
