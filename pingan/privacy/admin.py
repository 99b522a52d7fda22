"""Back office: clearances (granted and revoked through the audited services) and the
export approvals (read-only here; decided on the 导出审批 page)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pingan.core.admin import ReadOnlyAdmin
from pingan.privacy.models import Clearance, ExportRequest
from pingan.privacy.services import clearance_grant, clearance_revoke


@admin.register(Clearance)
class ClearanceAdmin(admin.ModelAdmin):
    list_display = ["user", "label", "granted_by", "granted_at"]
    list_filter = ["label"]
    search_fields = ["user__username", "user__name"]
    fields = ["user", "label"]
    autocomplete_fields = ["user"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        row = clearance_grant(
            user=obj.user, label=obj.label, granted_by=request.user, request=request
        )
        obj.pk = row.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        clearance_revoke(user=obj.user, label=obj.label, revoked_by=request.user, request=request)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(ExportRequest)
class ExportRequestAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "requested_by", "kind", "row_count", "status", "decided_by"]
    list_filter = ["status", "kind"]
    date_hierarchy = "created_at"
