from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pingan.core.pii import mask_name, mask_phone
from pingan.intake.models import (
    CategoryMap,
    ExternalOrder,
    Integration,
    IntegrationKey,
    OrderAction,
)


class CategoryMapInline(admin.TabularInline):
    model = CategoryMap
    extra = 0
    autocomplete_fields = ["category"]


class IntegrationKeyInline(admin.TabularInline):
    model = IntegrationKey
    extra = 0
    fields = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    can_delete = False


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ["name", "channel", "region", "callback", "is_active"]
    list_filter = ["channel", "is_active"]
    raw_id_fields = ["acting_user", "region", "default_category", "callback"]
    inlines = [IntegrationKeyInline, CategoryMapInline]


@admin.register(ExternalOrder)
class ExternalOrderAdmin(admin.ModelAdmin):
    list_display = ["order_no", "integration", "event", "state", "caller", "phone", "received_at"]
    list_filter = ["integration__channel", "state"]
    search_fields = ["order_no", "event__code"]
    exclude = ["caller_name", "caller_phone"]
    readonly_fields = ["integration", "event", "order_no", "received_at", "caller", "phone"]

    @admin.display(description=_("来电人"))
    def caller(self, obj: ExternalOrder) -> str:
        return mask_name(obj.caller_name)

    @admin.display(description=_("来电号码"))
    def phone(self, obj: ExternalOrder) -> str:
        return mask_phone(obj.caller_phone)


@admin.register(OrderAction)
class OrderActionAdmin(admin.ModelAdmin):
    list_display = ["event", "order", "kind", "actor", "at"]
    list_filter = ["kind"]
    raw_id_fields = ["event", "order", "actor"]
