from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pingan.core.pii import mask_email, mask_name, mask_phone
from pingan.open311.models import Open311Request


@admin.register(Open311Request)
class Open311RequestAdmin(admin.ModelAdmin):
    list_display = ["event", "service_code", "integration", "created_at"]
    search_fields = ["event__code", "token"]
    raw_id_fields = ["event", "integration"]
    exclude = ["email", "phone", "first_name", "last_name", "device_id"]
    readonly_fields = ["submitter", "submitter_phone", "submitter_email"]

    @admin.display(description=_("提交人"))
    def submitter(self, obj: Open311Request) -> str:
        return mask_name(f"{obj.last_name}{obj.first_name}")

    @admin.display(description=_("电话"))
    def submitter_phone(self, obj: Open311Request) -> str:
        return mask_phone(obj.phone)

    @admin.display(description=_("邮箱"))
    def submitter_email(self, obj: Open311Request) -> str:
        return mask_email(obj.email)
