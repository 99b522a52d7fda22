"""Signing in for a token, and what a token (or a session) gives access to."""

from __future__ import annotations

from django.test import Client

from pingan.accounts.models import ApiToken
from pingan.api.tests.helpers import ApiClient, error_of


def post_token(username: str, password: str) -> object:
    return Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_token_from_password_opens_the_api(cast):
    r = post_token("gw", cast.password)
    assert r.status_code == 200
    token = r.json()["token"]
    me = ApiClient(Client(), token).get("/me")
    assert me.status_code == 200
    assert me.json()["username"] == "gw"


def test_wrong_password_is_401_and_issues_no_token(cast):
    r = post_token("gw", "wrong-password")
    assert r.status_code == 401
    assert error_of(r)["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_repeated_failures_are_throttled_with_429(cast, settings):
    settings.PINGAN_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert post_token("gw", "wrong-password").status_code == 401
    r = post_token("gw", cast.password)  # even the right password, while throttled
    assert r.status_code == 429
    assert error_of(r)["code"] == "throttled"


def test_missing_or_unknown_token_is_401(cast, api_as):
    assert error_of(api_as(None).get("/me"))["code"] == "unauthorized"
    r = ApiClient(Client(), "not-a-token").get("/events")
    assert r.status_code == 401
    assert error_of(r)["code"] == "unauthorized"


def test_revoked_token_is_401(cast):
    token = post_token("gw", cast.password).json()["token"]
    ApiToken.objects.update(revoked=True)
    assert ApiClient(Client(), token).get("/me").status_code == 401


def test_me_lists_roles_with_scope(cast, api_as):
    body = api_as(cast.handler).get("/me").json()
    assert body["id"] == cast.handler.pk
    assert body["name"] == "周民警"
    assert body["roles"] == [
        {
            "role": "handler",
            "role_label": "部门处置人员",
            "region": None,
            "region_name": None,
            "department": cast.police.pk,
            "department_name": "县公安局",
        }
    ]
    roles = api_as(cast.dispatcher).get("/me").json()["roles"]
    assert [(r["role"], r["region"]) for r in roles] == [("dispatcher", cast.town_a.pk)]


def test_browser_session_is_accepted(cast):
    client = Client()
    client.force_login(cast.gridworker)
    assert client.get("/api/v1/me").json()["username"] == "gw"


def test_session_post_without_csrf_token_is_refused(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.gridworker)
    r = client.post(
        "/api/v1/events",
        {"category": cast.neighbour.pk, "description": "x", "region": cast.grid_a1.pk},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert error_of(r)["code"] == "forbidden"
