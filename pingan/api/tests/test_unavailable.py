"""The database out of reach: the API answers 503 with Retry-After in its error shape,
never 500. The API registers the answer of pingan.ops.unavailable on itself (errors.py);
ops does not know the API."""

from __future__ import annotations

import json

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from pingan.api.v1.router import api


@pytest.mark.parametrize("exc", [OperationalError("server closed"), InterfaceError("gone")])
def test_database_errors_answer_503_with_retry_after(exc):
    request = RequestFactory().get("/api/v1/events")
    r = api.on_exception(request, exc)
    assert r.status_code == 503
    assert r["Retry-After"] == "10"
    assert r["Cache-Control"] == "no-store"
    assert json.loads(r.content)["error"]["code"] == "unavailable"
