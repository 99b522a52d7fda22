from django.contrib import admin
from django.urls import include, path

from pingan.api.v1.router import api
from pingan.core.views import healthz
from pingan.ops.views import readyz

handler500 = "pingan.ops.unavailable.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("open311/v2/", include("pingan.open311.urls")),
    path("citizen/", include("pingan.citizen.urls")),
    path("channels/", include("pingan.intake.urls")),
    path("captcha/", include("captcha.urls")),
    path("m/", include("pingan.field.urls")),
    path("grid/", include("pingan.gridsys.urls")),
    path("triage/", include("pingan.triage.urls")),
    path("leads/", include("pingan.leads.urls")),
    path("", include("pingan.web.urls")),
]

# No public /media/ route, not even with DEBUG: photos are served by views that check
# the caller's scope (pingan.web.views.photo and the API's attachment file endpoint).
