"""Back office of triage (Chinese): risk rules, automatic triage policies, and read-only
views of suggestions, duplicate candidates and alerts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pingan.core import audit
from pingan.core.errors import Invalid
from pingan.triage.models import Alert, AlertRule, AutoTriagePolicy, DuplicateCandidate, Suggestion
from pingan.triage.services import alert_rule_validate


class AlertRuleForm(forms.ModelForm):
    class Meta:
        model = AlertRule
        fields = ["name", "signal", "keywords", "pattern", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            alert_rule_validate(keywords=data.get("keywords", ""), pattern=data.get("pattern", ""))
        except Invalid as exc:
            for field, reason in exc.fields.items():
                self.add_error(field, reason)
        return data


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    form = AlertRuleForm
    list_display = ["name", "signal", "is_active", "updated_at"]
    list_filter = ["signal", "is_active"]

    def save_model(self, request: Any, obj: AlertRule, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record(
            action="triage.alert_rule_change" if change else "triage.alert_rule_add",
            actor=request.user,
            object_type="alert_rule",
            object_id=obj.pk,
            request=request,
        )


class PolicyForm(forms.ModelForm):
    class Meta:
        model = AutoTriagePolicy
        fields = ["category", "auto_accept", "auto_dispatch", "min_confidence", "is_active"]

    def clean_min_confidence(self) -> float:
        value = self.cleaned_data["min_confidence"]
        if not 0 <= value <= 1:
            raise forms.ValidationError(_("置信度应在 0 到 1 之间"))
        return value


@admin.register(AutoTriagePolicy)
class AutoTriagePolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    list_display = ["category", "auto_accept", "auto_dispatch", "min_confidence", "is_active"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnly):
    list_display = [
        "event",
        "category",
        "category_confidence",
        "department",
        "department_confidence",
        "auto_action",
    ]
    raw_id_fields = ["event"]


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(ReadOnly):
    list_display = ["event", "other", "score", "state", "created_at"]
    list_filter = ["state"]
    raw_id_fields = ["event", "other"]


@admin.register(Alert)
class AlertAdmin(ReadOnly):
    list_display = ["event", "signal", "matched", "notified", "created_at"]
    list_filter = ["signal"]
    raw_id_fields = ["event"]
