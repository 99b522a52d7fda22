"""Back office: the registers' configuration — the county's points rules and levels and
the key-person categories (sensitivity label, visit frequency). The registers themselves
hold personal data and are kept through the services and the API (masked, audited), never
edited here (docs/registry.md)."""

from __future__ import annotations

from django.contrib import admin

from pingan.registry.models import KeyPersonCategory, PointsLevel, PointsRule


@admin.register(PointsRule)
class PointsRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "item", "points", "max_per_year", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "item")


@admin.register(PointsLevel)
class PointsLevelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "threshold", "note")


@admin.register(KeyPersonCategory)
class KeyPersonCategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "code",
        "name",
        "sensitivity",
        "visit_every_days",
        "visit_window_days",
        "order",
        "is_active",
    )
    list_filter = ("is_active", "sensitivity")
