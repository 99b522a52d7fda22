"""Every failure answers in the one error shape."""

from __future__ import annotations

import json

from django.http import Http404
from django.test import RequestFactory

from pingan.api.v1.router import api


def test_http404_and_unexpected_errors_keep_the_shape(caplog):
    request = RequestFactory().get("/api/v1/events/1")
    r = api.on_exception(request, Http404("gone"))
    assert r.status_code == 404
    assert json.loads(r.content)["error"]["code"] == "not_found"
    r = api.on_exception(request, RuntimeError("boom"))
    assert r.status_code == 500
    assert json.loads(r.content)["error"] == {
        "code": "server_error",
        "message": "服务器内部错误，请稍后重试",
        "fields": {},
    }
    assert "boom" not in r.content.decode()
