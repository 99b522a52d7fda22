"""Back office: committees with their 五有 rows, mediators (configuration, the system
administrator's), and cases read-only with parties masked (changes go through the
workflow; personal data is never edited or shown in full here, docs/privacy.md)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pingan.core import pii
from pingan.core.errors import Invalid
from pingan.core.pii import mask_phone
from pingan.mediation.models import (
    Committee,
    CommitteeCheck,
    MediationCase,
    MediationSession,
    MediationTransition,
    Mediator,
    Party,
)
from pingan.mediation.selectors import party_dict


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CommitteeCheckInline(admin.TabularInline):
    model = CommitteeCheck
    extra = 0
    max_num = 5
    fields = ["item", "state", "checked_on", "checked_by", "note"]
    raw_id_fields = ["checked_by"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "kind", "region", "is_gold_room", "is_active"]
    list_filter = ["level", "kind", "is_gold_room", "is_active"]
    search_fields = ["name"]
    raw_id_fields = ["region", "parent"]
    inlines = [CommitteeCheckInline]


class MediatorForm(forms.ModelForm):
    class Meta:
        model = Mediator
        fields = ["name", "kind", "committee", "user", "phone", "is_active"]

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone") or ""
        if not phone:
            return ""
        try:
            return pii.validate_phone(phone)
        except Invalid as e:
            raise forms.ValidationError(e.fields.get("phone", str(e))) from None


@admin.register(Mediator)
class MediatorAdmin(admin.ModelAdmin):
    """The account link does not grant the `mediator` role: the security administrator
    grants it (membership), as every role."""

    form = MediatorForm
    list_display = ["name", "kind", "committee", "masked_phone", "user", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    raw_id_fields = ["committee", "user"]

    @admin.display(description=_("电话"))
    def masked_phone(self, obj: Mediator) -> str:
        return mask_phone(obj.phone) or "-"


class PartyInline(ReadOnlyMixin, admin.TabularInline):
    model = Party
    extra = 0
    fields = ["role", "kind", "masked"]
    readonly_fields = ["role", "kind", "masked"]

    @admin.display(description=_("当事人（脱敏）"))
    def masked(self, obj: Party) -> str:
        d = party_dict(obj)
        return " ".join(v for v in (d["name"], d["phone"], d["id_number"]) if v)


class SessionInline(ReadOnlyMixin, admin.TabularInline):
    model = MediationSession
    extra = 0
    fields = ["at", "place", "attendees", "recorded_by"]
    readonly_fields = ["at", "place", "attendees", "recorded_by"]


class TimelineInline(ReadOnlyMixin, admin.TabularInline):
    model = MediationTransition
    extra = 0
    fields = ["at", "action", "from_status", "to_status", "actor", "actor_role", "note"]
    readonly_fields = ["at", "action", "from_status", "to_status", "actor", "actor_role", "note"]


@admin.register(MediationCase)
class MediationCaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "status", "channel", "dispute_kind", "committee", "created_at"]
    list_filter = ["status", "channel", "dispute_kind", "level"]
    search_fields = ["code"]
    exclude = ["client_uuid"]
    inlines = [PartyInline, SessionInline, TimelineInline]
