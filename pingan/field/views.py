"""The phone app under /m/: one page (the shell), its service worker and its manifest.

The shell holds no data: the app fetches it from /api/v1/field/… and keeps a copy and its
queue in IndexedDB, so the page works without a network once it has been opened.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from pingan.field import js_text
from pingan.org.choices import GRID_ROLES
from pingan.org.selectors import user_roles

# Bump when the shell or its assets change, so phones drop the old cache.
SHELL_VERSION = "7"
# The app's modules: static/field/<name>.js, loaded after app.js (window.PinganField).
MODULES: tuple[str, ...] = (
    "inspect",
    "survey",
)


@login_required(login_url="/login/")
@ensure_csrf_cookie
@never_cache
def shell(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "field/app.html",
        {
            "is_grid": bool(user_roles(request.user) & GRID_ROLES),
            "shell_version": SHELL_VERSION,
            "text": js_text.catalogue(),
            "modules": [static(f"field/{name}.js") for name in MODULES],
        },
    )


@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "field/sw.js",
        {
            "version": SHELL_VERSION,
            "assets": json.dumps(
                [
                    "/m/",
                    "/m/manifest.webmanifest",
                    static("field/app.js"),
                    static("field/app.css"),
                    static("field/icon-192.png"),
                    static("field/icon-512.png"),
                    *(static(f"field/{name}.js") for name in MODULES),
                ]
            ),
        },
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/m/"
    return response


def manifest(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "name": gettext("平安网格通"),
            "short_name": gettext("网格通"),
            "lang": "zh-CN" if (get_language() or "").startswith("zh") else get_language(),
            "start_url": "/m/",
            "scope": "/m/",
            "display": "standalone",
            "orientation": "portrait",
            "background_color": "#f4f6f8",
            "theme_color": "#b3261e",
            "icons": [
                {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            ],
        },
        json_dumps_params={"ensure_ascii": False},
        content_type="application/manifest+json",
    )
