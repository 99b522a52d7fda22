"""Back office for the phone app's records: read-only except on-site checks."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pingan.field.models import EvidenceFlag, FieldReport, PhotoClaim, SiteCheck


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EvidenceFlag)
class EvidenceFlagAdmin(_ReadOnly):
    list_display = ["event", "attachment", "reason", "detail", "created_at"]
    list_filter = ["reason"]


@admin.register(FieldReport)
class FieldReportAdmin(_ReadOnly):
    list_display = ["event", "made_at", "accuracy_m"]


@admin.register(PhotoClaim)
class PhotoClaimAdmin(_ReadOnly):
    list_display = ["attachment", "taken_at", "lat", "lng", "accuracy_m"]


@admin.register(SiteCheck)
class SiteCheckAdmin(_ReadOnly):
    list_display = ["event", "region", "status", "due_at", "done_at"]
    list_filter = ["status"]
