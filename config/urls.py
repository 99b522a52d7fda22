from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from pingan.api.v1.router import api
from pingan.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("triage/", include("pingan.triage.urls")),
    path("leads/", include("pingan.leads.urls")),
    path("", include("pingan.web.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
