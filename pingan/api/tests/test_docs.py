"""The OpenAPI schema and the interactive docs, served without internet."""

from __future__ import annotations

import re

from django.test import Client


def test_openapi_schema_lists_the_contract(db):
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    assert schema["info"]["title"] == "Pingan API"
    for path in (
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/regions",
        "/api/v1/regions/{region_id}",
        "/api/v1/categories",
        "/api/v1/departments",
        "/api/v1/events",
        "/api/v1/events/{event_id}",
        "/api/v1/events/{event_id}/transitions",
        "/api/v1/stats/summary",
    ):
        assert path in schema["paths"], path


def test_docs_page_loads_nothing_from_outside(db):
    r = Client().get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    # No script, stylesheet or image from another host (no CDN), no online validator.
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert '"validatorUrl": null' in html
