"""API tokens (issue 16, finding 11): revoking the token in use or one of one's own by id,
listing one's own tokens (never the secret or its hash), and the idle limit."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pingan.accounts.models import ApiToken
from pingan.accounts.services import token_issue
from pingan.api.tests.helpers import ApiClient, error_of
from pingan.core.models import AuditEntry


def sign_in(cast, username: str = "gw", agent: str = "") -> str:
    headers = {"User-Agent": agent} if agent else {}
    r = Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": cast.password},
        content_type="application/json",
        headers=headers,
    )
    assert r.status_code == 200, r.content
    return r.json()["token"]


def delete(api: ApiClient, path: str) -> object:
    return api.client.delete(f"/api/v1{path}", headers=api.headers)


def test_revoking_the_token_in_use(cast):
    token = sign_in(cast)
    other = sign_in(cast)
    api = ApiClient(Client(), token)
    r = delete(api, "/auth/token")
    assert r.status_code == 204
    assert error_of(api.get("/me"))["code"] == "unauthorized"
    # Only that one: the user's other token still works.
    assert ApiClient(Client(), other).get("/me").status_code == 200
    row = AuditEntry.objects.get(action="token.revoke")
    revoked = ApiToken.objects.get(revoked=True)
    assert (row.actor_id, row.object_type, row.object_id) == (
        cast.gridworker.pk,
        "api_token",
        str(revoked.pk),
    )
    assert row.detail == {"current": True}
    assert token not in str(row.detail) and revoked.key_hash not in str(row.detail)


def test_the_browser_session_has_no_token_to_revoke(cast):
    client = Client()
    client.force_login(cast.gridworker)
    r = client.delete("/api/v1/auth/token")
    assert r.status_code == 404
    assert error_of(r)["code"] == "not_found"
    assert not AuditEntry.objects.filter(action="token.revoke").exists()


def test_listing_ones_own_tokens_shows_no_secret(cast):
    first = sign_in(cast, agent="PinganApp/2.1 (Android 14)")
    second = sign_in(cast)
    token_issue(user=cast.handler)  # someone else's
    revoked = sign_in(cast)
    delete(ApiClient(Client(), revoked), "/auth/token")
    api = ApiClient(Client(), second)
    r = api.get("/auth/tokens")
    assert r.status_code == 200
    body = r.json()
    mine = ApiToken.objects.filter(user=cast.gridworker, revoked=False).order_by("-created_at")
    assert [t["id"] for t in body] == [t.pk for t in mine]
    assert len(body) == 2
    for item in body:
        assert set(item) == {
            "id",
            "label",
            "created_at",
            "last_used_at",
            "expires_at",
            "idle_expires_at",
            "current",
        }
    by_id = {t["id"]: t for t in body}
    in_use = ApiToken.objects.get(pk=next(t["id"] for t in body if t["current"]))
    assert by_id[in_use.pk]["last_used_at"] is not None
    labels = sorted(t["label"] for t in body)
    assert labels == ["", "PinganApp/2.1 (Android 14)"]
    text = r.content.decode()
    for t in ApiToken.objects.all():
        assert t.key_hash not in text
    assert first not in text and second not in text


def test_revoking_one_of_ones_own_tokens_by_id(cast):
    phone = sign_in(cast, agent="phone")
    laptop = sign_in(cast, agent="laptop")
    theirs = token_issue(user=cast.handler)
    api = ApiClient(Client(), laptop)
    phone_id = ApiToken.objects.get(label="phone").pk
    their_id = ApiToken.objects.get(user=cast.handler).pk
    r = delete(api, f"/auth/tokens/{phone_id}")
    assert r.status_code == 204
    assert ApiClient(Client(), phone).get("/me").status_code == 401
    assert api.get("/me").status_code == 200
    row = AuditEntry.objects.get(action="token.revoke")
    assert (row.actor_id, row.object_id, row.detail) == (
        cast.gridworker.pk,
        str(phone_id),
        {"current": False},
    )
    # Someone else's token, one already revoked, one that does not exist: 404, nothing done.
    for token_id in (their_id, phone_id, 999999):
        r = delete(api, f"/auth/tokens/{token_id}")
        assert r.status_code == 404, token_id
        assert error_of(r)["code"] == "not_found"
    assert ApiClient(Client(), theirs).get("/me").status_code == 200
    assert AuditEntry.objects.filter(action="token.revoke").count() == 1
    # A token id that is not a number: 422 naming the field.
    r = delete(api, "/auth/tokens/abc")
    assert r.status_code == 422
    assert "token_id" in error_of(r)["fields"]


def test_a_token_unused_for_the_idle_limit_stops_working(cast, settings):
    settings.PINGAN_TOKEN_IDLE_HOURS = 72
    token = token_issue(user=cast.gridworker)
    api = ApiClient(Client(), token)
    row = ApiToken.objects.filter(pk=ApiToken.objects.get().pk)

    def unused_for(**delta: float) -> None:
        # Tokens live on the wall clock: move the token's times back instead of the clock.
        at = timezone.now() - dt.timedelta(**delta)
        row.update(created_at=at, last_used_at=None)

    unused_for(hours=71)  # never used, issued 71 hours ago
    assert api.get("/me").status_code == 200  # used now: the idle clock starts again
    row.update(last_used_at=timezone.now() - dt.timedelta(hours=71, minutes=59))
    assert api.get("/me").status_code == 200
    row.update(last_used_at=timezone.now() - dt.timedelta(hours=72, minutes=1))
    r = api.get("/me")
    assert r.status_code == 401
    assert error_of(r)["code"] == "unauthorized"
    assert api.get("/me").status_code == 401  # the failed call did not wake it up
    unused_for(hours=72, minutes=1)  # never used since it was issued
    assert api.get("/me").status_code == 401
    assert api.get("/auth/tokens").status_code == 401
    # The setting: a longer idle limit, or none (0), and the lifetime still applies.
    settings.PINGAN_TOKEN_IDLE_HOURS = 0
    assert api.get("/me").status_code == 200
    row.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get("/me").status_code == 401


def test_last_use_is_written_at_most_once_a_minute(cast):
    token = token_issue(user=cast.gridworker)
    api = ApiClient(Client(), token)
    row = ApiToken.objects.filter(pk=ApiToken.objects.get().pk)

    def token_writes(calls: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            for _ in range(calls):
                assert api.get("/me").status_code == 200
        return sum(
            1
            for q in queries.captured_queries
            if q["sql"].lstrip().upper().startswith("UPDATE") and "accounts_apitoken" in q["sql"]
        )

    assert token_writes(5) == 1  # the first use is written, the next four are not
    row.update(last_used_at=timezone.now() - dt.timedelta(seconds=50))
    assert token_writes(3) == 0
    before = timezone.now()
    row.update(last_used_at=before - dt.timedelta(seconds=61))
    assert token_writes(3) == 1
    assert row.get().last_used_at >= before
