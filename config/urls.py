from django.conf import settings
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
    path("", include("pingan.web.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
