from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pingan.citizen.models import CitizenReport
from pingan.core.pii import mask_phone


@admin.register(CitizenReport)
class CitizenReportAdmin(admin.ModelAdmin):
    list_display = ["code", "event", "masked_phone", "satisfaction", "created_at"]
    list_filter = ["satisfaction"]
    search_fields = ["code", "event__code"]
    exclude = ["phone"]
    readonly_fields = ["event", "code", "masked_phone", "created_at", "rated_at"]

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: CitizenReport) -> str:
        return mask_phone(obj.phone)
