"""Back office of the importer (Chinese, read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from pingan.importer.models import ImportedRecord, ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "file",
        "status",
        "dry_run",
        "total",
        "processed",
        "imported",
        "unchanged",
        "failed",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "dry_run"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(ImportedRecord)
class ImportedRecordAdmin(admin.ModelAdmin):
    list_display = ["source", "external_id", "event", "imported_at"]
    search_fields = ["external_id"]
    raw_id_fields = ["event", "job"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
