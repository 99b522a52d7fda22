"""Back office for events: the category catalogue (editable) and the events themselves
(read-mostly: the state, the dates and the timeline change only through the workflow).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pingan.core import audit
from pingan.core.errors import Invalid
from pingan.events.catalogue import category_check, category_save, deadline_check
from pingan.events.contact import contact_masked
from pingan.events.models import (
    Assignment,
    Attachment,
    Category,
    CategoryDeadline,
    Consultation,
    Event,
    EventCodeCounter,
    EventTransition,
    ExtensionRequest,
    Supervision,
    TrackingCheck,
)

EXTRA_FIELD_TYPES = ("text", "number", "choice", "bool")


class ReadOnlyMixin:
    """Rows written only by the services: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# ---- catalogue ------------------------------------------------------------------------


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = [
            "code",
            "name",
            "parent",
            "default_department",
            "extra_fields",
            "escalate_on_overdue",
            "verify_photo_required",
            "sort",
            "is_active",
        ]
        help_texts = {
            "extra_fields": _(
                '上报此类事件须填写的附加字段，JSON 列表，例如 [{"name": "place_kind", '
                '"label": "场所类型", "type": "choice", "required": true, '
                '"choices": ["住宅", "商铺"]}]；type 可为 text、number、choice、bool。'
            ),
        }

    def clean_extra_fields(self) -> Any:
        value = self.cleaned_data.get("extra_fields")
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            raise forms.ValidationError(_("附加字段应为列表"))
        names: set[str] = set()
        for i, spec in enumerate(value, start=1):
            if not isinstance(spec, dict):
                raise forms.ValidationError(_("第%(i)d项应为对象") % {"i": i})
            name = spec.get("name")
            if not isinstance(name, str) or not name.isidentifier():
                raise forms.ValidationError(_("第%(i)d项的 name 应为英文标识符") % {"i": i})
            if name in names:
                raise forms.ValidationError(_("字段名 %(n)s 重复") % {"n": name})
            names.add(name)
            if not str(spec.get("label") or "").strip():
                raise forms.ValidationError(_("第%(i)d项缺少 label（中文名称）") % {"i": i})
            kind = spec.get("type", "text")
            if kind not in EXTRA_FIELD_TYPES:
                raise forms.ValidationError(
                    _("第%(i)d项的 type 应为 text、number、choice 或 bool") % {"i": i}
                )
            choices = spec.get("choices")
            if kind == "choice" and (not isinstance(choices, list) or not choices):
                raise forms.ValidationError(_("第%(i)d项为 choice，须给出 choices 列表") % {"i": i})
        return value

    def clean(self) -> dict[str, Any]:
        # The catalogue's rules live in the service (events/catalogue.py); shown on the form.
        data = super().clean() or {}
        if data.get("code") and data.get("name"):
            try:
                category_check(
                    code=data["code"],
                    name=data["name"],
                    parent=data.get("parent"),
                    category=self.instance if self.instance.pk else None,
                    sensitivity=self.instance.sensitivity,
                )
            except Invalid as exc:
                for name, reason in exc.fields.items():
                    self.add_error(name if name in self.fields else None, reason)
        return data


class CategoryDeadlineForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        keys = ("urgency", "ack_amount", "ack_unit", "handle_amount", "handle_unit")
        if all(data.get(k) is not None for k in keys) and not data.get("DELETE"):
            try:
                deadline_check(**{k: data[k] for k in keys})
            except Invalid as exc:
                for name, reason in exc.fields.items():
                    self.add_error(name if name in self.fields else None, reason)
        return data


