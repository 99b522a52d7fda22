from django.contrib import admin

from pingan.open311.models import Open311Request


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin):
    list_display = ["event", "service_code", "integration", "created_at"]
    search_fields = ["event__code", "token"]
    raw_id_fields = ["event", "integration"]
    exclude = ["email", "phone", "first_name", "last_name", "device_id"]
