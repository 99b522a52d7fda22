"""Back office of triage (Chinese): risk rules with their hit rates and a trial run,
automatic triage policies, and read-only views of suggestions, duplicates and alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet, Value
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from pingan.core import audit, clock
from pingan.triage.alerts import alert_rule_errors, events_checked, rate_text, rules_with_rates
from pingan.triage.models import Alert, AlertRule, AutoTriagePolicy, DuplicateCandidate, Suggestion

RATE_DAYS_DEFAULT = 30
RATE_DAYS_CHOICES = (7, 30, 90, 365)


class AlertRuleForm(forms.ModelForm):
    class Meta:
        model = AlertRule
        fields = [
            "name",
            "signal",
            "keywords",
            "keywords_min",
            "keywords_also",
            "pattern",
            "people_min",
            "repeat_min",
            "repeat_days",
            "repeat_by",
            "categories",
            "min_urgency",
            "is_active",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, reason in alert_rule_errors(data).items():
            if name not in self.errors:
                self.add_error(name, reason)
        return data


def _rate_days(request: HttpRequest) -> int:
    days = getattr(request, "_triage_rate_days", RATE_DAYS_DEFAULT)
    return int(days)


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    form = AlertRuleForm
    change_form_template = "triage/admin/alertrule_change_form.html"
    change_list_template = "triage/admin/alertrule_change_list.html"
    list_display = [
        "name",
        "signal",
        "is_active",
        "alerts_rate",
        "real_rate",
        "dismissed_rate",
        "updated_at",
    ]
    list_filter = ["signal", "is_active"]
    filter_horizontal = ["categories"]
    fieldsets = [
        (None, {"fields": ["name", "signal", "is_active"]}),
        (
            _("文字条件"),
            {"fields": ["keywords", "keywords_min", "keywords_also", "pattern"]},
        ),
        (
            _("事件条件"),
            {
                "fields": [
                    "people_min",
                    ("repeat_min", "repeat_days", "repeat_by"),
                    "categories",
                    "min_urgency",
                ],
                "description": _("以下条件与文字条件须同时满足；不填的条件不作要求"),
            },
        ),
    ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # The period is not a field filter: take it out before the admin reads the query.
        query = request.GET.copy()
        raw = query.pop("days", [str(RATE_DAYS_DEFAULT)])[0]
        days = int(raw) if raw.isdigit() and int(raw) in RATE_DAYS_CHOICES else RATE_DAYS_DEFAULT
        request.GET = query  # type: ignore[assignment]
        request._triage_rate_days = days  # type: ignore[attr-defined]
        context = {
            **(extra_context or {}),
            "rate_days": days,
            "rate_days_choices": RATE_DAYS_CHOICES,
            "rate_checked": self._checked(request),
        }
        return super().changelist_view(request, extra_context=context)

    def _period(self, request: HttpRequest) -> tuple[dt.datetime, dt.datetime]:
        until = clock.now()
        return until - dt.timedelta(days=_rate_days(request)), until

    def _checked(self, request: HttpRequest) -> int:
        cached = getattr(request, "_triage_checked", None)
        if cached is None:
            since, until = self._period(request)
            cached = events_checked(since=since, until=until)
            request._triage_checked = cached  # type: ignore[attr-defined]
        return int(cached)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AlertRule]:
        since, until = self._period(request)
        qs = rules_with_rates(super().get_queryset(request), since=since, until=until)
        return qs.annotate(n_checked=Value(self._checked(request)))

    @admin.display(description=_("预警 / 检查事件"), ordering="n_alerts")
    def alerts_rate(self, obj: Any) -> str:
        return rate_text(obj.n_alerts, obj.n_checked)

    @admin.display(description=_("属实 / 预警"), ordering="n_real")
    def real_rate(self, obj: Any) -> str:
        return rate_text(obj.n_real, obj.n_alerts)

    @admin.display(description=_("误报 / 预警"), ordering="n_dismissed")
    def dismissed_rate(self, obj: Any) -> str:
        return rate_text(obj.n_dismissed, obj.n_alerts)

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
    list_display = ["event", "signal", "rule", "matched", "notified", "verdict", "created_at"]
    list_filter = ["signal", "verdict"]
    raw_id_fields = ["event"]