class CategoryDeadlineInline(admin.TabularInline):
    model = CategoryDeadline
    form = CategoryDeadlineForm
    extra = 0
    fields = ["urgency", "ack_amount", "ack_unit", "handle_amount", "handle_unit", "natural_time"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    inlines = [CategoryDeadlineInline]
    list_display = [
        "code",
        "name",
        "parent",
        "default_department",
        "escalate_on_overdue",
        "sort",
        "is_active",
    ]
    list_filter = ["is_active", "escalate_on_overdue", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "default_department"]
    list_select_related = ["parent", "default_department"]
    ordering = ["sort", "code"]

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        """Through the catalogue service, which checks its rules again when it writes; the
        form's object takes the saved row's id (the deadline rows inline are saved next)."""
        saved = category_save(
            category=obj,
            code=obj.code,
            name=obj.name,
            parent=obj.parent,
            default_department=obj.default_department,
            extra_fields=obj.extra_fields,
            sort=obj.sort,
            escalate_on_overdue=obj.escalate_on_overdue,
            verify_photo_required=obj.verify_photo_required,
            is_active=obj.is_active,
        )
        obj.pk = saved.category.pk
        obj._state.adding = False


# ---- events (read-mostly) -------------------------------------------------------------


TIMELINE_FIELDS: tuple[str, ...] = (
    "at",
    "action",
    "from_status",
    "to_status",
    "actor",
    "actor_role",
    "department",
    "note",
)


class TimelineInline(ReadOnlyMixin, admin.TabularInline):
    model = EventTransition
    extra = 0
    fields = TIMELINE_FIELDS
    readonly_fields = TIMELINE_FIELDS
    ordering = ["at", "id"]
    verbose_name = _("流转记录")
    verbose_name_plural = _("时间线")


ASSIGNMENT_FIELDS: tuple[str, ...] = (
    "department",
    "role",
    "status",
    "dispatched_at",
    "ack_due_at",
    "due_at",
    "acknowledged_at",
    "resolved_at",
    "result",
)


class AssignmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ASSIGNMENT_FIELDS
    readonly_fields = ASSIGNMENT_FIELDS


ATTACHMENT_FIELDS: tuple[str, ...] = (
    "preview",
    "kind",
    "taken_at",
    "lat",
    "lng",
    "width",
    "height",
    "uploaded_by",
)


class AttachmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ATTACHMENT_FIELDS
    readonly_fields = ATTACHMENT_FIELDS

    @admin.display(description=_("缩略图"))
    def preview(self, obj: Attachment) -> str:
        # Administrators configure the system; they do not view citizens' photos, which are
        # served only through the event's scope check (pingan.web.views.photo).
        if not obj.thumbnail:
            return "-"
        return format_html("{}×{}", obj.width, obj.height)


# Corrections an administrator may make to what was reported; nothing of the workflow.
# Personal data (address, reporter) is shown masked and is not edited here (docs/privacy.md).
EVENT_EDITABLE = ["title", "description"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    inlines = [AssignmentInline, TimelineInline, AttachmentInline]
    list_display = [
        "code",
        "title",
        "status",
        "category",
        "region",
        "queue_region",
        "lead_department",
        "deadline_state",
        "reported_at",
    ]
    list_filter = ["status", "deadline_state", "source", "urgency", "resolved_on_site"]
    search_fields = ["code", "title"]
    date_hierarchy = "reported_at"
    list_select_related = ["category", "region", "queue_region", "lead_department"]
    show_full_result_count = False
    list_per_page = 50
    fieldsets = (
        (None, {"fields": ["code", "status", "category", "source", "urgency"]}),
        (_("内容"), {"fields": ["title", "description", "extra"]}),
        (_("位置"), {"fields": ["region", "queue_region", "masked_address", "lat", "lng"]}),
        (_("反映人"), {"fields": ["reporter", "masked_reporter", "sensitivity"]}),
        (
            _("办理"),
            {
                "fields": [
                    "lead_department",
                    "ack_due_at",
                    "due_at",
                    "deadline_state",
                    "closed_on_time",
                    "resolved_on_site",
                    "satisfaction",
                    "master",
                    "linked_from",
                    "under_tracking",
                ]
            },
        ),
        (
            _("时间"),
            {
                "fields": [
                    "occurred_at",
                    "reported_at",
                    "accepted_at",
                    "dispatched_at",
                    "resolved_at",
                    "closed_at",
                ]
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        names = [str(f) for section in self.fieldsets for f in section[1]["fields"]]
        return [f for f in names if f not in EVENT_EDITABLE]

    @admin.display(description=_("地址（脱敏）"))
    def masked_address(self, obj: Event) -> str:
        return contact_masked(obj).address or "-"

    @admin.display(description=_("反映人（脱敏）"))
    def masked_reporter(self, obj: Event) -> str:
        c = contact_masked(obj)
        return " ".join(v for v in (c.reporter_name, c.reporter_phone) if v) or "-"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # events come in through reporting (pages, API, integrations)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Event, form: Any, change: bool) -> None:
        changed = [f for f in form.changed_data if f in EVENT_EDITABLE]
        if not changed:
            return
        obj.save(update_fields=[*changed, "updated_at"])
        audit.record(
            action="admin.event_change",
            actor=request.user,
            object_type="event",
            object_id=obj.pk,
            request=request,
            detail={"fields": sorted(changed)},
        )


@admin.register(EventTransition)
class EventTransitionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "event", "action", "from_status", "to_status", "actor", "actor_role"]
    list_filter = ["action", "actor_role"]
    search_fields = ["event__code"]
    date_hierarchy = "at"
    list_select_related = ["event", "actor"]
    show_full_result_count = False


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["event", "department", "role", "status", "dispatched_at", "due_at"]
    list_filter = ["role", "status", "department"]
    search_fields = ["event__code"]
    list_select_related = ["event", "department"]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["event", "days", "status", "requested_by", "requested_at", "decided_by"]
    list_filter = ["status"]
    search_fields = ["event__code"]
    list_select_related = ["event", "requested_by", "decided_by"]


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["event", "at", "participants", "recorded_by"]
    search_fields = ["event__code", "participants"]
    list_select_related = ["event", "recorded_by"]


@admin.register(Supervision)
class SupervisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["event", "level", "department", "issued_at", "reply_due_at", "status"]
    list_filter = ["level", "status"]
    search_fields = ["event__code"]
    list_select_related = ["event", "department", "issued_by"]
    exclude = ["region_path", "sensitivity"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["event", "kind", "uploaded_by", "uploaded_at", "size", "taken_at"]
    list_filter = ["kind"]
    search_fields = ["event__code", "sha256"]
    list_select_related = ["event", "uploaded_by"]
    exclude = ["client_uuid"]


@admin.register(TrackingCheck)
class TrackingCheckAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["event", "interval_days", "due_on", "assignee", "status", "done_at"]
    list_filter = ["status"]
    search_fields = ["event__code"]
    list_select_related = ["event", "assignee"]


@admin.register(EventCodeCounter)
class EventCodeCounterAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["prefix", "last"]
    search_fields = ["prefix"]
