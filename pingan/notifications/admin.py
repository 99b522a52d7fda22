"""Back office for notifications: webhook receivers (editable), the inbox and the outbox
(read-only, with a retry action for given-up deliveries)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from pingan.core.pii import mask_phone
from pingan.notifications.models import Delivery, Notification, WebhookEndpoint
from pingan.notifications.services import delivery_retry


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "recipient__username", "recipient__name"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "event"]
    readonly_fields = [
        "recipient",
        "event",
        "kind",
        "title",
        "body",
        "cause",
        "created_at",
        "read_at",
    ]

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "target", "state", "attempts", "next_attempt_at"]
    list_filter = ["state", "channel"]
    search_fields = ["target", "cause"]
    date_hierarchy = "created_at"
    exclude = ["phone"]
    readonly_fields = [
        "channel",
        "target",
        "masked_phone",
        "cause",
        "payload",
        "state",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "last_error",
        "created_at",
        "sent_at",
    ]
    actions = ["retry"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: Delivery) -> str:
        return mask_phone(obj.phone) if obj.phone else "—"

    @admin.action(description=_("重新发送已放弃或未发送的消息"))
    def retry(self, request: Any, queryset: QuerySet[Delivery]) -> None:
        n = delivery_retry(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(n)d 条消息将重新发送。", "%(n)d 条消息将重新发送。", n) % {"n": n},
            messages.SUCCESS,
        )
