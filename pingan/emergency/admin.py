"""Back office: the plan library (plans, their groups with task templates, their
checklists), drills and the duty roster; activations read-only (changes go through the
workflow). Duty phones are masked here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pingan.core import pii
from pingan.core.errors import Invalid
from pingan.core.pii import mask_phone
from pingan.emergency.models import (
    Activation,
    ActivationTransition,
    Drill,
    DutyShift,
    EmergencyPlan,
    PlanGroup,
    PlanStep,
    PlanTaskTemplate,
)


class PlanGroupInline(admin.StackedInline):
    model = PlanGroup
    extra = 0
    fields = [
        "name",
        "duty",
        "lead_department",
        "lead_user",
        "member_departments",
        "members",
        "order",
    ]
    raw_id_fields = ["lead_user", "members"]
    filter_horizontal = ["member_departments"]
    show_change_link = True


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    extra = 0
    fields = ["order", "text"]


@admin.register(EmergencyPlan)
class EmergencyPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "version", "region", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    raw_id_fields = ["region", "created_by"]
    inlines = [PlanGroupInline, PlanStepInline]


class PlanTaskInline(admin.TabularInline):
    model = PlanTaskTemplate
    extra = 0
    fields = ["order", "title", "due_minutes"]


@admin.register(PlanGroup)
class PlanGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "lead_department", "order"]
    raw_id_fields = ["plan", "lead_user", "members"]
    inlines = [PlanTaskInline]


@admin.register(Drill)
class DrillAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "state", "planned_on", "held_on", "participants"]
    list_filter = ["state"]
    raw_id_fields = ["plan", "region", "created_by"]


class DutyShiftForm(forms.ModelForm):
    class Meta:
        model = DutyShift
        fields = ["date", "shift", "level", "region", "user", "role", "phone"]

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone") or ""
        if not phone:
            return ""
        try:
            return pii.validate_phone(phone)
        except Invalid as e:
            raise forms.ValidationError(e.fields.get("phone", str(e))) from None


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    form = DutyShiftForm
    list_display = ["date", "shift", "region", "user", "role", "masked_phone"]
    list_filter = ["shift", "level", "role"]
    raw_id_fields = ["region", "user"]
    date_hierarchy = "date"

    @admin.display(description=_("值班电话"))
    def masked_phone(self, obj: DutyShift) -> str:
        return mask_phone(obj.phone) or "-"


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ActivationTimelineInline(ReadOnlyMixin, admin.TabularInline):
    model = ActivationTransition
    extra = 0
    fields = ["at", "action", "from_status", "to_status", "actor", "actor_role", "note"]
    readonly_fields = ["at", "action", "from_status", "to_status", "actor", "actor_role", "note"]


@admin.register(Activation)
class ActivationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "plan", "level", "status", "activated_at", "stood_down_at"]
    list_filter = ["status", "level"]
    search_fields = ["code"]
    inlines = [ActivationTimelineInline]
