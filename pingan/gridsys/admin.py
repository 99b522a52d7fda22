"""Back office for the six systems: weights and pay bands (edited here), officers,
meetings, reviews, rankings, warnings and appeals."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pingan.access.actor import actor_of
from pingan.gridsys.models import (
    AfterReview,
    Appeal,
    GridOfficer,
    Meeting,
    MeetingAttendance,
    MeetingDecision,
    MeetingReview,
    PayBand,
    RankingEntry,
    ScoreSettings,
    Warning,
)


@admin.register(ScoreSettings)
class ScoreSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "base",
        "w_reports",
        "w_verified_reports",
        "w_verify_on_time",
        "w_follow_ups",
        "w_patrol_days",
        "w_on_site",
        "w_poor_reports",
        "w_review_findings",
        "warn_bottom",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row only; and only for an administrator whose role grants it.
        return super().has_add_permission(request) and not ScoreSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PayBand)
class PayBandAdmin(admin.ModelAdmin):
    list_display = ["min_score", "coefficient", "label"]


@admin.register(GridOfficer)
class GridOfficerAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "grid", "since", "is_active"]
    list_filter = ["kind", "is_active"]
    raw_id_fields = ["user", "grid", "membership"]
    readonly_fields = ["membership"]

    def save_model(self, request: HttpRequest, obj: GridOfficer, form: Any, change: bool) -> None:
        from pingan.gridsys.services import officer_attach, officer_detach

        actor = actor_of(request)
        if obj.is_active:
            officer_attach(
                actor=actor, user=obj.user, grid=obj.grid, kind=obj.kind, since=obj.since
            )
            saved = GridOfficer.objects.get(user=obj.user, grid=obj.grid, kind=obj.kind)
            obj.pk = saved.pk
            obj.membership_id = saved.membership_id
        elif obj.pk:
            officer_detach(actor=actor, officer=obj)


class AttendanceInline(admin.TabularInline):
    model = MeetingAttendance
    extra = 0
    raw_id_fields = ["user"]


class ReviewInline(admin.TabularInline):
    model = MeetingReview
    extra = 0
    raw_id_fields = ["event"]


class DecisionInline(admin.TabularInline):
    model = MeetingDecision
    extra = 0
    raw_id_fields = ["event", "owner"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["held_at", "title", "kind", "region"]
    list_filter = ["kind"]
    exclude = ["region_path"]
    raw_id_fields = ["region", "created_by"]
    inlines = [AttendanceInline, ReviewInline, DecisionInline]


@admin.register(AfterReview)
class AfterReviewAdmin(admin.ModelAdmin):
    list_display = [
        "reviewed_at",
        "event",
        "conclusion",
        "accountable_user",
        "accountable_department",
    ]
    list_filter = ["conclusion"]
    exclude = ["region_path"]
    raw_id_fields = ["event", "reviewer", "accountable_user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # through the page, which checks the event is closed and in scope


@admin.register(RankingEntry)
class RankingEntryAdmin(admin.ModelAdmin):
    list_display = ["quarter", "town", "rank", "of", "user", "grid", "score"]
    list_filter = ["quarter"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Warning)
class WarningAdmin(admin.ModelAdmin):
    list_display = ["entry", "reason", "issued_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ["warning", "status", "submitted_at", "decided_at"]
    list_filter = ["status"]
    readonly_fields = [
        "warning",
        "text",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
    ]
