"""Back office for routing rules (category × region subtree → departments)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pingan.routing.models import RoutingRule


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = [
            "category",
            "region",
            "lead_department",
            "assisting_departments",
            "priority",
            "is_active",
            "note",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lead = data.get("lead_department")
        assisting = data.get("assisting_departments") or []
        if lead is not None and any(d.pk == lead.pk for d in assisting):
            self.add_error("assisting_departments", _("协办部门不能与主办部门相同"))
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = ["category", "region", "lead_department", "assisting", "priority", "is_active"]
    list_filter = ["is_active", "region__level", ("category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["category__name", "category__code", "region__name", "lead_department__name"]
    autocomplete_fields = ["category", "region", "lead_department"]
    filter_horizontal = ["assisting_departments"]
    list_select_related = ["category", "region", "lead_department"]

    @admin.display(description=_("协办部门"))
    def assisting(self, obj: RoutingRule) -> str:
        return "、".join(d.name for d in obj.assisting_departments.all())

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).prefetch_related("assisting_departments")
